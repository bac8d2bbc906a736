import { clickhouse } from "../clickhouse";

// The results queries of one experiment phase. Every query is parameterized ({name:Type}) and reads
// events with FINAL, so a duplicated event_id is counted once even before ClickHouse merged it away.
//
// Unit of analysis: the user. Exposed users are those in the exposures table for the phase who were
// seen in exactly one variant (users seen in several are reported as multiple exposures and left out).
// Only events at or after a user's first exposure count; events in the CUPED lookback before it are
// returned separately as the pre-exposure period.

export const SEGMENT_COLUMNS = { language: "language", ide: "ide", userGroup: "user_group" } as const;
export type Segment = keyof typeof SEGMENT_COLUMNS;

/** Per-user, per-day sums that every metric is derived from (lib/results/metrics.ts). */
export interface UserDayRow {
  variant: string;
  userId: string;
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

const exposedUsers = `
  SELECT user_id, any(variant_key) AS variant, min(first_exposed_at) AS first_at
  FROM exposures
  WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16}
  GROUP BY user_id
  HAVING uniqExact(variant_key) = 1 AND min(first_exposed_at) < {to:DateTime64(3, 'UTC')}`;

/**
 * One row per (variant, user, day[, segment]) with every metric's numerator and denominator parts.
 * Suggestion-level facts (was the accepted suggestion later refined?) are resolved per suggestion
 * first, then summed per user and day.
 */
export async function userDayRows(window: ResultsWindow): Promise<UserDayRow[]> {
  const client = await clickhouse();
  const segmentExpr = window.segment ? `e.${SEGMENT_COLUMNS[window.segment]}` : "''";
  const query = `
    WITH exposed AS (${exposedUsers})
    SELECT
      variant, user_id AS userId, day, segment,
      sum(requested) AS requested, sum(shown) AS shown, sum(accepted) AS accepted,
      sum(ai_chars) AS aiChars, sum(human_chars) AS humanChars,
      sum(retained) AS retainedChars, sum(refined_accepted) AS refinedAcceptedChars
    FROM (
      SELECT
        x.variant AS variant, e.user_id AS user_id,
        if(e.timestamp < x.first_at, 'pre', toString(toDate(min(e.timestamp)))) AS day,
        ${segmentExpr} AS segment,
        countIf(e.type = 'requested') AS requested,
        countIf(e.type = 'shown') AS shown,
        countIf(e.type = 'accepted') AS accepted,
        -- per suggestion: the refined event's retained characters replace the accepted ones
        if(countIf(e.type = 'accepted') > 0,
           if(countIf(e.type = 'refined' AND e.retained_chars IS NOT NULL) > 0,
              maxIf(assumeNotNull(e.retained_chars), e.type = 'refined' AND e.retained_chars IS NOT NULL),
              maxIf(e.accepted_chars, e.type = 'accepted')),
           0) AS ai_chars,
        sumIf(e.human_chars, e.type = 'typed') AS human_chars,
        if(countIf(e.type = 'accepted') > 0 AND countIf(e.type = 'refined' AND e.retained_chars IS NOT NULL) > 0,
           maxIf(assumeNotNull(e.retained_chars), e.type = 'refined' AND e.retained_chars IS NOT NULL), 0) AS retained,
        if(countIf(e.type = 'accepted') > 0 AND countIf(e.type = 'refined' AND e.retained_chars IS NOT NULL) > 0,
           maxIf(e.accepted_chars, e.type = 'accepted'), 0) AS refined_accepted
      FROM events AS e FINAL
      INNER JOIN exposed AS x ON e.user_id = x.user_id
      WHERE e.project_id = {projectId:String}
        AND e.timestamp >= {from:DateTime64(3, 'UTC')} - toIntervalDay({lookbackDays:UInt16})
        AND e.timestamp < {to:DateTime64(3, 'UTC')}
        AND e.type != 'exposure'
        AND (e.timestamp >= x.first_at OR e.timestamp >= x.first_at - toIntervalDay({lookbackDays:UInt16}))
        AND (e.timestamp < x.first_at OR e.timestamp >= {from:DateTime64(3, 'UTC')})
      -- typed events have no suggestion: each is its own group (keyed by event_id)
      GROUP BY variant, user_id, segment, e.timestamp < x.first_at,
               if(e.suggestion_id = '', toString(e.event_id), e.suggestion_id)
    )
    GROUP BY variant, userId, day, segment`;
  const result = await client.query({
    query,
    query_params: { ...window, lookbackDays: window.lookbackDays },
    format: "JSONEachRow",
  });
  return (await result.json<UserDayRow>()).map((r) => ({
    ...r,
    requested: Number(r.requested),
    shown: Number(r.shown),
    accepted: Number(r.accepted),
    aiChars: Number(r.aiChars),
    humanChars: Number(r.humanChars),
    retainedChars: Number(r.retainedChars),
    refinedAcceptedChars: Number(r.refinedAcceptedChars),
  }));
}

/** Exposed users per variant (all of them, with or without events) and users seen in several variants. */
export async function exposureCounts(window: Pick<ResultsWindow, "projectId" | "experimentKey" | "phase" | "to">) {
  const client = await clickhouse();
  const result = await client.query({
    query: `SELECT if(length(variants) = 1, variants[1], '') AS variant, count() AS users
            FROM (SELECT user_id, groupUniqArray(variant_key) AS variants FROM exposures
                  WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16}
                  GROUP BY user_id HAVING min(first_exposed_at) < {to:DateTime64(3, 'UTC')})
            GROUP BY variant`,
    query_params: window,
    format: "JSONEachRow",
  });
  const rows = await result.json<{ variant: string; users: number }>();
  return new Map(rows.map((r) => [r.variant, Number(r.users)]));
}

/** Latency of shown suggestions per variant: the p50/p95 and the values at the given ranks (for intervals). */
export async function latencyQuantiles(window: ResultsWindow, fractions: number[]) {
  const client = await clickhouse();
  const result = await client.query({
    query: `WITH exposed AS (${exposedUsers})
            SELECT x.variant AS variant, count() AS n, quantilesExact(${fractions.map((_, i) => `{f${i}:Float64}`).join(", ")})(e.latency_ms) AS values
            FROM events AS e FINAL INNER JOIN exposed AS x ON e.user_id = x.user_id
            WHERE e.project_id = {projectId:String} AND e.type = 'shown'
              AND e.timestamp >= {from:DateTime64(3, 'UTC')} AND e.timestamp < {to:DateTime64(3, 'UTC')} AND e.timestamp >= x.first_at
            GROUP BY variant`,
    query_params: { ...window, ...Object.fromEntries(fractions.map((f, i) => [`f${i}`, f])) },
    format: "JSONEachRow",
  });
  return (await result.json<{ variant: string; n: number; values: number[] }>()).map((r) => ({ variant: r.variant, n: Number(r.n), values: r.values.map(Number) }));
}

/**
 * Per variant, the clustering summary of latency events around that variant's quantile: per user,
 * X = suggestions at or below the threshold, Y = suggestions (sums over users, as a RatioSummary).
 */
export async function latencyClustering(window: ResultsWindow, thresholds: { variant: string; threshold: number }[]) {
  const client = await clickhouse();
  const result = await client.query({
    query: `WITH exposed AS (${exposedUsers})
            SELECT variant, count() AS users, sum(x) AS sumX, sum(y) AS sumY, sum(x * x) AS sumX2, sum(y * y) AS sumY2, sum(x * y) AS sumXY
            FROM (
              SELECT x.variant AS variant, e.user_id,
                     toFloat64(countIf(e.latency_ms <= {thresholds:Array(Float64)}[indexOf({variants:Array(String)}, x.variant)])) AS x,
                     toFloat64(count()) AS y
              FROM events AS e FINAL INNER JOIN exposed AS x ON e.user_id = x.user_id
              WHERE e.project_id = {projectId:String} AND e.type = 'shown'
                AND e.timestamp >= {from:DateTime64(3, 'UTC')} AND e.timestamp < {to:DateTime64(3, 'UTC')} AND e.timestamp >= x.first_at
              GROUP BY variant, e.user_id)
            GROUP BY variant`,
    query_params: { ...window, thresholds: thresholds.map((t) => t.threshold), variants: thresholds.map((t) => t.variant) },
    format: "JSONEachRow",
  });
  const rows = await result.json<{ variant: string; users: number; sumX: number; sumY: number; sumX2: number; sumY2: number; sumXY: number }>();
  return new Map(rows.map((r) => [r.variant, { users: Number(r.users), sumX: Number(r.sumX), sumY: Number(r.sumY), sumX2: Number(r.sumX2), sumY2: Number(r.sumY2), sumXY: Number(r.sumXY) }]));
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
              SELECT toDate(min(timestamp)) AS day, model_version, user_id,
                     countIf(type = 'shown') AS shown, countIf(type = 'accepted') AS accepted,
                     if(countIf(type = 'accepted') > 0,
                        if(countIf(type = 'refined' AND retained_chars IS NOT NULL) > 0,
                           maxIf(assumeNotNull(retained_chars), type = 'refined' AND retained_chars IS NOT NULL),
                           maxIf(accepted_chars, type = 'accepted')), 0) AS ai_chars,
                     sumIf(human_chars, type = 'typed') AS human_chars
              FROM events FINAL
              WHERE project_id = {projectId:String} AND timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
                AND type IN ('shown', 'accepted', 'refined', 'typed')
              GROUP BY model_version, user_id, if(suggestion_id = '', toString(event_id), suggestion_id))
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
