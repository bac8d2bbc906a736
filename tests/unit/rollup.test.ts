import { describe, expect, it } from "vitest";
import { staleDays, type DayState } from "@/lib/results/rollup";

const built: DayState = {
  day: "2026-11-20",
  insertedRows: 1000,
  maxIngestedAt: "2026-11-20 10:00:00.000",
  built: {
    buildId: "1",
    builtAtMs: Date.parse("2026-11-20T10:00:05Z"),
    insertedRows: 1000,
    maxIngestedAt: "2026-11-20 10:00:00.000",
    maxFirstAt: "2026-11-20 09:00:00.000",
    users: 20_000,
    usersChecksum: "0",
    latencyTailFrom: 0,
  },
  relevantUsers: 20_000,
  coveredUsers: 20_000,
};

describe("which rollup days are built", () => {
  it("leaves a day alone while its events and exposures are what its build saw, however old the build", () => {
    expect(staleDays([built])).toEqual([]);
  });

  it("builds a day that was never built, and a day whose events changed in any way since its build", () => {
    const later = "2026-11-20 10:00:01.000";
    const days = [
      { ...built, day: "never", built: null },
      // a tail: rows inserted after the build (patched at the next pass, see buildDay)
      { ...built, day: "tail", insertedRows: 1001, maxIngestedAt: later },
      // rows inserted, but not all of them stamped after the build: one landed late with an earlier stamp (built in full)
      { ...built, day: "late row", insertedRows: 1002, maxIngestedAt: later },
      // duplicates merged away: fewer rows than inserted
      { ...built, day: "merged", insertedRows: 999 },
      // a duplicate merged away and a row inserted: the same count, a later insert
      { ...built, day: "same count, later insert", maxIngestedAt: later },
    ];
    expect(staleDays(days).map((d) => d.day)).toEqual(["never", "tail", "late row", "merged", "same count, later insert"]);
  });

  it("tolerates a few users exposed since the build (read raw), not many, and not a changed exposure", () => {
    expect(staleDays([{ ...built, relevantUsers: 20_150 }])).toEqual([]); // 150 ≤ 1% of 20,150
    expect(staleDays([{ ...built, relevantUsers: 20_300 }])).toHaveLength(1);
    expect(staleDays([{ ...built, relevantUsers: 150, coveredUsers: 60 }])).toEqual([]); // 90 ≤ 100
    expect(staleDays([{ ...built, coveredUsers: 0 }])).toHaveLength(1); // a covered user's exposure changed: the checksum no longer matches
  });
});

describe("parseUserDayRows", () => {
  it("reads the TabSeparated answer of the user-day query: strings unescaped, integers exact", async () => {
    const { parseUserDayRows } = await import("@/lib/results/userDayRows");
    const { userDayRowAt } = await import("@/lib/metrics/userDayTable");
    const text = "control\tu\\\\1\t2026-11-20\tgo\t3\t2\t1\t40\t120\t0\t0\ntreat\\tment\tu2\tpre\t\t0\t9007199254740991\t0\t0\t0\t7\t10\n";
    // seven sums in this answer: requested, shown, accepted, ai_chars, human_chars, retained_chars, refined_accepted_chars
    const table = parseUserDayRows(text, 7);
    expect([0, 1].map((r) => userDayRowAt(table, r))).toEqual([
      { variant: "control", userId: "u\\\\1", day: "2026-11-20", segment: "go", sums: [3, 2, 1, 40, 120, 0, 0] },
      { variant: "treat\tment", userId: "u2", day: "pre", segment: "", sums: [0, 9007199254740991, 0, 0, 0, 7, 10] },
    ]);
    expect([table.length, [...table.user]]).toEqual([2, [0, 1]]);
    expect(parseUserDayRows("", 7)).toMatchObject({ length: 0, sums: new Float64Array(0) });
  });
});

describe("parseUserDayRows on an answer that is not the query's", () => {
  it("throws instead of guessing (a truncated row, a stray exception text)", async () => {
    const { parseUserDayRows } = await import("@/lib/results/userDayRows");
    expect(() => parseUserDayRows("control\tu1\t2026-11-20", 7)).toThrow(/ends after 2 of 11 fields/);
    expect(() => parseUserDayRows("control\tu1\t2026-11-20\t\t3\t2\t1\t40\t120\t0\t0", 7)).toThrow(/field 11/);
    expect(() => parseUserDayRows("control\tu1\t2026-11-20\t\t3\tCode: 241. DB::Exception\t1\t40\t120\t0\t0\n", 7)).toThrow(/field 6/);
  });
});

describe("the day-by-day series from the users' days", () => {
  /** A user's row with only the series' arrays: days (indexes from `first`), numerators, denominators. */
  const seriesRow = (variant: string, user: number, days: number[], x: number[], y: number[]) => ({
    variant,
    userId: `u${user}`,
    day: "post",
    segment: "",
    sums: [],
    series: { days, x, y },
  });
  const first = Date.parse("2026-11-20T00:00:00Z");

  it("reads each row's days, numerators and denominators, and refuses a broken array", async () => {
    const { parseUserDayRows } = await import("@/lib/results/userDayRows");
    const text = "control\tu1\tpost\t\t5\t2\t[0,2]\t[1,1]\t[3,2]\ncontrol\tu2\tpre\t\t1\t0\t[]\t[]\t[]\n";
    const { userDayRowAt } = await import("@/lib/metrics/userDayTable");
    const table = parseUserDayRows(text, 2, true);
    expect([0, 1].map((r) => userDayRowAt(table, r).series)).toEqual([
      { days: [0, 2], x: [1, 1], y: [3, 2] },
      { days: [], x: [], y: [] },
    ]);
    expect(() => parseUserDayRows("control\tu1\tpost\t\t5\t2\t[0,2\t[1]\t[3]\n", 2, true)).toThrow(/array/);
    expect(() => parseUserDayRows("control\tu1\tpost\t\t5\t2\n", 2, true)).toThrow(/field 6/);
    expect(() => parseUserDayRows("control\tu1\tpost\t\t5\t2\t[0,2]\t[1]\t[3,2]\n", 2, true)).toThrow(/differ in length/);
  });

  it("adds up what each day changes in every variant's cumulative moments, each user's running totals replacing their earlier part", async () => {
    const { seriesSteps } = await import("@/lib/metrics/summaries");
    const { userDayTable } = await import("@/lib/metrics/userDayTable");
    const rows = [seriesRow("a", 0, [0, 2], [1, 2], [3, 4]), seriesRow("a", 1, [2], [5], [6]), seriesRow("b", 2, [1], [0], [1])];
    const steps = seriesSteps(userDayTable(rows, 0), first);
    const byDay = (variant: string, day: string) => steps.find((s) => s.variant === variant && s.day === day);
    expect(byDay("a", "2026-11-20")).toEqual({ variant: "a", day: "2026-11-20", newUsers: 1, dx: 1, dy: 3, dX2: 1, dXY: 3, dY2: 9 });
    // u0 goes from (1, 3) to (3, 7); u1 starts at (5, 6)
    expect(byDay("a", "2026-11-22")).toEqual({
      variant: "a",
      day: "2026-11-22",
      newUsers: 1,
      dx: 7,
      dy: 10,
      dX2: 9 - 1 + 25,
      dXY: 21 - 3 + 30,
      dY2: 49 - 9 + 36,
    });
    expect(byDay("b", "2026-11-21")).toMatchObject({ newUsers: 1, dx: 0, dy: 1, dY2: 1 });
    expect(steps).toHaveLength(3);
  });

  it("takes each user's days in whatever order the query gathered them, a day repeated once per segment row", async () => {
    const { seriesSteps } = await import("@/lib/metrics/summaries");
    const { userDayTable } = await import("@/lib/metrics/userDayTable");
    const row = (user: number, days: number[], x: number[], y: number[]) => seriesRow("a", user, days, x, y);
    const inOrder = [row(0, [0, 1, 1, 3], [1, 2, 0, 4], [2, 3, 1, 5]), row(1, [2, 5], [1, 1], [1, 2])];
    const shuffled = [row(0, [3, 1, 0, 1], [4, 2, 1, 0], [5, 3, 2, 1]), row(1, [5, 2], [1, 1], [2, 1])];
    const expected = seriesSteps(userDayTable(inOrder, 0), first);
    expect(seriesSteps(userDayTable(shuffled, 0), first)).toEqual(expected);
    // u0's first day is day 0 whichever entry comes first: one new user that day, u1 on day 2
    expect(expected.map((s) => [s.day, s.newUsers])).toEqual([
      ["2026-11-20", 1],
      ["2026-11-21", 0],
      ["2026-11-22", 1],
      ["2026-11-23", 0],
      ["2026-11-25", 0],
    ]);
    // u0 reaches (7, 11) on day 3: the steps add up to each user's final totals
    expect(expected.reduce((sum, s) => sum + s.dX2, 0)).toBe(7 * 7 + 2 * 2);
    expect(expected.reduce((sum, s) => sum + s.dXY, 0)).toBe(7 * 11 + 2 * 3);
  });
});
