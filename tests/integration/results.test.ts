import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { assignUser } from "@/lib/assignment";
import { flushIngestion } from "@/lib/ingestion/log";
import { ROLLUP_RECORDS_TABLE, type LatencyHistograms } from "@/lib/results/sql";
import { compareFrequentist, compareQuantiles, quantileConfidenceIndices, type QuantileSummary, type RatioSummary } from "@/lib/stats";
import type { ExpiringCache } from "@/lib/auth/expiringCache";
import {
  addToHistogram,
  histogramOrderStatistic,
  LATENCY_BUCKET_RATIO,
  latencyBucketBounds,
  rankPosition,
  valuesAtOrBelow,
} from "@/lib/stats/histogramQuantile";
import { ADMIN_KEY, INGEST_KEY, call } from "./http";

// A synthetic experiment seeded through the public API, whose every per-user sum the test computes
// itself from the events it sends: the results endpoint must reproduce them exactly (the SQL), and its
// statistics must equal lib/stats on those sums (lib/stats itself is checked against scipy).

const DAY = 86_400_000;
// Each user's fourth suggestion (i = 3) is accepted 28 s before a UTC midnight and refined 32 s after it,
// so every run meets a refinement across midnight, whatever the time of day it runs at.
const start = Math.floor((Date.now() - 6 * DAY) / DAY) * DAY + DAY - (3_600_000 + 60_000 + 3 * 600_000 + 30_000);
const utcDay = (at: number) => Math.floor(at / DAY);
/** Suggestions accepted on one UTC day and refined on the next (see `start`). */
let refinedAcrossMidnight = 0;
const experimentKey = "results-exp";
const languages = ["python", "typescript", "go"];

interface UserTruth {
  variant: string;
  language: string;
  shown: number;
  accepted: number;
  aiChars: number;
  humanChars: number;
  preShown: number;
  preAccepted: number;
  shownChars: number;
  acceptedChars: number;
  /** Latencies of the user's shown suggestions after exposure. */
  latencies: number[];
  /** Shown and accepted suggestions after exposure per UTC day (of each event). */
  days: Map<string, { shown: number; accepted: number }>;
}

const truth = new Map<string, UserTruth>();
let config: any;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

beforeAll(async () => {
  const versions = await import("@/app/api/v1/model-versions/route");
  for (const key of ["r-base", "r-new"]) await call(versions.POST, "POST", "/x", { key: ADMIN_KEY, body: { key, name: key } });
  const experiments = await import("@/app/api/v1/experiments/route");
  const created = await call(experiments.POST, "POST", "/x", {
    key: ADMIN_KEY,
    body: {
      key: experimentKey,
      name: "Results",
      variants: [
        { key: "control", modelVersion: "r-base", weight: 0.5 },
        { key: "treatment", modelVersion: "r-new", weight: 0.5 },
      ],
    },
  });
  expect(created.status).toBe(201);
  const start_ = await import("@/app/api/v1/experiments/[key]/start/route");
  expect((await call(start_.POST, "POST", "/x", { key: ADMIN_KEY, params: { key: experimentKey } })).status).toBe(200);
  const configRoute = await import("@/app/api/v1/config/route");
  config = (await call(configRoute.GET, "GET", "/x", { key: INGEST_KEY })).body;

  const random = rng(42);
  const events: Record<string, unknown>[] = [];
  const base = (userId: string, at: number, language: string, modelVersion: string) => ({
    eventId: randomUUID(),
    userId,
    timestamp: new Date(at).toISOString(),
    language,
    modelVersion,
    ide: "vscode",
  });
  for (let u = 0; u < 240; u++) {
    const userId = `r-user-${u}`;
    const variant = assignUser(config, userId).assignments[0].variantKey!;
    const language = languages[u % 3];
    const modelVersion = variant === "control" ? "r-base" : "r-new";
    const exposedAt = start + (u % 5) * DAY + 3_600_000;
    const t: UserTruth = {
      variant,
      language,
      shown: 0,
      accepted: 0,
      aiChars: 0,
      humanChars: 0,
      preShown: 0,
      preAccepted: 0,
      shownChars: 0,
      acceptedChars: 0,
      latencies: [],
      days: new Map(),
    };
    truth.set(userId, t);
    const onDay = (at: number) => {
      const day = new Date(at).toISOString().slice(0, 10);
      return t.days.get(day) ?? t.days.set(day, { shown: 0, accepted: 0 }).get(day)!;
    };
    const propensity = 0.1 + 0.6 * random() + (variant === "treatment" ? 0.08 : 0);
    // Pre-exposure activity (counts only for CUPED), correlated with the user's propensity.
    for (let i = 0; i < 3 + (u % 4); i++) {
      const sid = `${userId}-pre-${i}`;
      const at = exposedAt - (i + 1) * 3_600_000;
      events.push({ ...base(userId, at, language, "r-base"), type: "shown", suggestionId: sid, completionChars: 30, latencyMs: 150 });
      t.preShown++;
      if (random() < propensity) {
        events.push({ ...base(userId, at + 1000, language, "r-base"), type: "accepted", suggestionId: sid, acceptedChars: 30 });
        t.preAccepted++;
      }
    }
    events.push({ ...base(userId, exposedAt, language, modelVersion), type: "exposure", experimentKey, variantKey: variant });
    const suggestions = 2 + Math.floor(random() * random() * 40); // heavy-tailed activity
    for (let i = 0; i < suggestions; i++) {
      const sid = `${userId}-s-${i}`;
      const at = exposedAt + 60_000 + i * 600_000;
      const chars = 20 + Math.floor(random() * 80);
      const latencyMs = 100 + Math.floor(random() * 200) + (variant === "treatment" ? 5 : 0);
      t.latencies.push(latencyMs);
      events.push({ ...base(userId, at, language, modelVersion), type: "requested", suggestionId: sid });
      events.push({
        ...base(userId, at + 100, language, modelVersion),
        type: "shown",
        suggestionId: sid,
        completionChars: chars,
        latencyMs,
      });
      t.shown++;
      t.shownChars += chars;
      onDay(at + 100).shown++;
      if (random() < propensity) {
        onDay(at + 2000).accepted++;
        events.push({ ...base(userId, at + 2000, language, modelVersion), type: "accepted", suggestionId: sid, acceptedChars: chars });
        t.accepted++;
        t.acceptedChars += chars;
        if (i % 3 === 0) {
          const retained = Math.floor(chars * 0.7);
          events.push({
            ...base(userId, at + 62_000, language, modelVersion),
            type: "refined",
            suggestionId: sid,
            windowSeconds: 60,
            proposal: "x".repeat(chars),
            final: "y".repeat(retained),
            retainedChars: retained,
          });
          // A suggestion is one UTC day's events (README, Metrics): refined across midnight, it keeps
          // the characters it was accepted with.
          if (utcDay(at + 2000) === utcDay(at + 62_000)) t.aiChars += retained;
          else {
            t.aiChars += chars;
            refinedAcrossMidnight++;
          }
        } else t.aiChars += chars;
      }
    }
    const typed = 50 + Math.floor(random() * 300);
    events.push({ ...base(userId, exposedAt + 120_000, language, modelVersion), type: "typed", humanChars: typed });
    t.humanChars += typed;
  }
  const ingest = await import("@/app/api/v1/events/route");
  for (let i = 0; i < events.length; i += 4000) {
    const batch = events.slice(i, i + 4000);
    const answer = await call(ingest.POST, "POST", "/x", { key: INGEST_KEY, body: { events: batch } });
    expect(answer.body.rejected).toEqual([]);
    // A retried batch must change nothing.
    if (i === 0)
      expect((await call(ingest.POST, "POST", "/x", { key: INGEST_KEY, body: { events: batch } })).body.duplicates).toBe(batch.length);
  }
  await flushIngestion();
}, 120_000);

async function results(query: Record<string, string> = {}) {
  const { GET } = await import("@/app/api/v1/experiments/[key]/results/route");
  // The events are back-dated, so the window is given explicitly (by default it starts when the experiment did).
  const window = { from: new Date(start - DAY).toISOString(), to: new Date().toISOString() };
  const response = await call(GET, "GET", "/x", { key: ADMIN_KEY, params: { key: experimentKey }, query: { ...window, ...query } });
  expect(response.status).toBe(200);
  return response.body;
}

function expectedSummary(
  variant: string,
  x: (t: UserTruth) => number,
  y: (t: UserTruth) => number,
  filter: (t: UserTruth) => boolean = () => true,
): RatioSummary {
  const s = { users: 0, sumX: 0, sumY: 0, sumX2: 0, sumY2: 0, sumXY: 0 };
  for (const t of truth.values()) {
    if (t.variant !== variant || !filter(t)) continue;
    s.users++;
    s.sumX += x(t);
    s.sumY += y(t);
    s.sumX2 += x(t) ** 2;
    s.sumY2 += y(t) ** 2;
    s.sumXY += x(t) * y(t);
  }
  return s;
}

describe("experiment results", () => {
  it("reproduces the per-variant sums and the delta-method statistics for acceptance rate", async () => {
    const body = await results();
    const expected = ["control", "treatment"].map((v) =>
      expectedSummary(
        v,
        (t) => t.accepted,
        (t) => t.shown,
      ),
    );
    for (const [i, variant] of body.variants.entries()) {
      expect(variant.users).toBe(expected[i].users);
      expect(variant.numerator).toBe(expected[i].sumX);
      expect(variant.denominator).toBe(expected[i].sumY);
      expect(variant.rate).toBeCloseTo(expected[i].sumX / expected[i].sumY, 12);
    }
    const reference = compareFrequentist(expected[0], expected[1]);
    expect(body.variants[0].lift).toBeNull();
    expect(body.variants[1].lift.relative).toBeCloseTo(reference.relative, 10);
    expect(body.variants[1].lift.ciRelative[0]).toBeCloseTo(reference.ciRelative[0], 10);
    expect(body.variants[1].lift.ciAbsolute[1]).toBeCloseTo(reference.ciAbsolute[1], 10);
    // the shown p-value tests the relative lift (its interval); the absolute change has its own
    expect(body.variants[1].pValue).toBeCloseTo(reference.pValueRelative, 10);
    expect(body.variants[1].lift.pValueAbsolute).toBeCloseTo(reference.pValue, 10);
    expect(body.srm.observed).toEqual(expected.map((e) => e.users));
    expect(body.srm.mismatch).toBe(false);
    expect(body.health.exposedUsers).toBe(240);
  });

  it("computes generation rate from kept AI characters (retained after refinement) and typed characters", async () => {
    expect(refinedAcrossMidnight).toBeGreaterThan(10);
    const body = await results({ metric: "generation_rate" });
    const expected = ["control", "treatment"].map((v) =>
      expectedSummary(
        v,
        (t) => t.aiChars,
        (t) => t.aiChars + t.humanChars,
      ),
    );
    for (const [i, variant] of body.variants.entries()) {
      expect(variant.numerator).toBe(expected[i].sumX);
      expect(variant.denominator).toBe(expected[i].sumY);
    }
    expect(body.variants[1].pValue).toBeCloseTo(compareFrequentist(expected[0], expected[1]).pValueRelative, 10);
  });

  it("computes character acceptance rate (a registry-only metric) with the same statistics as the other ratios", async () => {
    const body = await results({ metric: "char_acceptance_rate" });
    expect(body.metricLabel).toBe("Character acceptance rate");
    const expected = ["control", "treatment"].map((v) =>
      expectedSummary(
        v,
        (t) => t.acceptedChars,
        (t) => t.shownChars,
      ),
    );
    for (const [i, variant] of body.variants.entries()) {
      expect(variant.users).toBe(expected[i].users);
      expect(variant.numerator).toBe(expected[i].sumX);
      expect(variant.denominator).toBe(expected[i].sumY);
    }
    const reference = compareFrequentist(expected[0], expected[1]);
    expect(body.variants[1].lift.relative).toBeCloseTo(reference.relative, 10);
    expect(body.variants[1].lift.ciRelative[1]).toBeCloseTo(reference.ciRelative[1], 10);
    expect(body.variants[1].pValue).toBeCloseTo(reference.pValueRelative, 10);
  });

  it("trends per model version count the same suggestions as results, pre-exposure traffic included", async () => {
    const { GET } = await import("@/app/api/v1/metrics/model-versions/route");
    const window = { from: new Date(start - 2 * DAY).toISOString(), to: new Date().toISOString() };
    const response = await call(GET, "GET", "/x", { key: ADMIN_KEY, query: window });
    expect(response.status).toBe(200);
    const total = (version: string, field: string) =>
      response.body.items.filter((i: any) => i.modelVersion === version).reduce((sum: number, i: any) => sum + i[field], 0);
    const sum = (variant: string | null, field: (t: UserTruth) => number) =>
      [...truth.values()].filter((t) => variant === null || t.variant === variant).reduce((s, t) => s + field(t), 0);
    expect(total("r-new", "shown")).toBe(sum("treatment", (t) => t.shown));
    expect(total("r-new", "accepted")).toBe(sum("treatment", (t) => t.accepted));
    expect(total("r-new", "aiChars")).toBe(sum("treatment", (t) => t.aiChars));
    expect(total("r-new", "humanChars")).toBe(sum("treatment", (t) => t.humanChars));
    // every pre-exposure suggestion was served by r-base (30 characters, accepted whole)
    expect(total("r-base", "shown")).toBe(sum("control", (t) => t.shown) + sum(null, (t) => t.preShown));
    expect(total("r-base", "accepted")).toBe(sum("control", (t) => t.accepted) + sum(null, (t) => t.preAccepted));
    expect(total("r-base", "aiChars")).toBe(sum("control", (t) => t.aiChars) + 30 * sum(null, (t) => t.preAccepted));
    for (const item of response.body.items) {
      expect(item.acceptanceRate).toBeCloseTo(item.accepted / item.shown, 12);
      expect(item.generationRate).toBeCloseTo(item.aiChars / (item.aiChars + item.humanChars), 12);
    }
  });

  it("draws a daily series of each day's rate and the cumulative lift, ending on the overall lift and interval", async () => {
    const body = await results();
    const treatment = body.series.filter((p: any) => p.variant === "treatment");
    expect(treatment.length).toBeGreaterThanOrEqual(5);
    // Recomputed from the events sent: each day's pooled rate, and the pooled rates up to the day.
    const pooledRate = (variant: string, until: string, from = until) => {
      let [accepted, shown] = [0, 0];
      for (const t of truth.values()) {
        if (t.variant !== variant) continue;
        for (const [day, counts] of t.days) {
          if (day < from || day > until) continue;
          accepted += counts.accepted;
          shown += counts.shown;
        }
      }
      return accepted / shown;
    };
    for (const point of body.series) expect(point.rate).toBeCloseTo(pooledRate(point.variant, point.date), 12);
    for (const point of treatment) {
      const lift = pooledRate("treatment", point.date, "0000") / pooledRate("control", point.date, "0000") - 1;
      expect(point.cumulativeLift).toBeCloseTo(lift, 12);
      if (point.ciRelative) expect(point.ciRelative[0]).toBeLessThanOrEqual(point.cumulativeLift);
    }
    // the last day's cumulative moments are the whole window's: the same interval as the answer's
    expect(treatment.at(-1).cumulativeLift).toBeCloseTo(body.variants[1].lift.relative, 10);
    expect(treatment.at(-1).ciRelative[0]).toBeCloseTo(body.variants[1].lift.ciRelative[0], 10);
    expect(treatment.at(-1).ciRelative[1]).toBeCloseTo(body.variants[1].lift.ciRelative[1], 10);
    // a per-user mean too (its denominator counts each exposed user once)
    const perUser = await results({ metric: "suggestions_per_user" });
    const last = perUser.series.filter((p: any) => p.variant === "treatment").at(-1);
    expect(last.cumulativeLift).toBeCloseTo(perUser.variants[1].lift.relative, 10);
    expect(last.ciRelative[0]).toBeCloseTo(perUser.variants[1].lift.ciRelative[0], 10);
    expect(last.rate).toBeCloseTo(perUser.variants[1].rate, 10);
  });

  it("breaks results down by segment over the users active in each", async () => {
    const body = await results({ segment: "language" });
    expect(body.segments.map((s: any) => s.value)).toEqual(["go", "python", "typescript"]);
    for (const segment of body.segments) {
      const expected = expectedSummary(
        "control",
        (t) => t.accepted,
        (t) => t.shown,
        (t) => t.language === segment.value,
      );
      expect(segment.variants[0].users).toBe(expected.users);
      expect(segment.variants[0].rate).toBeCloseTo(expected.sumX / expected.sumY, 12);
    }
  });

  it("widens intervals under sequential testing, reports chance to win under Bayesian, and shrinks variance with CUPED", async () => {
    const fixed = await results();
    const sequential = await results({ method: "sequential" });
    const [lo, hi] = fixed.variants[1].lift.ciRelative;
    const [slo, shi] = sequential.variants[1].lift.ciRelative;
    expect(slo).toBeLessThan(lo);
    expect(shi).toBeGreaterThan(hi);
    const bayesian = await results({ method: "bayesian" });
    expect(bayesian.variants[1].chanceToWin).toBeGreaterThan(0);
    expect(bayesian.variants[1].chanceToWin).toBeLessThan(1);
    expect(bayesian.variants[1].pValue).toBeNull();
    const cuped = await results({ cuped: "true" });
    expect(cuped.variants[1].cupedVarianceReduction).toBeGreaterThan(0);
    expect(cuped.variants[1].lift.ciRelative[1] - cuped.variants[1].lift.ciRelative[0]).toBeLessThan(hi - lo);
  });

  it("reports the p95 latency within 1% of the exact one, with its order-statistic interval and clustered lift, and guardrails, and adjusts p-values", async () => {
    const latency = await results({ metric: "latency_p95" });
    // Recomputed from the events sent with the histogram's definition (lib/stats/histogramQuantile): the
    // order statistics at their ranks, interpolated in their buckets, and per user the suggestions at or
    // below the quantile (the clustering correction). Each order statistic is also within 1% of the exact one.
    const summaries = ["control", "treatment"].map((variant): QuantileSummary => {
      const users = [...truth.values()].filter((t) => t.variant === variant && t.latencies.length > 0);
      const sorted = users.flatMap((t) => t.latencies).sort((a, b) => a - b);
      const histogram = addToHistogram(new Map(), sorted);
      const n = sorted.length;
      const rank = Math.floor(0.95 * n) + 1;
      const { lower, upper } = quantileConfidenceIndices(n, 0.95, 0.05);
      const [quantile, lowerValue, upperValue] = [rank, lower, upper].map((r) => histogramOrderStatistic(histogram, r));
      for (const [value, r] of [
        [quantile, rank],
        [lowerValue, lower],
        [upperValue, upper],
      ]) {
        expect(Math.abs(value - sorted[r - 1]) / sorted[r - 1]).toBeLessThan(LATENCY_BUCKET_RATIO - 1);
      }
      const position = rankPosition(histogram, rank);
      const xs = users.map((t) => valuesAtOrBelow(addToHistogram(new Map(), t.latencies), position));
      const ys = users.map((t) => t.latencies.length);
      const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
      expect(sum(xs)).toBeCloseTo(rank, 9);
      const clustering = {
        users: users.length,
        sumX: sum(xs),
        sumY: sum(ys),
        sumX2: sum(xs.map((x) => x * x)),
        sumY2: sum(ys.map((y) => y * y)),
        sumXY: sum(xs.map((x, i) => x * ys[i])),
      };
      return { n, p: 0.95, quantile, lowerValue, upperValue, ciAlpha: 0.05, clustering };
    });
    summaries.forEach((summary, i) => {
      expect(latency.variants[i].rate).toBeCloseTo(summary.quantile, 9);
      expect(latency.variants[i].denominator).toBe(summary.n);
      expect(latency.variants[i].ci[0]).toBeCloseTo(summary.lowerValue!, 9);
      expect(latency.variants[i].ci[1]).toBeCloseTo(summary.upperValue!, 9);
    });
    const expected = compareQuantiles(summaries[0], summaries[1]);
    expect(latency.variants[1].lift.absolute).toBeCloseTo(expected.absolute, 9);
    expect(latency.variants[1].lift.relative).toBeCloseTo(expected.relative, 9);
    expect(latency.variants[1].lift.ciRelative[0]).toBeCloseTo(expected.ciRelative[0], 9);
    expect(latency.variants[1].pValue).toBeCloseTo(expected.pValueRelative, 9);
    const holm = await results({ correction: "holm" });
    const family = [holm.variants[1], ...holm.guardrails].filter((x: any) => x.pValue !== null);
    expect(family.length).toBeGreaterThan(1);
    for (const f of family) expect(f.adjustedPValue).toBeGreaterThanOrEqual(f.pValue);
    expect(holm.guardrails.map((g: any) => g.metric).sort()).toEqual(["latency_p95", "show_rate"]);
  });

  it("answers the same p95 whether the quantile's bucket was expected rightly, wrongly or not at all (the users' latency windows)", async () => {
    // lib/results/latencyWindow.ts: each server remembers the buckets of an experiment's last p95s and reads
    // the users' latencies around them; a quantile outside that window makes it read them again.
    const expectedBuckets = (globalThis as { __echoQuantileBuckets?: ExpiringCache<Map<string, number>> }).__echoQuantileBuckets!;
    expectedBuckets.clear();
    const cold = await results({ metric: "latency_p95" });
    const [key] = expectedBuckets.keys();
    const found = expectedBuckets.get(key)!.value;
    expect([...found.keys()]).toEqual(["control", "treatment"]);
    cold.variants.forEach((variant: { key: string; rate: number }) => {
      const { low, high } = latencyBucketBounds(found.get(variant.key)!); // the bucket of the variant's p95
      expect(variant.rate).toBeGreaterThanOrEqual(low);
      expect(variant.rate).toBeLessThanOrEqual(high);
    });
    // Expected rightly, the users' rows alone give the p95 (one query less), and the same answer.
    const { queriesRun } = await import("@/lib/clickhouse");
    const histogramReads = queriesRun("results.latency");
    const expectedRightly = await results({ metric: "latency_p95" });
    expect(queriesRun("results.latency")).toBe(histogramReads);
    expectedBuckets.set(key, new Map([...found].map(([variant, bucket]) => [variant, bucket + 40])));
    const expectedWrongly = await results({ metric: "latency_p95" });
    expect(expectedBuckets.get(key)!.value).toEqual(found); // corrected by the answer
    expectedBuckets.set(key, new Map([["control", found.get("control")! - 1]])); // a variant without an expectation
    const expectedInPart = await results({ metric: "latency_p95" });
    for (const answer of [expectedRightly, expectedWrongly, expectedInPart]) {
      expect(answer.variants).toEqual(cold.variants);
      expect(answer.guardrails).toEqual(cold.guardrails);
    }
    expect(cold.variants[1].lift.ciRelative[0]).not.toBeNaN();
  });

  it("names bad query parameters", async () => {
    const { GET } = await import("@/app/api/v1/experiments/[key]/results/route");
    const bad = await call(GET, "GET", "/x", {
      key: ADMIN_KEY,
      params: { key: experimentKey },
      query: { metric: "happiness", from: "soon" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.path).sort()).toEqual(["query.from", "query.metric"]);
  });
});

describe("experiment rollup (per-user daily pre-aggregation)", () => {
  const to = new Date(Date.now() + 5 * 60_000).toISOString(); // one window for every comparison
  const queries: Record<string, string>[] = [
    {},
    { segment: "language" },
    { metric: "latency_p95" },
    { cuped: "true" },
    { cuped: "true", lookbackDays: "20" }, // beyond the rollup's 14 pre-exposure days
    { metric: "generation_rate", method: "sequential" },
    { from: new Date(start + 2.5 * DAY).toISOString() }, // a window starting mid-day, after some exposures
  ];
  const all = () => Promise.all(queries.map((q) => results({ to, ...q })));
  /** Rows of a query of the engine (the tests' own reads of the rollup's tables). */
  const engineRows = async <T>(query: string, params: Record<string, unknown> = {}) => {
    const { clickhouse } = await import("@/lib/clickhouse");
    return (await (await clickhouse()).query({ query, query_params: params, format: "JSONEachRow" })).json<T>();
  };
  /** The number a query answers as `n`. */
  const engineCount = async (query: string, params: Record<string, unknown> = {}) =>
    Number((await engineRows<{ n: number | string }>(query, params))[0].n);
  /** Runs `run` with the clock `minutes` ahead (Date only: timers run as they do). */
  const later = async <T>(minutes: number, run: () => Promise<T>) => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + minutes * 60_000);
      return await run();
    } finally {
      vi.useRealTimers();
    }
  };
  /** The comparisons' window, as the results queries take it. */
  const rollupWindow = async () => {
    const { database } = await import("@/lib/runtime/database");
    const { clickhouseTime } = await import("@/lib/clickhouse/time");
    return {
      projectId: (await (await database()).project.findFirstOrThrow()).id,
      experimentKey,
      phase: 1,
      from: clickhouseTime(start - DAY),
      to: clickhouseTime(Date.parse(to)),
      lookbackDays: 14,
    };
  };

  it("answers exactly what raw events answer, before, during and after a rebuild, and without it", async () => {
    const { database } = await import("@/lib/runtime/database");
    const { clickhouse } = await import("@/lib/clickhouse");
    const { refreshRollups } = await import("@/lib/results/rollup");
    const client = await database();
    const ch = await clickhouse();
    const truncate = async () => {
      for (const table of ["experiment_user_daily", ROLLUP_RECORDS_TABLE]) await ch.command({ query: `TRUNCATE TABLE ${table}` });
    };
    // Builds of a day keep their rows apart: a rebuild never mixes with, or loses to, an earlier one.
    const builds = () => engineCount("SELECT uniqExact(build_id) AS n FROM experiment_user_daily");

    await truncate();
    const raw = await all();
    expect(await refreshRollups(client)).toBeGreaterThan(0);
    expect(await refreshRollups(client)).toBe(0); // nothing changed: nothing to rebuild
    // Every day with events is now read from the rollup, none raw.
    const { planSource } = await import("@/lib/results/queries");
    const window = await rollupWindow();
    const plan = () => planSource(window);
    const eventDays = async () =>
      (
        await engineRows<{ day: string }>("SELECT DISTINCT toString(day) AS day FROM event_day_stats WHERE project_id = {p:String}", {
          p: window.projectId,
        })
      ).map((r) => r.day);
    const rawEventDays = async () => {
      const { rawDays } = await plan();
      return (await eventDays()).filter((day) => rawDays.includes(day));
    };
    expect((await plan()).freshDays.length).toBeGreaterThanOrEqual(5);
    expect(await rawEventDays()).toEqual([]);
    expect(await all()).toEqual(raw);

    // Changes the rollup has not seen: a late suggestion on an already built day of an existing user,
    // and a new user exposed now with pre-exposure activity on built days.
    const ingest = await import("@/app/api/v1/events/route");
    const lateUser = "r-user-7";
    const late = start + 4 * DAY + 5 * 3_600_000;
    const newUser = "r-user-late-exposed";
    const newVariant = assignUser(config, newUser).assignments[0].variantKey!;
    const movedUser = "r-user-12"; // exposed at start + 2 days + 1 h
    const movedTo = start + 2 * DAY + 1_800_000;
    const event = (userId: string, at: number, extra: Record<string, unknown>) => ({
      eventId: randomUUID(),
      userId,
      timestamp: new Date(at).toISOString(),
      modelVersion: "r-base",
      language: "go",
      ide: "vscode",
      ...extra,
    });
    const send = async (events: Record<string, unknown>[]) => {
      const answer = await call(ingest.POST, "POST", "/x", { key: INGEST_KEY, body: { events } });
      expect(answer.body).toMatchObject({ accepted: events.length, rejected: [] });
      await flushIngestion();
    };

    // The late suggestion alone: its day keeps its build, with a tail (the late user, read raw that day).
    await send([
      event(lateUser, late, { type: "shown", suggestionId: "late-s", completionChars: 40, latencyMs: 900 }),
      event(lateUser, late + 1000, { type: "accepted", suggestionId: "late-s", acceptedChars: 40 }),
    ]);
    const lateDay = new Date(late).toISOString().slice(0, 10);
    const withTail = await plan();
    expect(withTail.freshDays.filter((f) => f.tailAfter !== "").map((f) => f.day)).toEqual([lateDay]);
    expect(await rawEventDays()).toEqual([]);
    const tailed = await all();
    expect(await refreshRollups(client)).toBe(1); // the next pass patches the day: the late user's rows anew
    expect((await plan()).freshDays.filter((f) => f.tailAfter !== "")).toEqual([]);
    expect(await all()).toEqual(tailed);
    await truncate();
    expect(await all()).toEqual(tailed); // the same as raw events answer
    expect(tailed[0].variants.reduce((n: number, v: { denominator: number }) => n + v.denominator, 0)).toBe(
      raw[0].variants.reduce((n: number, v: { denominator: number }) => n + v.denominator, 0) + 1,
    );
    expect(await refreshRollups(client)).toBeGreaterThan(0);
    expect((await plan()).freshDays.filter((f) => f.tailAfter !== "")).toEqual([]);

    await send([
      event(newUser, start + 2 * DAY, { type: "shown", suggestionId: "new-pre", completionChars: 10, latencyMs: 120 }),
      event(newUser, Date.now() - 60_000, { type: "exposure", experimentKey, variantKey: newVariant }),
      event(newUser, Date.now() - 30_000, { type: "shown", suggestionId: "new-post", completionChars: 10, latencyMs: 130 }),
      // an offline SDK reports an earlier exposure of an existing user: the first exposure moves
      event(movedUser, movedTo, { type: "exposure", experimentKey, variantKey: truth.get(movedUser)!.variant }),
    ]);

    const stale = await all(); // stale days and the new user come from raw events
    expect((await rawEventDays()).length).toBeGreaterThan(0);
    expect(stale[0].variants.reduce((n: number, v: { denominator: number }) => n + v.denominator, 0)).toBe(
      raw[0].variants.reduce((n: number, v: { denominator: number }) => n + v.denominator, 0) + 2,
    );
    const buildsBefore = await builds();
    // the next pass builds every changed day again
    expect(await refreshRollups(client)).toBeGreaterThan(0);
    expect(await builds()).toBeGreaterThan(buildsBefore); // superseded builds stay a while for requests still reading them
    const mostBuildsOfADay = () =>
      engineCount("SELECT max(n) AS n FROM (SELECT day, uniqExact(build_id) AS n FROM experiment_user_daily GROUP BY day)");
    expect(await mostBuildsOfADay()).toBeGreaterThan(1);
    // ten minutes on, the next pass deletes them, every day at once: one build per day is left
    expect(await later(11, () => refreshRollups(client))).toBe(0);
    expect(await mostBuildsOfADay()).toBe(1);
    expect((await plan()).freshDays.filter((f) => f.tailAfter !== "")).toEqual([]);
    expect(await all()).toEqual(stale);
    await truncate();
    expect(await all()).toEqual(stale);
  }, 120_000);

  it("keeps each row's latency tail from its build's bucket, and reads the tails only for windows at or above every build's", async () => {
    const { database } = await import("@/lib/runtime/database");
    const { refreshRollups } = await import("@/lib/results/rollup");
    const { latencyHistograms, planParams, planSource } = await import("@/lib/results/queries");
    const { userDayRowsSql } = await import("@/lib/results/sql");
    const { queryTabSeparated } = await import("@/lib/clickhouse");
    await refreshRollups(await database());
    // Every row of a recorded build: its tail is its histogram from the build's bucket on, with the count below.
    const rows = `FROM experiment_user_daily AS r INNER JOIN ${ROLLUP_RECORDS_TABLE} AS b ON b.day = r.day AND b.build_id = r.build_id`;
    expect(await engineCount(`SELECT count() AS n ${rows} WHERE b.latency_tail_from > 0 AND notEmpty(r.latency_buckets)`)).toBeGreaterThan(
      100,
    );
    const wrongTails = await engineCount(`
      SELECT count() AS n ${rows}
      WHERE r.latency_tail_buckets != arrayFilter(x -> x >= b.latency_tail_from, r.latency_buckets)
         OR r.latency_tail_counts != arrayFilter((c, x) -> x >= b.latency_tail_from, r.latency_counts, r.latency_buckets)
         OR r.latency_below_tail != arraySum(arrayFilter((c, x) -> x < b.latency_tail_from, r.latency_counts, r.latency_buckets))`);
    expect(wrongTails).toBe(0);

    const window = await rollupWindow();
    const plan = await planSource(window);
    const tailFrom = Math.max(...plan.freshDays.map((f) => f.latencyTailFrom));
    expect(tailFrom).toBeGreaterThan(0); // builds after the first post-exposure day start their tails above bucket 0
    const windows = (control: number, treatment: number) =>
      new Map([
        ["control", control],
        ["treatment", treatment],
      ]);
    const read = async (latency: LatencyHistograms, lows: Map<string, number>) => {
      const text = await queryTabSeparated({
        tag: "test.userDayRows",
        sql: userDayRowsSql(undefined, ["shown"], undefined, latency),
        params: { ...window, ...planParams(plan), latencyVariants: [...lows.keys()], latencyLows: [...lows.values()] },
      });
      return text.split("\n").sort().join("\n");
    };
    for (const lows of [windows(tailFrom, tailFrom), windows(tailFrom + 3, tailFrom + 1)]) {
      expect(latencyHistograms(plan, lows)).toBe("tails");
      expect(await read("tails", lows)).toBe(await read("histograms", lows));
    }
    // A window starting below some build's tails needs the whole histograms: the tails would miscount it.
    const below = windows(tailFrom + 2, tailFrom - 1);
    expect(latencyHistograms(plan, below)).toBe("histograms");
    expect(await read("tails", below)).not.toBe(await read("histograms", below));
  });

  it("patches a day's build for the users who changed since it, writing the rows a full build writes", async () => {
    const { database } = await import("@/lib/runtime/database");
    const { clickhouse, queriesRun } = await import("@/lib/clickhouse");
    const { refreshRollups } = await import("@/lib/results/rollup");
    const client = await database();
    const ch = await clickhouse();
    const refresh = (options?: { incremental: boolean }) => refreshRollups(client, Date.now(), options);
    // Every row of each day's current build, but for the build's own id and time.
    const currentBuilds = `(day, build_id) IN (SELECT day, argMax(build_id, (built_at, build_id)) FROM ${ROLLUP_RECORDS_TABLE}
                                               WHERE experiment_key = '${experimentKey}' GROUP BY day)`;
    const builtRows = () =>
      engineRows<Record<string, unknown>>(`
        SELECT * EXCEPT (build_id, built_at) FROM experiment_user_daily
        WHERE experiment_key = '${experimentKey}' AND ${currentBuilds} ORDER BY ALL`);
    const builtHistograms = () =>
      engineRows<Record<string, unknown>>(`
        SELECT * EXCEPT (build_id, built_at) FROM experiment_variant_latency_daily
        WHERE experiment_key = '${experimentKey}' AND ${currentBuilds} ORDER BY ALL`);
    const builds = { full: () => queriesRun("rollup.insert"), patch: () => queriesRun("rollup.patchRows") };
    await refresh();
    const answer = await all();

    // A late suggestion of an existing user on a built day (a tail), and a user exposed now with
    // activity before the exposure on built days (not covered by their builds).
    const ingest = await import("@/app/api/v1/events/route");
    const send = async (events: Record<string, unknown>[]) => {
      const sent = await call(ingest.POST, "POST", "/x", { key: INGEST_KEY, body: { events } });
      expect(sent.body).toMatchObject({ accepted: events.length, rejected: [] });
      await flushIngestion();
    };
    const event = (userId: string, at: number, extra: Record<string, unknown>) => ({
      eventId: randomUUID(),
      userId,
      timestamp: new Date(at).toISOString(),
      modelVersion: "r-base",
      language: "python",
      ide: "vscode",
      ...extra,
    });
    const late = start + 3 * DAY + 7 * 3_600_000;
    const newUser = "r-user-patched-in";
    await send([
      event("r-user-3", late, { type: "shown", suggestionId: "patch-late", completionChars: 25, latencyMs: 640 }),
      event("r-user-3", late + 1000, { type: "accepted", suggestionId: "patch-late", acceptedChars: 25 }),
      event(newUser, start + 4 * DAY, { type: "shown", suggestionId: "patch-pre", completionChars: 12, latencyMs: 110 }),
      event(newUser, Date.now() - 60_000, {
        type: "exposure",
        experimentKey,
        variantKey: assignUser(config, newUser).assignments[0].variantKey,
      }),
      event(newUser, Date.now() - 30_000, { type: "shown", suggestionId: "patch-post", completionChars: 12, latencyMs: 115 }),
    ]);
    // and a repeat of a stored event that the ingestion no longer remembers (a retry after a long outage):
    // stored again with a later stamp, one copy counted
    await ch.command({
      query: `INSERT INTO events SELECT * REPLACE (now64(3) AS ingested_at) FROM events
              WHERE user_id = 'r-user-8' AND type = 'accepted' ORDER BY event_id LIMIT 1`,
    });
    const changed = await all();
    expect(changed).not.toEqual(answer);
    // days with events and no build yet (today, when no earlier test sent events today) are built in full
    const daysOf = async (table: string) =>
      new Set(
        (await engineRows<{ day: string }>(`SELECT DISTINCT toString(day) AS day FROM ${table} WHERE project_id = '${projectId}'`)).map(
          (r) => r.day,
        ),
      );
    const projectId = (await client.project.findFirstOrThrow()).id;
    const builtDays = await daysOf(ROLLUP_RECORDS_TABLE);
    const newDays = [...(await daysOf("event_day_stats"))].filter((day) => !builtDays.has(day));
    const [full, patch] = [builds.full(), builds.patch()];
    expect(await refresh()).toBeGreaterThanOrEqual(2);
    expect(builds.patch() - patch).toBeGreaterThanOrEqual(2); // the late suggestion's day and the new user's pre-exposure day
    expect(builds.full() - full).toBe(newDays.length);
    expect(await all()).toEqual(changed);
    const patched = { rows: await builtRows(), histograms: await builtHistograms() };
    expect(patched.rows.some((r) => r.user_id === newUser)).toBe(true);

    // The same days built from all of their events: the same rows, row for row.
    await ch.command({ query: `TRUNCATE TABLE ${ROLLUP_RECORDS_TABLE}` });
    expect(await refresh({ incremental: false })).toBeGreaterThan(0);
    expect({ rows: await builtRows(), histograms: await builtHistograms() }).toEqual(patched);

    // A covered user's exposure changed (an earlier one reported late; r-user-24 was first exposed on day 4): the builds that covered the user
    // no longer hold for everybody else, and their days are built in full, not patched.
    await send([event("r-user-24", start + 3 * DAY, { type: "exposure", experimentKey, variantKey: truth.get("r-user-24")!.variant })]);
    const moved = await all();
    const fullBefore = builds.full();
    expect(await refresh()).toBeGreaterThan(0);
    expect(builds.full() - fullBefore).toBeGreaterThan(0);
    expect(await all()).toEqual(moved);
  }, 120_000);

  it("keeps the build a request planned with for ten minutes after a newer one replaces it, however old that build is", async () => {
    const { database } = await import("@/lib/runtime/database");
    const { refreshRollups } = await import("@/lib/results/rollup");
    const { planSource, userDayRows: table } = await import("@/lib/results/queries");
    const { userDayRowAt } = await import("@/lib/metrics/userDayTable");
    // the rows in a fixed order (a query answers them in any)
    const userDayRows = async (...args: Parameters<typeof table>) => {
      const rows = await table(...args);
      return Array.from({ length: rows.length }, (_, r) => JSON.stringify(userDayRowAt(rows, r))).sort();
    };
    const client = await database();
    const rowsOfBuild = (buildId: string) =>
      engineCount("SELECT count() AS n FROM experiment_user_daily WHERE build_id = {b:UInt64}", { b: buildId });
    await refreshRollups(client); // every day built
    const window = await rollupWindow();
    // A request plans with today's builds...
    const planned = await planSource(window);
    const read = await userDayRows(window, planned);
    const changedDay = new Date(start + 2 * DAY).toISOString().slice(0, 10);
    const replaced = planned.freshDays.find((f) => f.day === changedDay)!.buildId;
    // ...a late suggestion changes one day, and a pass over ten minutes later replaces that day's build...
    const ingest = await import("@/app/api/v1/events/route");
    const at = Date.parse(`${changedDay}T09:00:00.000Z`); // within that day whatever the time of the run
    const late = { userId: "r-user-5", modelVersion: "r-base", language: "python", ide: "vscode", suggestionId: "kept-build" };
    const sent = await call(ingest.POST, "POST", "/x", {
      key: INGEST_KEY,
      body: {
        events: [
          { ...late, eventId: randomUUID(), type: "shown", timestamp: new Date(at).toISOString(), completionChars: 30, latencyMs: 500 },
          { ...late, eventId: randomUUID(), type: "accepted", timestamp: new Date(at + 1000).toISOString(), acceptedChars: 30 },
        ],
      },
    });
    expect(sent.body).toMatchObject({ accepted: 2, rejected: [] });
    await flushIngestion();
    expect(await later(11, () => refreshRollups(client))).toBeGreaterThanOrEqual(1);
    expect((await planSource(window)).freshDays.find((f) => f.day === changedDay)!.buildId).not.toBe(replaced);
    // A build interrupted before it was recorded (a crash in the middle of it), made just after the planned
    // one, leaves rows that no record names; background merges may come at any time (forced here). Neither
    // may make the next pass take the interrupted build for the day's latest and delete the planned one.
    const { runStatement } = await import("@/lib/clickhouse");
    const interrupted = "4242424242";
    await runStatement({
      tag: "test.interruptedBuild",
      // (the subquery: an alias build_id would stand for the column in a WHERE beside it)
      sql: `INSERT INTO experiment_user_daily SELECT * REPLACE ({interrupted:UInt64} AS build_id, built_at + toIntervalSecond(1) AS built_at)
            FROM (SELECT * FROM experiment_user_daily WHERE build_id = {replaced:UInt64})`,
      params: { interrupted, replaced },
    });
    await runStatement({ tag: "test.mergeRecords", sql: `OPTIMIZE TABLE ${ROLLUP_RECORDS_TABLE} FINAL` });
    await later(11, () => refreshRollups(client));
    // ...while the request still reads what it planned: the replaced build is all there.
    expect(await userDayRows(window, planned)).toEqual(read);
    expect(await rowsOfBuild(replaced)).toBeGreaterThan(0);
    // The interrupted build was never anyone's: it goes with the first pass.
    expect(await rowsOfBuild(interrupted)).toBe(0);
    // Ten minutes after it was replaced, it goes, and its record with it: one record is left for the day.
    await later(22, () => refreshRollups(client));
    expect(await rowsOfBuild(replaced)).toBe(0);
    const records = `SELECT count() AS n FROM ${ROLLUP_RECORDS_TABLE} WHERE experiment_key = {e:String} AND day = {d:Date}`;
    expect(await engineCount(records, { e: experimentKey, d: changedDay })).toBe(1);
  }, 120_000);

  it("takes migration 0012 again (two processes starting together) without losing a build's records or rows", async () => {
    const { readMigrations, splitStatements } = await import("@/lib/clickhouse/migrate");
    const { runStatement } = await import("@/lib/clickhouse");
    const { database } = await import("@/lib/runtime/database");
    const { refreshRollups } = await import("@/lib/results/rollup");
    await refreshRollups(await database()); // every day built
    const stored = async () => ({
      records: await engineCount(`SELECT count() AS n FROM ${ROLLUP_RECORDS_TABLE}`),
      rows: await engineCount("SELECT count() AS n FROM experiment_user_daily"),
      histograms: await engineCount("SELECT count() AS n FROM experiment_variant_latency_daily"),
    });
    const before = await stored();
    expect(before.records).toBeGreaterThan(0);
    expect(before.rows).toBeGreaterThan(0);
    const migration = readMigrations().find((m) => m.version === 12)!;
    for (const sql of splitStatements(migration.sql)) await runStatement({ tag: "test.migration0012", sql });
    expect(await stored()).toEqual(before);
    expect(await engineCount("SELECT count() AS n FROM system.tables WHERE name = 'experiment_rollup_days'")).toBe(0);
  });

  it("reads raw events into the rows a build writes: a user's series holds each day once per segment values, not each suggestion", async () => {
    const { database } = await import("@/lib/runtime/database");
    const { clickhouse } = await import("@/lib/clickhouse");
    const { refreshRollups } = await import("@/lib/results/rollup");
    const { planSource, userDayRows } = await import("@/lib/results/queries");
    const { sumsFor } = await import("@/lib/metrics/values");
    const { METRICS } = await import("@/lib/metrics/registry");
    const window = await rollupWindow();
    // Per user, the series' entries as "day numerator/denominator", sorted (a row's entries come in no order).
    const seriesByUser = async () => {
      const plan = await planSource(window);
      const table = await userDayRows(window, plan, sumsFor(["acceptance_rate"]), METRICS.acceptance_rate);
      const series = table.series!;
      const byUser = new Map<string, string[]>();
      for (let row = 0; row < table.length; row++) {
        const entries = byUser.get(table.userIds[table.user[row]]) ?? [];
        for (let i = series.days.start[row]; i < series.days.start[row + 1]; i++) {
          entries.push(`${series.days.values[i]} ${series.x.values[i]}/${series.y.values[i]}`);
        }
        byUser.set(table.userIds[table.user[row]], entries.sort());
      }
      const eventDays = await engineRows<{ day: string }>(
        "SELECT DISTINCT toString(day) AS day FROM event_day_stats WHERE project_id = {p:String}",
        { p: window.projectId },
      );
      return { byUser, rawDays: eventDays.filter(({ day }) => plan.rawDays.includes(day)).length };
    };
    const ch = await clickhouse();
    for (const table of ["experiment_user_daily", ROLLUP_RECORDS_TABLE]) await ch.command({ query: `TRUNCATE TABLE ${table}` });
    const raw = await seriesByUser();
    expect(raw.rawDays).toBeGreaterThan(0);
    await refreshRollups(await database());
    const built = await seriesByUser();
    expect(built.rawDays).toBe(0);
    expect(raw.byUser).toEqual(built.byUser);
    // A user who accepted several suggestions on a day still has that day once (each seeded user has one
    // language, IDE and group; the users the tests above sent more events for are left out).
    const touched = new Set(["r-user-3", "r-user-5", "r-user-7", "r-user-12", "r-user-24"]);
    const accepting = [...truth.entries()].filter(([user, t]) => t.accepted > 1 && !touched.has(user)).map(([user]) => user);
    expect(accepting.length).toBeGreaterThan(0);
    for (const user of accepting) {
      const days = raw.byUser.get(user)!.map((entry) => entry.split(" ")[0]);
      expect(new Set(days).size, user).toBe(days.length);
    }
  });
});

describe("scorecard (every metric at once)", () => {
  const window = () => ({ from: new Date(start - DAY).toISOString(), to: new Date().toISOString() });

  async function scorecard(query: Record<string, string> = {}) {
    const { GET } = await import("@/app/api/v1/experiments/[key]/scorecard/route");
    const response = await call(GET, "GET", "/x", { key: ADMIN_KEY, params: { key: experimentKey }, query: { ...window(), ...query } });
    expect(response.status).toBe(200);
    return response.body;
  }

  /** The view the experiment page opens on (no parameters): the one kept computed in the background. */
  async function defaultScorecard(query: Record<string, string> = {}) {
    const { GET } = await import("@/app/api/v1/experiments/[key]/scorecard/route");
    const response = await call(GET, "GET", "/x", { key: ADMIN_KEY, params: { key: experimentKey }, query });
    expect(response.status).toBe(200);
    return response.body;
  }

  const excludesZero = (ci: [number, number]) => ci[0] > 0 || ci[1] < 0;

  it("lists the primary metric first, then the secondary ones, then the guardrails, with decision support", async () => {
    const body = await scorecard();
    expect(body.primaryMetric).toBe("acceptance_rate");
    expect(body.metrics[0]).toMatchObject({ metric: "acceptance_rate", role: "primary" });
    expect(body.metrics.slice(-2).map((m: any) => [m.metric, m.role])).toEqual([
      ["show_rate", "guardrail"],
      ["latency_p95", "guardrail"],
    ]);
    expect(body.metrics.filter((m: any) => m.role === "secondary").length).toBe(body.metrics.length - 3);
    expect(new Set(body.metrics.map((m: any) => m.metric)).size).toBe(body.metrics.length);
    const primary = body.metrics[0];
    const exposed = body.srm.observed.reduce((s: number, n: number) => s + n, 0);
    expect(exposed).toBeGreaterThanOrEqual(240);
    expect(primary.usersSoFar).toBe(exposed);
    expect(primary.mde).toBeGreaterThan(0);
    // users needed = users so far × (MDE / target)², rounded up
    expect(primary.usersNeeded).toBe(Math.ceil(exposed * (primary.mde / body.targetEffect) ** 2));
    expect(body.targetEffect).toBe(0.02);
    expect(Date.now() - Date.parse(body.computedAt)).toBeLessThan(60_000);
    for (const m of body.metrics.filter((x: any) => x.role === "guardrail")) expect(m.guardrail).toHaveLength(1);
  });

  for (const query of [
    {},
    { method: "sequential" },
    { method: "bayesian" },
    { cuped: "true" },
    { cuped: "true", method: "bayesian", correction: "holm" },
    { correction: "benjamini_hochberg", segment: "language" },
  ] as Record<string, string>[]) {
    it(`equals the single-metric results answer for every metric (${JSON.stringify(query)})`, async () => {
      const card = await scorecard(query);
      expect(card.metrics.length).toBeGreaterThanOrEqual(8);
      for (const row of card.metrics) {
        const single = await results({ ...query, metric: row.metric });
        expect(row.variants).toEqual(single.variants);
        expect(row.label).toBe(single.metricLabel);
        expect(row.unit).toBe(single.unit);
        if (row.guardrail) expect(row.guardrail).toEqual(single.guardrails.filter((g: any) => g.metric === row.metric));
        if (query.segment) {
          expect(row.segments).toEqual(single.segments);
          expect(row.heterogeneity).toEqual(single.heterogeneity);
        }
        expect(card.srm).toEqual(single.srm);
      }
    });
  }

  it("shows with every interval the p-value that belongs to it: p < α exactly when the interval excludes 0", async () => {
    let checked = 0;
    let significant = 0;
    for (const alpha of ["0.05", "0.4"]) {
      for (const method of ["frequentist", "sequential"]) {
        for (const cuped of ["false", "true"]) {
          const card = await scorecard({ alpha, method, cuped, segment: "language" });
          for (const row of card.metrics) {
            const treatments = [...row.variants.slice(1), ...(row.segments ?? []).flatMap((s: any) => s.variants.slice(1))];
            for (const v of treatments) {
              if (!v.lift) continue;
              expect(v.pValue < Number(alpha)).toBe(excludesZero(v.lift.ciRelative));
              expect(v.lift.pValueAbsolute < Number(alpha)).toBe(excludesZero(v.lift.ciAbsolute));
              checked++;
              if (v.pValue < Number(alpha)) significant++;
            }
          }
        }
      }
    }
    // both sides of the equivalence were exercised
    expect(checked).toBeGreaterThan(50);
    expect(significant).toBeGreaterThan(0);
    expect(significant).toBeLessThan(checked);
  });

  it("under Bayesian, calls a row significant exactly when the credible interval excludes 0", async () => {
    const card = await scorecard({ method: "bayesian", alpha: "0.4" });
    for (const row of card.metrics)
      for (const v of row.variants.slice(1)) if (v.lift) expect(v.significant).toBe(excludesZero(v.lift.ciRelative));
  });

  it("with CUPED shows the adjusted value: adjusted treatment − control is the adjusted lift, the raw value kept", async () => {
    const plain = await scorecard();
    const cuped = await scorecard({ cuped: "true" });
    const [control, treatment] = cuped.metrics[0].variants;
    expect(treatment.cupedVarianceReduction).toBeGreaterThan(0);
    expect(treatment.rate - control.rate).toBeCloseTo(treatment.lift.absolute, 12);
    expect(treatment.rate / control.rate - 1).toBeCloseTo(treatment.lift.relative, 12);
    expect(treatment.unadjustedRate).toBe(plain.metrics[0].variants[1].rate);
    expect(control.rate).toBe(plain.metrics[0].variants[0].rate);
    expect(treatment.ci[0]).toBeLessThan(treatment.rate);
  });

  it("splits a segment into cohorts with intervals, Holm-adjusted p-values and a heterogeneity test", async () => {
    const body = await results({ segment: "language" });
    expect(body.segmentsNote).toBeNull();
    const treatments = body.segments.map((s: any) => s.variants[1]).filter((v: any) => v.pValue !== null);
    expect(treatments.length).toBe(3);
    for (const s of body.segments) for (const v of s.variants) expect(v.ci[0]).toBeLessThanOrEqual(v.rate);
    const sorted = [...treatments].sort((a: any, b: any) => a.pValue - b.pValue);
    // Holm: the smallest p-value is multiplied by the number of cohorts
    expect(sorted[0].adjustedPValue).toBeCloseTo(Math.min(1, 3 * sorted[0].pValue), 12);
    for (const v of treatments) expect(v.adjustedPValue).toBeGreaterThanOrEqual(v.pValue);
    const [heterogeneity] = body.heterogeneity;
    expect(heterogeneity).toMatchObject({ variant: "treatment", cohorts: 3, df: 2 });
    expect(heterogeneity.q).toBeGreaterThanOrEqual(0);
    expect(heterogeneity.pValue).toBeGreaterThan(0);
    expect(heterogeneity.pValue).toBeLessThanOrEqual(1);
    const latency = await results({ segment: "language", metric: "latency_p95" });
    expect(latency.segments).toEqual([]);
    expect(latency.segmentsNote).toMatch(/quantile/);
  });

  it("exports CSV with one line per metric and variant, numbers as in the JSON", async () => {
    const json = await scorecard();
    const { GET } = await import("@/app/api/v1/experiments/[key]/scorecard/route");
    const url = new URL("http://localhost/x");
    for (const [k, v] of Object.entries({ ...window(), format: "csv" })) url.searchParams.set(k, v);
    const response = await GET(new Request(url, { headers: { authorization: `Bearer ${ADMIN_KEY}` } }), {
      params: Promise.resolve({ key: experimentKey }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toMatch(/attachment; filename="echo-scorecard-results-exp-/);
    const lines = (await response.text()).trimEnd().split("\r\n");
    const header = lines[0].split(",");
    expect(header.slice(0, 4)).toEqual(["metric", "role", "unit", "variant"]);
    expect(lines.length - 1).toBe(json.metrics.length * 2);
    const treatment = lines[2].split(",");
    const cellOf = (name: string) => treatment[header.indexOf(name)];
    expect(cellOf("metric")).toBe("acceptance_rate");
    expect(cellOf("variant")).toBe("treatment");
    expect(Number(cellOf("relative_change"))).toBe(json.metrics[0].variants[1].lift.relative);
    expect(Number(cellOf("p_value"))).toBe(json.metrics[0].variants[1].pValue);
    expect(Number(cellOf("users_needed"))).toBe(json.metrics[0].usersNeeded);
  });

  it("answers a repeated query from its computation of the last 30 s, computes again on refresh, and follows experiment changes", async () => {
    const fixed = { from: new Date(start - DAY).toISOString(), to: new Date().toISOString() };
    const first = await scorecard(fixed);
    await new Promise((r) => setTimeout(r, 5));
    expect((await scorecard(fixed)).computedAt).toBe(first.computedAt);
    const refreshed = await scorecard({ ...fixed, refresh: "true" });
    expect(Date.parse(refreshed.computedAt)).toBeGreaterThan(Date.parse(first.computedAt));
    expect(refreshed.metrics).toEqual(first.metrics);
    // a changed experiment is a new computation: here its target effect, and so the users needed
    const { PATCH } = await import("@/app/api/v1/experiments/[key]/route");
    const patched = await call(PATCH, "PATCH", "/x", { key: ADMIN_KEY, params: { key: experimentKey }, body: { targetEffect: 0.1 } });
    expect(patched.status).toBe(200);
    expect(patched.body.targetEffect).toBe(0.1);
    const after = await scorecard(fixed);
    expect(after.targetEffect).toBe(0.1);
    expect(after.metrics[0].usersNeeded).toBe(Math.ceil(after.metrics[0].usersSoFar * (after.metrics[0].mde / 0.1) ** 2));
    await call(PATCH, "PATCH", "/x", { key: ADMIN_KEY, params: { key: experimentKey }, body: { targetEffect: null } });
    expect((await scorecard(fixed)).targetEffect).toBe(0.02);
  });

  /** Stores an event of a user in no experiment: the project has a new event, no result changes. */
  async function storeBystanderEvent(at = Date.now()) {
    const ingest = await import("@/app/api/v1/events/route");
    const event = { eventId: randomUUID(), userId: "upkeep-bystander", timestamp: new Date(at).toISOString(), language: "go" };
    const body = { events: [{ ...event, modelVersion: "r-base", ide: "vscode", type: "typed", humanChars: 10 }] };
    expect((await call(ingest.POST, "POST", "/x", { key: INGEST_KEY, body })).body.rejected).toEqual([]);
    await flushIngestion();
  }

  async function keepScorecardsComputed() {
    const service = await import("@/lib/results/service");
    const { database } = await import("@/lib/runtime/database");
    return service.keepScorecardsComputed(await database(), 60_000);
  }

  it("keeps a running experiment's default view computed in the background, and a visit answers from it without waiting", async () => {
    const before = Date.now();
    expect((await keepScorecardsComputed()).computed).toBeGreaterThanOrEqual(1);
    const afterPass = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    const kept = await defaultScorecard();
    expect(Date.parse(kept.computedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(kept.computedAt)).toBeLessThanOrEqual(afterPass); // computed by the pass, not by the visit
    const refreshed = await defaultScorecard({ refresh: "true" });
    expect(refreshed.metrics).toEqual(kept.metrics);
    // While the next turn computes (a new event arrived), visits still get the kept answer; then the new one replaces it.
    await storeBystanderEvent();
    const turn = keepScorecardsComputed();
    const duringTurn = await defaultScorecard();
    expect(duringTurn.computedAt).toBe(refreshed.computedAt);
    expect((await turn).computed).toBe(1);
    const afterTurn = await defaultScorecard();
    expect(Date.parse(afterTurn.computedAt)).toBeGreaterThan(Date.parse(duringTurn.computedAt));
    // Only the default view is kept: another window is computed for its visit.
    const other = await scorecard({ from: new Date(start - 2 * DAY).toISOString() });
    expect(Date.parse(other.computedAt)).toBeGreaterThan(Date.parse(afterTurn.computedAt));
  });

  it("computes a kept scorecard again only once events arrived or a stored one may enter its window; computedAt stays when it ran", async () => {
    await storeBystanderEvent();
    expect(await keepScorecardsComputed()).toEqual({ computed: 1, unchanged: 0, failed: [] });
    const kept = await defaultScorecard();
    // Nothing new: the same answer would come out, so the kept one stays, saying when it was computed.
    expect(await keepScorecardsComputed()).toEqual({ computed: 0, unchanged: 1, failed: [] });
    expect(await defaultScorecard()).toEqual(kept);
    await storeBystanderEvent();
    expect(await keepScorecardsComputed()).toEqual({ computed: 1, unchanged: 0, failed: [] });
    const recomputed = await defaultScorecard();
    expect(Date.parse(recomputed.computedAt)).toBeGreaterThan(Date.parse(kept.computedAt));
    // An assignment exposes a user without any event: the exposed users change, so the answer does.
    expect(await keepScorecardsComputed()).toEqual({ computed: 0, unchanged: 1, failed: [] });
    const { POST: assign } = await import("@/app/api/v1/assign/route");
    const assigned = await call(assign, "POST", "/api/v1/assign", { key: INGEST_KEY, body: { userId: `upkeep-new-${randomUUID()}` } });
    expect(assigned.status).toBe(200);
    await flushIngestion();
    expect(await keepScorecardsComputed()).toEqual({ computed: 1, unchanged: 0, failed: [] });
    expect((await defaultScorecard()).metrics[0].usersSoFar).toBe(recomputed.metrics[0].usersSoFar + 1);
    // An event stamped after the window's end (a client clock ahead; up to a day is accepted) enters the
    // window as time passes: each turn computes again until the window covers it.
    await storeBystanderEvent(Date.now() + 10 * 60_000);
    expect(await keepScorecardsComputed()).toEqual({ computed: 1, unchanged: 0, failed: [] });
    expect(await keepScorecardsComputed()).toEqual({ computed: 1, unchanged: 0, failed: [] });
  });

  it("keeps the other experiments' scorecards computed when one experiment's computation fails, and names that one once", async () => {
    const { database } = await import("@/lib/runtime/database");
    const client = await database();
    const experiments = await import("@/app/api/v1/experiments/route");
    const control = { key: "control", modelVersion: "r-base", weight: 0.5 };
    const body = {
      key: "upkeep-stopped-before-start",
      name: "Stopped before it started",
      variants: [control, { key: "treatment", modelVersion: "r-new", weight: 0.5 }],
    };
    expect((await call(experiments.POST, "POST", "/x", { key: ADMIN_KEY, body })).status).toBe(201);
    const { POST: startRoute } = await import("@/app/api/v1/experiments/[key]/start/route");
    expect((await call(startRoute, "POST", "/x", { key: ADMIN_KEY, params: { key: body.key } })).status).toBe(200);
    // A record whose stop precedes its start (a clock that jumped back): its default window (since it
    // started, until it stopped) ends before it begins, so its computation throws. It started first (long
    // ago), so the pass, which goes through running experiments by start, meets it before results-exp.
    const projectId = (await client.experiment.findFirstOrThrow({ where: { key: body.key } })).projectId;
    await client.experiment.update({
      where: { projectId_key: { projectId, key: body.key } },
      data: { startedAt: new Date(Date.now() - 800 * DAY), stoppedAt: new Date(Date.now() - 801 * DAY) },
    });
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      await storeBystanderEvent();
      const before = Date.now();
      expect(await keepScorecardsComputed()).toEqual({ computed: 1, unchanged: 0, failed: [body.key] });
      const afterPass = Date.now();
      await new Promise((r) => setTimeout(r, 5));
      const kept = await defaultScorecard();
      expect(Date.parse(kept.computedAt)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(kept.computedAt)).toBeLessThanOrEqual(afterPass); // computed by the pass, not by the visit
      expect((await keepScorecardsComputed()).failed).toEqual([body.key]);
      const named = errors.mock.calls.filter((args) => args.join(" ").includes(body.key));
      expect(named).toHaveLength(1);
      expect(named[0].join(" ")).toContain("must be after from");
    } finally {
      errors.mockRestore();
      const { POST: stopRoute } = await import("@/app/api/v1/experiments/[key]/stop/route");
      expect((await call(stopRoute, "POST", "/x", { key: ADMIN_KEY, params: { key: body.key } })).status).toBe(200);
    }
  });

  it("names bad query parameters, and refuses metric (the scorecard has them all)", async () => {
    const { GET } = await import("@/app/api/v1/experiments/[key]/scorecard/route");
    const bad = await call(GET, "GET", "/x", {
      key: ADMIN_KEY,
      params: { key: experimentKey },
      query: { metric: "acceptance_rate", format: "xml" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.path).sort()).toEqual(["query", "query.format"]);
  });
});
