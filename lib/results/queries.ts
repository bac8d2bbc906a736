import { TupleParam } from "@clickhouse/client";
import { queryRows, queryTabSeparated } from "../clickhouse";
import { SUM_KEYS, type SumKey } from "../metrics/registry";
import type { UserDayTable } from "../metrics/userDayTable";
import { DAY_MS, isoDay, startOfUtcDay } from "../time";
import {
  eventsInputSql,
  exposuresInputSql,
  freshDaysSql,
  latencyQuantilesSql,
  userDayRowsSql,
  type LatencyHistograms,
  type Segment,
  type SeriesSums,
} from "./sql";
import { latencyQuantile, type BucketWindows, type LatencyQuantile } from "./latencyWindow";
import { parseUserDayRows } from "./userDayRows";

// The results reads of one experiment phase (their SQL is in lib/results/sql.ts).

export interface ResultsWindow {
  projectId: string;
  experimentKey: string;
  phase: number;
  from: string; // ClickHouse DateTime64 text, UTC
  to: string;
  lookbackDays: number;
  segment?: Segment;
}

/**
 * Where each part of a results window comes from, decided once per request:
 *   freshDays  days whose last rollup build saw the exposures of the users it covered (count and
 *              checksum) and exactly the events stored now (event_day_stats), or those plus a tail of
 *              rows inserted after the build (`tailAfter`, the build's mark: those rows' users are read
 *              raw that day): the build's id, its max_first_at, and the day's first and last event time;
 *   rawDays    every other day of the window (with events or not yet): read from raw events.
 *   asOf       the latest insert of the project's events when the plan was made: every raw read of the
 *              answer stops there, so its queries see the same events (an insert landing between the
 *              latency query and the sums query once left a p95 of no shown suggestions beside a
 *              complete acceptance rate); later events wait for the next answer.
 * Which users of a fresh day still need raw events is decided inside each query (`sourceCtes`),
 * against the exposures that query reads, so an exposure recorded meanwhile is never lost.
 */
export interface SourcePlan {
  freshDays: {
    day: string;
    buildId: string;
    maxFirstAt: string;
    minTimestamp: string;
    maxTimestamp: string;
    /** The users the build covered, and the checksum of their exposures (see migration 0003). */
    users: string;
    usersChecksum: string;
    tailAfter: string;
    /** The first bucket of the latency tails its rows keep (migration 0013; 0: whole histograms). */
    latencyTailFrom: number;
  }[];
  rawDays: string[];
  asOf: string;
}

export async function planSource(window: ResultsWindow): Promise<SourcePlan> {
  const [freshDays, asOf] = await Promise.all([
    queryRows({
      tag: "results.planSource",
      sql: freshDaysSql(),
      params: { ...window },
      columns: {
        day: "string",
        buildId: "string",
        maxFirstAt: "string",
        minTimestamp: "string",
        maxTimestamp: "string",
        users: "string",
        usersChecksum: "string",
        tailAfter: "string",
        latencyTailFrom: "number",
      },
    }),
    eventsAsOf(window.projectId),
  ]);
  // Every other day of the window is raw, including days without events yet (they may get some
  // before the queries run).
  const fresh = new Set(freshDays.map((f) => f.day));
  const rawDays: string[] = [];
  const last = startOfUtcDay(window.to);
  for (let at = startOfUtcDay(window.from) - window.lookbackDays * DAY_MS; at <= last; at += DAY_MS) {
    const day = isoDay(at);
    if (!fresh.has(day)) rawDays.push(day);
  }
  return { freshDays, rawDays, asOf };
}

/** The latest insert of a project's events (eventsInputSql's; ClickHouse DateTime64 text, the epoch when it has none). */
export async function eventsAsOf(projectId: string): Promise<string> {
  const [input] = await queryRows({
    tag: "results.eventsAsOf",
    sql: eventsInputSql(),
    params: { projectIds: [projectId] },
    columns: { lastIngestedAt: "string" },
  });
  return input?.lastIngestedAt ?? "1970-01-01 00:00:00.000";
}

export const planParams = (plan: SourcePlan) => ({
  freshDays: plan.freshDays.map(
    (f) =>
      new TupleParam([f.day, BigInt(f.buildId), f.maxFirstAt, f.minTimestamp, f.maxTimestamp, BigInt(f.users), BigInt(f.usersChecksum)]),
  ),
  rawDays: plan.rawDays,
  asOf: plan.asOf,
  tailDays: plan.freshDays.filter((f) => f.tailAfter !== "").map((f) => new TupleParam([f.day, f.tailAfter])),
});

/**
 * Whether the rollup's rows can give their latency tails for these windows (migration 0013): when every
 * fresh day's build starts its tails at or below every variant's window, which then lies wholly in them.
 */
export function latencyHistograms(plan: SourcePlan, windows: BucketWindows): LatencyHistograms {
  const lowest = Math.min(...windows.values());
  return plan.freshDays.every((f) => f.latencyTailFrom <= lowest) ? "tails" : "histograms";
}

/**
 * One row per (variant, user, period[, segment]) with the sums of `layout` (default every sum of the
 * metric registry); day is "post" for the window after exposure, "pre" for the CUPED lookback. With
 * `series`, each row carries the user's days after exposure for that metric's day-by-day series.
 */
export async function userDayRows(
  window: ResultsWindow,
  plan?: SourcePlan,
  layout: readonly SumKey[] = SUM_KEYS,
  series?: SeriesSums,
  latency?: BucketWindows,
): Promise<UserDayTable> {
  plan ??= await planSource(window);
  // Tens of thousands of rows: scanned straight from the TabSeparated text.
  const text = await queryTabSeparated({
    tag: window.segment ? "results.userDayRows.segment" : "results.userDayRows",
    sql: userDayRowsSql(window.segment, layout, series, latency && latencyHistograms(plan, latency)),
    params: {
      ...window,
      ...planParams(plan),
      ...(latency && { latencyVariants: [...latency.keys()], latencyLows: [...latency.values()] }),
    },
  });
  return parseUserDayRows(text, layout.length, series !== undefined, latency !== undefined);
}

/** The columns of a latency order-statistics row (per ramp arm in lib/releases). */
export const LATENCY_ORDER_STATISTICS_COLUMNS = {
  n: "number",
  users: "number",
  ranks: "numbers",
  quantile: "number",
  lowerValue: "number",
  upperValue: "number",
  sumX: "number",
  sumY: "number",
  sumX2: "number",
  sumY2: "number",
  sumXY: "number",
} as const;

/** The p-quantile of shown latencies per variant with its bracketing order statistics and its bucket (see the SQL). */
export async function latencyQuantiles(
  window: ResultsWindow,
  plan: SourcePlan,
  variants: string[],
  p: number,
  z: number,
): Promise<LatencyQuantile[]> {
  const rows = await queryRows({
    tag: "results.latency",
    sql: latencyQuantilesSql(),
    params: { ...window, ...planParams(plan), variants, p, z },
    columns: { variant: "string", n: "number", ranks: "numbers", rankBuckets: "numbers", rankFractions: "numbers" },
  });
  return rows.map((r) => {
    const [quantile, lower, upper] = r.rankBuckets.map((bucket, i) => ({ bucket, fraction: r.rankFractions[i] }));
    return latencyQuantile(r.variant, r.n, { quantile: r.ranks[0], lower: r.ranks[1], upper: r.ranks[2] }, quantile, lower, upper);
  });
}

/**
 * What a project's results are computed over, as far as telling whether anything changed since: its
 * events (eventsInputSql) and its exposures (exposuresInputSql).
 */
export interface EventsInput {
  insertedRows: number;
  lastIngestedAt: string;
  latestEventMs: number;
  exposureRows: number;
  lastFirstExposedAt: string;
}

export const NO_INPUT: EventsInput = { insertedRows: 0, lastIngestedAt: "", latestEventMs: 0, exposureRows: 0, lastFirstExposedAt: "" };

/** Each project's EventsInput (NO_INPUT's zeros where it has no events or no exposures). */
export async function eventsInputs(projectIds: string[]): Promise<Map<string, EventsInput>> {
  if (!projectIds.length) return new Map();
  const [events, exposures] = await Promise.all([
    queryRows({
      tag: "results.eventsInput",
      sql: eventsInputSql(),
      params: { projectIds },
      columns: { projectId: "string", insertedRows: "number", lastIngestedAt: "string", latestEventMs: "number" },
    }),
    queryRows({
      tag: "results.exposuresInput",
      sql: exposuresInputSql(),
      params: { projectIds },
      columns: { projectId: "string", exposureRows: "number", lastFirstExposedAt: "string" },
    }),
  ]);
  const inputs = new Map<string, EventsInput>();
  for (const { projectId, ...input } of events) inputs.set(projectId, { ...NO_INPUT, ...input });
  for (const { projectId, ...input } of exposures) inputs.set(projectId, { ...(inputs.get(projectId) ?? NO_INPUT), ...input });
  return inputs;
}
