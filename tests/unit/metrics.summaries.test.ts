import { describe, expect, it } from "vitest";
import { activeUserSummaries, variantSummaries } from "@/lib/metrics/summaries";
import { userDayTable, type UserDayRow } from "@/lib/metrics/userDayTable";
import { ratioValues } from "@/lib/metrics/values";
import type { SumKey } from "@/lib/metrics/registry";

/** A deterministic pseudo-random generator (mulberry32), so that a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LAYOUT: SumKey[] = ["shown", "accepted"];

/**
 * The sufficient statistics written out the long way: each (variant, user)'s post and pre rows summed
 * into a record, then x = accepted, y = shown per record (the acceptance rate).
 */
function longWay(rows: UserDayRow[], segment?: string) {
  const users = new Map<string, { variant: string; x: number; y: number; x0: number; y0: number }>();
  for (const row of rows) {
    if (segment !== undefined && row.segment !== segment) continue;
    const key = `${row.variant}\t${row.userId}`;
    const user = users.get(key) ?? { variant: row.variant, x: 0, y: 0, x0: 0, y0: 0 };
    if (row.day === "pre") {
      user.x0 += row.sums[1];
      user.y0 += row.sums[0];
    } else {
      user.x += row.sums[1];
      user.y += row.sums[0];
    }
    users.set(key, user);
  }
  const out = new Map<string, Record<string, number>>();
  for (const u of users.values()) {
    const s = out.get(u.variant) ?? { users: 0, sumX: 0, sumY: 0, sumX2: 0, sumXY: 0, sumX0: 0, sumXX0: 0, sumYY0: 0 };
    s.users++;
    s.sumX += u.x;
    s.sumY += u.y;
    s.sumX2 += u.x * u.x;
    s.sumXY += u.x * u.y;
    s.sumX0 += u.x0;
    s.sumXX0 += u.x * u.x0;
    s.sumYY0 += u.y * u.y0;
    out.set(u.variant, s);
  }
  return out;
}

describe("per-variant sums over the users' rows", () => {
  const next = random(11);
  const rows: UserDayRow[] = [];
  for (let i = 0; i < 400; i++) {
    const userId = `u${Math.floor(next() * 120)}`;
    // a user exposed more than once has rows in two variants: each pair is its own unit
    const variant = next() < 0.5 ? "control" : next() < 0.5 ? "treatment" : "other";
    const shown = Math.floor(next() * 20);
    rows.push({
      variant,
      userId,
      day: next() < 0.3 ? "pre" : "post",
      segment: next() < 0.5 ? "go" : "python",
      sums: [shown, Math.floor(next() * (shown + 1))],
    });
  }
  const table = userDayTable(rows, LAYOUT.length);
  const metric = ratioValues("acceptance_rate", LAYOUT);

  it("sums each (variant, user)'s rows before and after exposure, then the users' moments, as written out the long way", () => {
    for (const segment of [undefined, "go", "python"]) {
      const expected = longWay(rows, segment);
      const actual = activeUserSummaries(table, metric, segment === undefined ? -1 : table.segments.indexOf(segment));
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [variant, want] of expected) expect(actual.get(variant)).toMatchObject(want);
    }
  });

  it("counts exposed users without rows as zeros, and every exposed variant even without rows", () => {
    const exposed = new Map([
      ["control", 500],
      ["treatment", 400],
      ["silent", 7],
    ]);
    const summaries = variantSummaries(table, metric, exposed);
    const active = activeUserSummaries(table, metric);
    expect(summaries.get("control")).toEqual({ ...active.get("control"), users: 500 });
    expect(summaries.get("treatment")!.users).toBe(400);
    expect(summaries.get("silent")).toMatchObject({ users: 7, sumX: 0, sumY: 0 });
    expect(summaries.has("other")).toBe(false);
  });
});
