import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { assignUser } from "@/lib/assignment";
import { flushIngestion } from "@/lib/ingestion/log";
import { compareFrequentist, holmAdjust, type RatioSummary } from "@/lib/stats";
import { ADMIN_KEY, INGEST_KEY, call } from "./http";

// An experiment with a control and two treatments: each treatment is compared with the control on its
// own users (never with the other treatment), the Holm family holds every treatment's test, and the
// SRM check has two degrees of freedom (its p-value then has the closed form e^(−χ²/2)).

const DAY = 86_400_000;
const start = Date.now() - 4 * DAY;
const experimentKey = "three-way";
const variants = ["control", "fast", "refined"];
const truth = new Map<string, { variant: string; shown: number; accepted: number }>();

beforeAll(async () => {
  const versions = await import("@/app/api/v1/model-versions/route");
  for (const key of ["m-base", "m-fast", "m-refined"])
    await call(versions.POST, "POST", "/x", { key: ADMIN_KEY, body: { key, name: key } });
  const experiments = await import("@/app/api/v1/experiments/route");
  const created = await call(experiments.POST, "POST", "/x", {
    key: ADMIN_KEY,
    body: {
      key: experimentKey,
      name: "Three-way",
      variants: [
        { key: "control", modelVersion: "m-base", weight: 1 / 3 },
        { key: "fast", modelVersion: "m-fast", weight: 1 / 3 },
        { key: "refined", modelVersion: "m-refined", weight: 1 / 3 },
      ],
    },
  });
  expect(created.status).toBe(201);
  const startRoute = await import("@/app/api/v1/experiments/[key]/start/route");
  expect((await call(startRoute.POST, "POST", "/x", { key: ADMIN_KEY, params: { key: experimentKey } })).status).toBe(200);
  const configRoute = await import("@/app/api/v1/config/route");
  const config = (await call(configRoute.GET, "GET", "/x", { key: INGEST_KEY })).body;

  let seed = 11;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const acceptance: Record<string, number> = { control: 0.25, fast: 0.27, refined: 0.36 };
  const events: Record<string, unknown>[] = [];
  for (let u = 0; u < 600; u++) {
    const userId = `tw-user-${u}`;
    const variant = assignUser(config, userId).assignments[0].variantKey!;
    const modelVersion = `m-${variant === "control" ? "base" : variant}`;
    const common = { userId, modelVersion, language: "python", ide: "vscode" };
    const exposedAt = start + (u % 3) * DAY + 60_000;
    events.push({
      ...common,
      eventId: randomUUID(),
      type: "exposure",
      experimentKey,
      variantKey: variant,
      timestamp: new Date(exposedAt).toISOString(),
    });
    const t = { variant, shown: 0, accepted: 0 };
    for (let i = 0; i < 3 + Math.floor(random() * 12); i++) {
      const at = exposedAt + 60_000 * (i + 1);
      const suggestionId = `${userId}-${i}`;
      events.push({ ...common, eventId: randomUUID(), type: "requested", suggestionId, timestamp: new Date(at).toISOString() });
      const shown = { type: "shown", suggestionId, completionChars: 40, latencyMs: 120 + Math.floor(random() * 100) };
      events.push({ ...common, ...shown, eventId: randomUUID(), timestamp: new Date(at + 50).toISOString() });
      t.shown++;
      if (random() < acceptance[variant]) {
        const accepted = { type: "accepted", suggestionId, acceptedChars: 40, timestamp: new Date(at + 900).toISOString() };
        events.push({ ...common, ...accepted, eventId: randomUUID() });
        t.accepted++;
      }
    }
    truth.set(userId, t);
  }
  const ingest = await import("@/app/api/v1/events/route");
  for (let i = 0; i < events.length; i += 4000) {
    const answer = await call(ingest.POST, "POST", "/x", { key: INGEST_KEY, body: { events: events.slice(i, i + 4000) } });
    expect(answer.body.rejected).toEqual([]);
  }
  await flushIngestion();
}, 120_000);

const window = () => ({ from: new Date(start - DAY).toISOString(), to: new Date().toISOString() });

function acceptanceSummary(variant: string): RatioSummary {
  const s = { users: 0, sumX: 0, sumY: 0, sumX2: 0, sumY2: 0, sumXY: 0 };
  for (const t of truth.values()) {
    if (t.variant !== variant) continue;
    s.users++;
    s.sumX += t.accepted;
    s.sumY += t.shown;
    s.sumX2 += t.accepted ** 2;
    s.sumY2 += t.shown ** 2;
    s.sumXY += t.accepted * t.shown;
  }
  return s;
}

describe("an experiment with two treatments", () => {
  it("compares each treatment with the control on its own users, in the results and in every scorecard row", async () => {
    const { GET } = await import("@/app/api/v1/experiments/[key]/results/route");
    const results = (await call(GET, "GET", "/x", { key: ADMIN_KEY, params: { key: experimentKey }, query: window() })).body;
    expect(results.variants.map((v: { key: string }) => v.key)).toEqual(variants);
    const control = acceptanceSummary("control");
    for (const variant of ["fast", "refined"]) {
      const row = results.variants.find((v: { key: string }) => v.key === variant);
      const expected = compareFrequentist(control, acceptanceSummary(variant));
      expect(row.users).toBe(acceptanceSummary(variant).users);
      expect(row.lift.absolute).toBeCloseTo(expected.absolute, 12);
      expect(row.lift.relative).toBeCloseTo(expected.relative, 12);
      expect(row.pValue).toBeCloseTo(expected.pValueRelative, 12);
    }
    const scorecardRoute = await import("@/app/api/v1/experiments/[key]/scorecard/route");
    const card = (await call(scorecardRoute.GET, "GET", "/x", { key: ADMIN_KEY, params: { key: experimentKey }, query: window() })).body;
    for (const metric of card.metrics)
      expect(
        metric.variants.map((v: { key: string }) => v.key),
        metric.metric,
      ).toEqual(variants);
    expect(card.metrics[0].variants).toEqual(results.variants);
  });

  it("puts every treatment's test in the Holm family, and tests the split on two degrees of freedom", async () => {
    const { GET } = await import("@/app/api/v1/experiments/[key]/results/route");
    const holm = (
      await call(GET, "GET", "/x", { key: ADMIN_KEY, params: { key: experimentKey }, query: { ...window(), correction: "holm" } })
    ).body;
    const family = [...holm.variants.slice(1), ...holm.guardrails].filter((f: { pValue: number | null }) => f.pValue !== null);
    expect(holm.guardrails.map((g: { variant: string }) => g.variant).sort()).toEqual(["fast", "fast", "refined", "refined"]);
    const adjusted = holmAdjust(family.map((f: { pValue: number }) => f.pValue));
    family.forEach((f: { adjustedPValue: number }, i: number) => expect(f.adjustedPValue).toBeCloseTo(adjusted[i], 12));

    const users = variants.map((v) => [...truth.values()].filter((t) => t.variant === v).length);
    const total = users.reduce((a, b) => a + b, 0);
    const chiSquare = users.reduce((s, n) => s + (n - total / 3) ** 2 / (total / 3), 0);
    expect(holm.srm.pValue).toBeCloseTo(Math.exp(-chiSquare / 2), 12);
  });
});

describe("one answer's reads", () => {
  it("see the events stored when the answer was planned, while later inserts land between them", async () => {
    const { database } = await import("@/lib/runtime/database");
    const { clickhouseTime } = await import("@/lib/clickhouse/time");
    const { planSource, latencyQuantiles, userDayRows } = await import("@/lib/results/queries");
    const projectId = (await (await database()).project.findFirstOrThrow()).id;
    const resultsWindow = {
      projectId,
      experimentKey,
      phase: 1,
      from: clickhouseTime(start - DAY),
      to: clickhouseTime(Date.now() + 60_000),
      lookbackDays: 14,
    };
    // The latency query and the sums query of one answer run one after another (the p95's bucket comes first).
    const reads = async (plan: Awaited<ReturnType<typeof planSource>>) => ({
      latency: await latencyQuantiles(resultsWindow, plan, variants, 0.95, 1.96),
      rows: await userDayRows(resultsWindow, plan),
    });
    const plan = await planSource(resultsWindow);
    const planned = await reads(plan);
    const shownBefore = planned.latency.reduce((n, q) => n + q.n, 0);
    expect(shownBefore).toBe([...truth.values()].reduce((n, t) => n + t.shown, 0));

    // Every user shows one more suggestion, stored after the plan (as a batch landing between two queries).
    const late = [...truth.keys()].map((userId) => ({
      eventId: randomUUID(),
      userId,
      modelVersion: `m-${truth.get(userId)!.variant === "control" ? "base" : truth.get(userId)!.variant}`,
      language: "python",
      ide: "vscode",
      type: "shown",
      suggestionId: `${userId}-late`,
      completionChars: 40,
      latencyMs: 5_000,
      timestamp: new Date(Date.now() - 60_000).toISOString(),
    }));
    const ingest = await import("@/app/api/v1/events/route");
    expect((await call(ingest.POST, "POST", "/x", { key: INGEST_KEY, body: { events: late } })).body.accepted).toBe(late.length);
    await flushIngestion();

    expect(await reads(plan)).toEqual(planned);
    const replanned = await reads(await planSource(resultsWindow));
    expect(replanned.latency.reduce((n, q) => n + q.n, 0)).toBe(shownBefore + late.length);
  });
});
