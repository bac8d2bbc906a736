import { TupleParam } from "@clickhouse/client";
import { clickhouse } from "../clickhouse";
import { tsvUnescape } from "../clickhouse/tsv";
import { DAY_MS, isoDay } from "../time";

// The results queries of one experiment phase. Every query is parameterized ({name:Type}) and reads
// events with FINAL, so a duplicated event_id is counted once even before ClickHouse merged it away.
//
// Unit of analysis: the user. Exposed users are those in the exposures table for the phase who were
// seen in exactly one variant (users seen in several are reported as multiple exposures and left out).
// Only events at or after a user's first exposure count ('post'); events of the CUPED lookback (the
// lookbackDays whole UTC days before the exposure day, and the exposure day up to the exposure) are
// returned separately as the pre-exposure period ('pre').
//
// A suggestion is the events of one user with one suggestionId on one UTC day (and one period): its
// refined event replaces the accepted characters when both fall in the same day, which refinement
// windows of minutes make the rule.
//
// Source of the per-user daily sums: the experiment rollup (migration 0003, lib/results/rollup.ts) for
// every (day, user) it validly covers, and raw events for everything else; see `sourceCtes`.

export const SEGMENT_COLUMNS = { language: "language", ide: "ide", userGroup: "user_group" } as const;
export type Segment = keyof typeof SEGMENT_COLUMNS;

/** Per-user, per-day sums that every metric is derived from (lib/results/metrics.ts). */
export interface UserDayRow {
  variant: string;
  userId: string;
  /** The user's dense index within one answer (0, 1, 2, …): lets per-user state live in arrays. */
  user: number;
  /** Day of the events (UTC), or "pre" for the CUPED lookback before the user's first exposure. */
  day: string;
  segment: string;
  requested: number;
  shown: number;
  accepted: number;
  /** AI-written characters kept: retainedChars once a refined event exists for the suggestion, else acceptedChars. */
  aiChars: number;
  humanChars: number;
  /** Over suggestions with a refined event: characters retained, and characters accepted. */
  retainedChars: number;
  refinedAcceptedChars: number;
}

export interface ResultsWindow {
  projectId: string;
  experimentKey: string;
  phase: number;
  from: string; // ClickHouse DateTime64 text, UTC
  to: string;
  lookbackDays: number;
  segment?: Segment;
}

const WINDOW_FROM = "{from:DateTime64(3, 'UTC')}";
const WINDOW_TO = "{to:DateTime64(3, 'UTC')}";
const LOOKBACK = "toIntervalDay({lookbackDays:UInt16})";
/** The rows of one experiment phase (tables keyed by project, experiment and phase). */
export const PHASE = "project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16}";

/** Exposed users of the phase (one variant only), with their first exposure; `bounded` limits them to those exposed before the window's end. */
export function exposedUsersSql(bounded: boolean) {
  return `
  SELECT user_id, any(variant_key) AS variant, min(first_exposed_at) AS first_at
  FROM exposures
  WHERE ${PHASE}
  GROUP BY user_id
  HAVING uniqExact(variant_key) = 1${bounded ? ` AND min(first_exposed_at) < ${WINDOW_TO}` : ""}`;
}

/**
 * Per-suggestion sums over `events AS e` joined to `exposed AS x`: grouped by the given keys plus the
 * suggestion (typed events have none: each is its own group, keyed by event_id).
 */
export function suggestionSumsSql(keys: string, where: string) {
  return `
    SELECT ${keys},
      countIf(e.type = 'requested') AS requested,
      countIf(e.type = 'shown') AS shown,
      countIf(e.type = 'accepted') AS accepted,
      countIf(e.type = 'accepted') > 0 AS was_accepted,
      countIf(e.type = 'refined' AND e.retained_chars IS NOT NULL) > 0 AS was_refined,
      maxIf(assumeNotNull(e.retained_chars), e.type = 'refined' AND e.retained_chars IS NOT NULL) AS refined_retained,
      maxIf(e.accepted_chars, e.type = 'accepted') AS accepted_chars,
      -- per suggestion: the refined event's retained characters replace the accepted ones
      if(was_accepted, if(was_refined, refined_retained, accepted_chars), 0) AS ai_chars,
      sumIf(e.human_chars, e.type = 'typed') AS human_chars,
      if(was_accepted AND was_refined, refined_retained, 0) AS retained_chars,
      if(was_accepted AND was_refined, accepted_chars, 0) AS refined_accepted_chars,
      groupArrayIf(e.latency_ms, e.type = 'shown') AS latencies
    FROM events AS e FINAL
    INNER JOIN exposed AS x ON e.user_id = x.user_id
    WHERE e.project_id = {projectId:String} AND e.type != 'exposure' AND ${where}
    GROUP BY ${keys.replace(/\s+AS\s+\w+/g, "")}, if(e.suggestion_id = '', toString(e.event_id), e.suggestion_id)`;
}

/** Sums of per-suggestion rows (or rollup rows) into one row per the given keys. */
export const SUM_COLUMNS = `sum(requested) AS requested, sum(shown) AS shown, sum(accepted) AS accepted, sum(ai_chars) AS ai_chars,
      sum(human_chars) AS human_chars, sum(retained_chars) AS retained_chars, sum(refined_accepted_chars) AS refined_accepted_chars`;

/** Pre-exposure days a rollup build keeps per user (the default CUPED lookback; longer ones read raw events). */
export const ROLLUP_LOOKBACK_DAYS = 14;

/** Per exposed user: the hash that rollup builds sum to detect changed exposures (see migration 0003). */
export const EXPOSURE_HASH = "cityHash64(user_id, variant, first_at)";

/** Exposed users of the phase (not bounded by a window) with the hash rollup builds sum. */
export const exposedWithHashSql = () => `SELECT user_id, variant, first_at, ${EXPOSURE_HASH} AS exposure_hash FROM (${exposedUsersSql(false)})`;

/** Whether exposed user `x` is one a build of `day` keeps rows for: exposed at most ROLLUP_LOOKBACK_DAYS days after it. */
export const relevantToBuild = (day: string) => `toDate(x.first_at) - ${ROLLUP_LOOKBACK_DAYS} <= ${day}`;

/** Whether exposed user `x` is among those the build `build` (day, max_first_at) covered. */
export const coveredBy = (build: string, maxFirstAt = `${build}.max_first_at`) => `(${relevantToBuild(`${build}.day`)} AND x.first_at <= ${maxFirstAt})`;

/** event_day_stats per day of a project, between two Date expressions. */
export const dayStatsSql = (fromDay: string, toDay: string) => `
  SELECT day, sum(inserted_rows) AS inserted_rows, max(max_ingested_at) AS max_ingested_at,
         min(min_timestamp) AS min_timestamp, max(max_timestamp) AS max_timestamp
  FROM event_day_stats
  WHERE project_id = {projectId:String} AND day BETWEEN ${fromDay} AND ${toDay}
  GROUP BY day`;

// (aliases differ from the columns: an alias named build_id would shadow the ordering column)
const latestBuild = (column: string) => `argMax(${column}, (built_at, build_id)) AS latest_${column}`;

/** The latest recorded rollup build of each day of the phase between two Date expressions (columns latest_*). */
export const latestBuildsSql = (fromDay: string, toDay: string) => `
  SELECT day, ${["build_id", "inserted_rows", "max_ingested_at", "max_first_at", "users", "users_checksum"].map(latestBuild).join(", ")}
  FROM experiment_rollup_days WHERE ${PHASE} AND day BETWEEN ${fromDay} AND ${toDay} GROUP BY day`;

/**
 * Where each part of a results window comes from, decided once per request:
 *   freshDays  days whose last rollup build saw exactly the events stored now (event_day_stats) and
 *              the exposures of the users it covered (count and checksum): the build's id, its
 *              max_first_at, and the day's first and last event time;
 *   rawDays    every other day of the window (with events or not yet): read from raw events.
 * Which users of a fresh day still need raw events is decided inside each query (`sourceCtes`),
 * against the exposures that query reads, so an exposure recorded meanwhile is never lost.
 */
export interface SourcePlan {
  freshDays: { day: string; buildId: string; maxFirstAt: string; minTimestamp: string; maxTimestamp: string }[];
  rawDays: string[];
}

export async function planSource(window: ResultsWindow): Promise<SourcePlan> {
  const client = await clickhouse();
  const [fromDay, toDay] = [`toDate(toStartOfDay(${WINDOW_FROM}) - ${LOOKBACK})`, `toDate(${WINDOW_TO})`];
  const result = await client.query({
    query: `
      WITH
      exposed_all AS (${exposedWithHashSql()}),
      stats AS (${dayStatsSql(fromDay, toDay)}),
      builds AS (${latestBuildsSql(fromDay, toDay)})
      SELECT toString(b.day), toString(b.latest_build_id), toString(b.latest_max_first_at), toString(s.min_timestamp), toString(s.max_timestamp)
      FROM builds AS b
      INNER JOIN stats AS s ON s.day = b.day
      INNER JOIN (
        SELECT b.day AS day, countIf(${coveredBy("b", "b.latest_max_first_at")}) AS users, sumIf(x.exposure_hash, ${coveredBy("b", "b.latest_max_first_at")}) AS users_checksum
        FROM builds AS b CROSS JOIN exposed_all AS x
        GROUP BY b.day) AS c ON c.day = b.day
      WHERE b.latest_inserted_rows = s.inserted_rows AND b.latest_max_ingested_at = s.max_ingested_at
        AND b.latest_users = c.users AND b.latest_users_checksum = c.users_checksum
      ORDER BY b.day`,
    query_params: { ...window },
    format: "JSONCompact",
  });
  const rows = (await result.json<[string, string, string, string, string]>()).data;
  const freshDays = rows.map(([day, buildId, maxFirstAt, minTimestamp, maxTimestamp]) => ({ day, buildId, maxFirstAt, minTimestamp, maxTimestamp }));
  // Every other day of the window is raw, including days without events yet (they may get some
  // before the queries run).
  const fresh = new Set(freshDays.map((f) => f.day));
  const rawDays: string[] = [];
  const last = Date.parse(`${window.to.slice(0, 10)}T00:00:00Z`);
  for (let at = Date.parse(`${window.from.slice(0, 10)}T00:00:00Z`) - window.lookbackDays * DAY_MS; at <= last; at += DAY_MS) {
    const day = isoDay(at);
    if (!fresh.has(day)) rawDays.push(day);
  }
  return { freshDays, rawDays };
}

/**
 * The CTEs that end in `source`: one row per (variant, user, period, day, segment values) of the
 * window, with every sum and the latencies of shown suggestions. On a fresh day, a user's rollup rows
 * (of the plan's build only) are used when the build covered the user with the exposure the user has
 * now, and the day's post-exposure rows are exactly the window's: empty (the day lies wholly outside
 * it) or whole (every post-exposure event of the user that day is inside it). Every other (day, user)
 * pair of a fresh day is listed in raw_pairs and read from raw events, as are raw days.
 */
export function sourceCtes(what: "sums" | "latencies" = "sums") {
  const lookbackStart = `toStartOfDay(${WINDOW_FROM}) - ${LOOKBACK}`;
  const rawPart = "(toDate(e.timestamp) IN {rawDays:Array(Date)} OR (toDate(e.timestamp), e.user_id) IN (SELECT day, user_id FROM raw_pairs))";
  const postEmpty = `(f.max_timestamp < ${WINDOW_FROM} OR f.min_timestamp >= ${WINDOW_TO})`;
  const postWhole = `((x.first_at >= ${WINDOW_FROM} OR f.min_timestamp >= ${WINDOW_FROM}) AND f.max_timestamp < ${WINDOW_TO})`;
  const usable = `(${coveredBy("f")} AND (f.day < toDate(x.first_at) OR ${postEmpty} OR ${postWhole}))`;
  const rawSums = `
    SELECT variant, user_id, period, day, language, ide, user_group, requested, shown, accepted, ai_chars, human_chars,
           retained_chars, refined_accepted_chars, latencies
    FROM (${suggestionSumsSql(
      "x.variant AS variant, e.user_id AS user_id, if(e.timestamp < x.first_at, 'pre', 'post') AS period, toDate(e.timestamp) AS day, e.language AS language, e.ide AS ide, e.user_group AS user_group",
      `e.timestamp >= ${lookbackStart} AND e.timestamp < ${WINDOW_TO} AND ${rawPart}
        AND (e.timestamp >= x.first_at OR e.timestamp >= toStartOfDay(x.first_at) - ${LOOKBACK})
        AND (e.timestamp < x.first_at OR e.timestamp >= ${WINDOW_FROM})`,
    )})`;
  // Latency needs only shown suggestions after exposure, with no per-suggestion grouping.
  const rawLatencies = `
    SELECT x.variant AS variant, e.user_id AS user_id, 'post' AS period, toDate(e.timestamp) AS day, e.language AS language, e.ide AS ide, e.user_group AS user_group,
           0 AS requested, 0 AS shown, 0 AS accepted, 0 AS ai_chars, 0 AS human_chars, 0 AS retained_chars, 0 AS refined_accepted_chars,
           groupArray(e.latency_ms) AS latencies
    FROM events AS e FINAL
    INNER JOIN exposed AS x ON e.user_id = x.user_id
    WHERE e.project_id = {projectId:String} AND e.type = 'shown' AND e.timestamp >= ${WINDOW_FROM} AND e.timestamp < ${WINDOW_TO}
      AND e.timestamp >= x.first_at AND ${rawPart}
    GROUP BY variant, user_id, day, language, ide, user_group`;
  return `
  exposed AS (${exposedUsersSql(true)}),
  fresh AS (
    SELECT t.1 AS day, t.2 AS build_id, t.3 AS max_first_at, t.4 AS min_timestamp, t.5 AS max_timestamp
    FROM (SELECT arrayJoin({freshDays:Array(Tuple(Date, UInt64, DateTime64(3, 'UTC'), DateTime64(3, 'UTC'), DateTime64(3, 'UTC')))}) AS t)),
  rollup AS (
    SELECT * FROM experiment_user_daily
    WHERE ${PHASE} AND (day, build_id) IN (SELECT day, build_id FROM fresh)),
  raw_pairs AS (
    -- users of a fresh day the rollup cannot answer for (see usable) …
    SELECT f.day AS day, x.user_id AS user_id
    FROM fresh AS f CROSS JOIN exposed AS x
    WHERE f.day >= toDate(toStartOfDay(x.first_at) - ${LOOKBACK}) AND NOT ${usable}
    UNION ALL
    -- … and those whose exposure changed since the build (their rows carry the old one)
    SELECT r.day, r.user_id FROM rollup AS r INNER JOIN exposed AS x ON r.user_id = x.user_id
    WHERE r.first_at != x.first_at OR r.variant_key != x.variant),
  source AS (
    SELECT r.variant_key AS variant, r.user_id AS user_id, toString(r.period) AS period, r.day AS day,
           r.language AS language, r.ide AS ide, r.user_group AS user_group,
           r.requested AS requested, r.shown AS shown, r.accepted AS accepted, r.ai_chars AS ai_chars, r.human_chars AS human_chars,
           r.retained_chars AS retained_chars, r.refined_accepted_chars AS refined_accepted_chars, r.latencies AS latencies
    FROM rollup AS r
    INNER JOIN exposed AS x ON r.user_id = x.user_id
    INNER JOIN fresh AS f ON f.day = r.day
    WHERE r.first_at = x.first_at AND r.variant_key = x.variant AND ${usable}
      AND ((r.period = 'post' AND NOT ${postEmpty}) OR (r.period = 'pre' AND r.day >= toDate(toStartOfDay(x.first_at) - ${LOOKBACK})))
    UNION ALL
    ${what === "sums" ? rawSums : rawLatencies})`;
}

const planParams = (plan: SourcePlan) => ({
  freshDays: plan.freshDays.map((f) => new TupleParam([f.day, BigInt(f.buildId), f.maxFirstAt, f.minTimestamp, f.maxTimestamp])),
  rawDays: plan.rawDays,
});

/**
 * One row per (variant, user, day[, segment]) with every metric's numerator and denominator parts;
 * day is "pre" for the CUPED lookback.
 */
export async function userDayRows(window: ResultsWindow, plan?: SourcePlan): Promise<UserDayRow[]> {
  const client = await clickhouse();
  plan ??= await planSource(window);
  const segmentExpr = window.segment ? SEGMENT_COLUMNS[window.segment] : "''";
  const query = `
    WITH ${sourceCtes()}
    SELECT variant, user_id AS userId, if(period = 'pre', 'pre', toString(day)) AS day, ${segmentExpr} AS segment,
      sum(requested) AS requested, sum(shown) AS shown, sum(accepted) AS accepted,
      sum(ai_chars) AS aiChars, sum(human_chars) AS humanChars,
      sum(retained_chars) AS retainedChars, sum(refined_accepted_chars) AS refinedAcceptedChars
    FROM source
    GROUP BY variant, userId, day, segment`;
  // Hundreds of thousands of rows: scanned straight from the TabSeparated text (see parseUserDayRows).
  const result = await client.query({ query, query_params: { ...window, ...planParams(plan) }, format: "TabSeparated" });
  return parseUserDayRows(await result.text());
}

/**
 * Rows of the userDayRows query from its TabSeparated answer: four string columns (variant, user, day,
 * segment) then seven unsigned integers. A hand-written scanner, because splitting every line and
 * field costs several times the query itself: numbers are read digit by digit, and the few distinct
 * variants, days and segments are shared rather than copied per row. User ids stay escaped (they
 * only group rows); the other strings are unescaped.
 */
export function parseUserDayRows(text: string): UserDayRow[] {
  const rows: UserDayRow[] = [];
  const interned = new Map<string, string>();
  const userIndex = new Map<string, number>();
  const intern = (raw: string) => interned.get(raw) ?? (interned.set(raw, tsvUnescape(raw)), interned.get(raw)!);
  const numbers = new Array<number>(7);
  let at = 0;
  while (at < text.length) {
    const strings: string[] = [];
    for (let field = 0; field < 4; field++) {
      const end = text.indexOf("\t", at);
      if (end < 0) throw new Error(`user-day rows: a row ends after ${field} of 11 fields at offset ${at}`);
      strings.push(text.slice(at, end));
      at = end + 1;
    }
    for (let field = 0; field < 7; field++) {
      const start = at;
      let value = 0;
      let code = text.charCodeAt(at);
      while (code >= 48 && code <= 57) {
        value = value * 10 + (code - 48);
        code = text.charCodeAt(++at);
      }
      // each number ends in a tab (the last in a newline): anything else is not this query's answer
      if (at === start || code !== (field === 6 ? 10 : 9)) throw new Error(`user-day rows: field ${field + 5} at offset ${start} is not an unsigned integer`);
      numbers[field] = value;
      at++;
    }
    let user = userIndex.get(strings[1]);
    if (user === undefined) userIndex.set(strings[1], (user = userIndex.size));
    rows.push({
      variant: intern(strings[0]),
      userId: strings[1],
      user,
      day: intern(strings[2]),
      segment: intern(strings[3]),
      requested: numbers[0],
      shown: numbers[1],
      accepted: numbers[2],
      aiChars: numbers[3],
      humanChars: numbers[4],
      retainedChars: numbers[5],
      refinedAcceptedChars: numbers[6],
    });
  }
  return rows;
}

/** Exposed users per variant (all of them, with or without events) and users seen in several variants. */
export async function exposureCounts(window: Pick<ResultsWindow, "projectId" | "experimentKey" | "phase" | "to">) {
  const client = await clickhouse();
  const result = await client.query({
    query: `SELECT if(length(variants) = 1, variants[1], '') AS variant, count() AS users
            FROM (SELECT user_id, groupUniqArray(variant_key) AS variants FROM exposures
                  WHERE ${PHASE}
                  GROUP BY user_id HAVING min(first_exposed_at) < ${WINDOW_TO})
            GROUP BY variant`,
    query_params: window,
    format: "JSONEachRow",
  });
  const rows = await result.json<{ variant: string; users: number }>();
  return new Map(rows.map((r) => [r.variant, Number(r.users)]));
}

export interface LatencyOrderStatistics {
  variant: string;
  n: number;
  /** 1-based ranks, in the variant's sorted latencies, of the quantile and of the ends of its interval. */
  ranks: { quantile: number; lower: number; upper: number };
  quantile: number;
  lowerValue: number;
  upperValue: number;
  /** Clustering summary around the quantile: per user X = suggestions at or below it, Y = suggestions. */
  clustering: { users: number; sumX: number; sumY: number; sumX2: number; sumY2: number; sumXY: number };
}

/**
 * Latencies of shown suggestions after exposure, per variant, in one pass: the p-quantile, the order
 * statistics that bracket it (ranks floor(np − z·√(np(1−p))) and ceil(np + z·√(np(1−p))), computed here
 * as lib/stats quantileConfidenceIndices does, clamped to 1…n; the caller checks them), and per user how
 * many suggestions are at or below the quantile (the clustering correction of estimateQuantileLift).
 * ClickHouse's quantileExact(p) is the order statistic at rank floor(p·n) + 1, the rank used here.
 */
export async function latencyOrderStatistics(window: ResultsWindow, plan: SourcePlan, variants: string[], p: number, z: number): Promise<LatencyOrderStatistics[]> {
  const client = await clickhouse();
  const result = await client.query({
    query: `
      WITH ${sourceCtes("latencies")}
      SELECT variant, n, users, ranks, sorted[ranks[1]] AS quantile, sorted[greatest(ranks[2], 1)] AS lowerValue, sorted[least(ranks[3], n)] AS upperValue,
             arrayMap(a -> arrayCount(l -> l <= quantile, a), per_user) AS xs, arrayMap(a -> length(a), per_user) AS ys,
             arraySum(xs) AS sumX, arraySum(ys) AS sumY, arraySum(arrayMap(v -> v * v, xs)) AS sumX2,
             arraySum(arrayMap(v -> v * v, ys)) AS sumY2, arraySum(arrayMap((a, b) -> a * b, xs, ys)) AS sumXY
      FROM (
        SELECT variant, groupArray(user_latencies) AS per_user, count() AS users, arraySum(arrayMap(a -> length(a), per_user)) AS n,
               arraySort(arrayFlatten(per_user)) AS sorted,
               [least(toInt64(n), toInt64(floor({p:Float64} * n)) + 1),
                toInt64(floor(n * {p:Float64} - {z:Float64} * sqrt(n * {p:Float64} * (1 - {p:Float64})))),
                toInt64(ceil(n * {p:Float64} + {z:Float64} * sqrt(n * {p:Float64} * (1 - {p:Float64}))))] AS ranks
        FROM (SELECT variant, user_id, arrayFlatten(groupArray(latencies)) AS user_latencies
              FROM source WHERE period = 'post' AND variant IN {variants:Array(String)} GROUP BY variant, user_id
              HAVING length(user_latencies) > 0)
        GROUP BY variant)`,
    query_params: { ...window, ...planParams(plan), variants, p, z },
    format: "JSONEachRow",
  });
  const rows = await result.json<Record<string, number | string | number[]>>();
  return rows.map((r) => {
    const ranks = (r.ranks as number[]).map(Number);
    return {
      variant: String(r.variant),
      n: Number(r.n),
      ranks: { quantile: ranks[0], lower: ranks[1], upper: ranks[2] },
      quantile: Number(r.quantile),
      lowerValue: Number(r.lowerValue),
      upperValue: Number(r.upperValue),
      clustering: { users: Number(r.users), sumX: Number(r.sumX), sumY: Number(r.sumY), sumX2: Number(r.sumX2), sumY2: Number(r.sumY2), sumXY: Number(r.sumXY) },
    };
  });
}

export interface ModelVersionDay {
  date: string;
  modelVersion: string;
  users: number;
  shown: number;
  accepted: number;
  aiChars: number;
  humanChars: number;
}

/** Acceptance and generation inputs per model version and day, over all traffic (in experiments or not). */
export async function modelVersionDaily(projectId: string, from: string, to: string): Promise<ModelVersionDay[]> {
  const client = await clickhouse();
  const result = await client.query({
    query: `SELECT toString(day) AS date, model_version AS modelVersion, uniqExact(user_id) AS users,
                   sum(shown) AS shown, sum(accepted) AS accepted, sum(ai_chars) AS aiChars, sum(human_chars) AS humanChars
            FROM (
              SELECT toDate(timestamp) AS day, model_version, user_id,
                     countIf(type = 'shown') AS shown, countIf(type = 'accepted') AS accepted,
                     if(countIf(type = 'accepted') > 0,
                        if(countIf(type = 'refined' AND retained_chars IS NOT NULL) > 0,
                           maxIf(assumeNotNull(retained_chars), type = 'refined' AND retained_chars IS NOT NULL),
                           maxIf(accepted_chars, type = 'accepted')), 0) AS ai_chars,
                     sumIf(human_chars, type = 'typed') AS human_chars
              FROM events FINAL
              WHERE project_id = {projectId:String} AND timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
                AND type IN ('shown', 'accepted', 'refined', 'typed')
              -- a suggestion is matched within a UTC day, as in experiment results
              GROUP BY day, model_version, user_id, if(suggestion_id = '', toString(event_id), suggestion_id))
            GROUP BY day, model_version
            ORDER BY day, model_version`,
    query_params: { projectId, from, to },
    format: "JSONEachRow",
  });
  return (await result.json<ModelVersionDay>()).map((r) => ({
    date: r.date,
    modelVersion: r.modelVersion,
    users: Number(r.users),
    shown: Number(r.shown),
    accepted: Number(r.accepted),
    aiChars: Number(r.aiChars),
    humanChars: Number(r.humanChars),
  }));
}
