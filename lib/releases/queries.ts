import { queryRows } from "../clickhouse";
import { suggestionSumsSql } from "../metrics/sql";
import { LATENCY_ORDER_STATISTICS_COLUMNS } from "../results/queries";
import { latencyHistogramSql, latencyQuantileSql } from "../results/sql";

// Live data of a ramp step (ClickHouse, through the one query helper): per version, the users outside
// experiments since the step began, with the per-user sums of acceptance and show rate and the p95
// latency's order statistics. A user seen on both versions in the window (a config change reaching a
// client mid-step) is left out, as results leave out users exposed to two variants.

export interface RampWindow {
  projectId: string;
  /** The promoted version and the production version. */
  arms: string[];
  from: string;
  to: string;
  /** The latest insert of the project's events when the step was evaluated: both reads stop there and agree. */
  asOf: string;
}

/** One row per user outside experiments who used exactly one of the arms in the window. */
function perUserSql(): string {
  const [buckets, counts] = latencyHistogramSql("latencies");
  return `per_user AS (
      SELECT user_id, any(arm) AS served, uniqExact(arm) AS arms,
             sum(requested) AS requested, sum(shown) AS shown, sum(accepted) AS accepted,
             ${buckets} AS latency_buckets, ${counts} AS latency_counts
      FROM (${suggestionSumsSql({
        keys: "e.user_id AS user_id, e.model_version AS arm",
        where:
          "e.timestamp >= {from:DateTime64(3, 'UTC')} AND e.timestamp < {to:DateTime64(3, 'UTC')} " +
          "AND e.experiment_key = '' AND e.model_version IN {arms:Array(String)} AND e.ingested_at <= {asOf:DateTime64(3, 'UTC')}",
      })})
      GROUP BY user_id
      HAVING arms = 1)`;
}

/** Per arm: users and the sufficient statistics of accepted/shown (acceptance) and shown/requested (show rate). */
export function rampArmSumsSql(): string {
  return `
    WITH ${perUserSql()}
    SELECT served AS arm, count() AS users,
           sum(accepted) AS acceptedSum, sum(shown) AS shownSum, sum(requested) AS requestedSum,
           sum(accepted * accepted) AS acceptedSq, sum(shown * shown) AS shownSq, sum(requested * requested) AS requestedSq,
           sum(accepted * shown) AS acceptedShown, sum(shown * requested) AS shownRequested
    FROM per_user
    GROUP BY served`;
}

/**
 * Per arm: the p-quantile of shown latencies, the order statistics bracketing it and the per-user
 * clustering sums, from the latencies' histograms as for experiments (lib/results/sql.ts latencyQuantileSql).
 */
export function rampLatencySql(): string {
  return `
    WITH ${perUserSql()},
    ${latencyQuantileSql("arm", "{arms:Array(String)}", "SELECT served AS arm, user_id, latency_buckets, latency_counts FROM per_user")}`;
}

export interface RampArmSums {
  arm: string;
  users: number;
  acceptedSum: number;
  shownSum: number;
  requestedSum: number;
  acceptedSq: number;
  shownSq: number;
  requestedSq: number;
  acceptedShown: number;
  shownRequested: number;
}

export async function rampArmSums(window: RampWindow): Promise<RampArmSums[]> {
  return queryRows({
    tag: "releases.armSums",
    sql: rampArmSumsSql(),
    params: { ...window },
    columns: {
      arm: "string",
      users: "number",
      acceptedSum: "number",
      shownSum: "number",
      requestedSum: "number",
      acceptedSq: "number",
      shownSq: "number",
      requestedSq: "number",
      acceptedShown: "number",
      shownRequested: "number",
    },
  });
}

export interface RampLatency {
  arm: string;
  n: number;
  ranks: number[];
  quantile: number;
  lowerValue: number;
  upperValue: number;
  clustering: { users: number; sumX: number; sumY: number; sumX2: number; sumY2: number; sumXY: number };
}

export async function rampLatency(window: RampWindow, p: number, z: number): Promise<RampLatency[]> {
  const rows = await queryRows({
    tag: "releases.latency",
    sql: rampLatencySql(),
    params: { ...window, p, z },
    columns: { arm: "string", ...LATENCY_ORDER_STATISTICS_COLUMNS },
  });
  return rows.map((r) => ({
    arm: r.arm,
    n: r.n,
    ranks: r.ranks,
    quantile: r.quantile,
    lowerValue: r.lowerValue,
    upperValue: r.upperValue,
    clustering: { users: r.users, sumX: r.sumX, sumY: r.sumY, sumX2: r.sumX2, sumY2: r.sumY2, sumXY: r.sumXY },
  }));
}
