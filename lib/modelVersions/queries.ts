import { queryRows } from "../clickhouse";
import { METRICS, SUM_KEYS, type RatioMetric, type SumKey } from "../metrics/registry";
import { suggestionSumsSql, summedSumsSql } from "../metrics/sql";

// Trends over all traffic (in experiments or not), from the same per-suggestion sums as experiment
// results (lib/metrics/sql.ts), so a metric means the same thing on every page. Sums are taken per user
// first, so that each group also carries the per-user moments the delta-method intervals need (the
// user, not the suggestion, is the independent unit here too).

/** The metrics the trends show, each a ratio of per-user sums of the registry. */
export const TREND_METRICS = ["acceptance_rate", "generation_rate"] as const;
export type TrendMetric = (typeof TREND_METRICS)[number];

/** How the trends are grouped: per model version and day, per model version over the range, or per day over all versions. */
export type TrendGrouping = "version_day" | "version" | "day";

/** Events of one cohort only; an empty or absent value does not filter. */
export interface TrafficFilter {
  language?: string;
  ide?: string;
  userGroup?: string;
}

const GROUPINGS: Record<TrendGrouping, { keys: string; group: string; select: string }> = {
  version_day: {
    keys: "toDate(e.timestamp) AS day, e.model_version AS model_version, e.user_id AS user_id",
    group: "day, model_version",
    select: "toString(day) AS date, model_version AS modelVersion",
  },
  version: {
    keys: "e.model_version AS model_version, e.user_id AS user_id",
    group: "model_version",
    select: "'' AS date, model_version AS modelVersion",
  },
  day: {
    keys: "toDate(e.timestamp) AS day, e.user_id AS user_id",
    group: "day",
    select: "toString(day) AS date, '' AS modelVersion",
  },
};

/** A metric's per-user numerator X and denominator Y as SQL over the per-user sums. */
function perUserSql(metric: TrendMetric): { x: string; y: string } {
  const definition: RatioMetric = METRICS[metric];
  if (definition.denominator === "per_user") throw new Error(`${metric}: trends need a ratio of sums`);
  return { x: `(${definition.numerator.join(" + ")})`, y: `(${definition.denominator.join(" + ")})` };
}

/** Each trend metric's per-user X and Y (columns `<metric>__x`, `__y`), over the per-user sums. */
function perUserColumnsSql(): string {
  return TREND_METRICS.map((metric) => {
    const { x, y } = perUserSql(metric);
    return `${x} AS ${metric}__x, ${y} AS ${metric}__y`;
  }).join(", ");
}

/** Σ X², Σ Y², Σ XY over users, per trend metric (columns `<metric>__xx`, `__yy`, `__xy`). */
function momentsSql(): string {
  return TREND_METRICS.map((metric) => {
    const [x, y] = [`${metric}__x`, `${metric}__y`];
    return `sum(${x} * ${x}) AS ${metric}__xx, sum(${y} * ${y}) AS ${metric}__yy, sum(${x} * ${y}) AS ${metric}__xy`;
  }).join(",\n      ");
}

/** Per group: distinct users, every sum of the metric registry and the trend metrics' per-user moments. */
export function modelVersionDailySql(grouping: TrendGrouping = "version_day"): string {
  const { keys, group, select } = GROUPINGS[grouping];
  return `
    SELECT ${select}, count() AS users, ${summedSumsSql()},
      ${momentsSql()}
    FROM (
      SELECT ${group}, user_id, ${summedSumsSql()},
        ${perUserColumnsSql()}
      FROM (${suggestionSumsSql({
        keys,
        // a suggestion is matched within a UTC day when grouped by day, as in experiment results
        where: `e.timestamp >= {from:DateTime64(3, 'UTC')} AND e.timestamp < {to:DateTime64(3, 'UTC')}
      AND ({language:String} = '' OR e.language = {language:String})
      AND ({ide:String} = '' OR e.ide = {ide:String})
      AND ({userGroup:String} = '' OR e.user_group = {userGroup:String})`,
      })})
      GROUP BY ${group}, user_id
    )
    GROUP BY ${group}
    ORDER BY ${group}`;
}

/** The cohorts seen in a range, for the segment filter's choices. */
export function segmentValuesSql(): string {
  return `
    SELECT arraySort(groupUniqArrayIf(language, language != '')) AS language,
           arraySort(groupUniqArrayIf(ide, ide != '')) AS ide,
           arraySort(groupUniqArrayIf(user_group, user_group != '')) AS userGroup
    FROM events
    WHERE project_id = {projectId:String} AND type != 'exposure'
      AND timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}`;
}

/** Σ X, Σ Y, Σ X², Σ Y², Σ XY over users: what the delta method needs. */
export interface TrendMoments {
  xx: number;
  yy: number;
  xy: number;
}

export interface ModelVersionDay {
  /** The UTC day ('' when grouped over the whole range). */
  date: string;
  /** The model version ('' when grouped over all versions). */
  modelVersion: string;
  users: number;
  sums: Record<SumKey, number>;
  moments: Record<TrendMetric, TrendMoments>;
}

export async function modelVersionDaily(
  projectId: string,
  from: string,
  to: string,
  options: { grouping?: TrendGrouping; filter?: TrafficFilter } = {},
): Promise<ModelVersionDay[]> {
  const { filter = {}, grouping = "version_day" } = options;
  const sumColumns = Object.fromEntries(SUM_KEYS.map((key) => [key, "number" as const])) as Record<SumKey, "number">;
  const momentColumns = Object.fromEntries(
    TREND_METRICS.flatMap((metric) => ["xx", "yy", "xy"].map((m) => [`${metric}__${m}`, "number" as const])),
  ) as Record<string, "number">;
  const rows = await queryRows({
    tag: `modelVersions.trends.${grouping}`,
    sql: modelVersionDailySql(grouping),
    params: { projectId, from, to, language: filter.language ?? "", ide: filter.ide ?? "", userGroup: filter.userGroup ?? "" },
    columns: { date: "string", modelVersion: "string", users: "number", ...sumColumns, ...momentColumns },
  });
  return rows.map((row) => {
    const values = row as unknown as Record<string, number>;
    return {
      date: row.date,
      modelVersion: row.modelVersion,
      users: row.users,
      sums: Object.fromEntries(SUM_KEYS.map((key) => [key, values[key]])) as Record<SumKey, number>,
      moments: Object.fromEntries(
        TREND_METRICS.map((metric) => [metric, { xx: values[`${metric}__xx`], yy: values[`${metric}__yy`], xy: values[`${metric}__xy`] }]),
      ) as Record<TrendMetric, TrendMoments>,
    };
  });
}

export interface SegmentValues {
  language: string[];
  ide: string[];
  userGroup: string[];
}

export async function segmentValues(projectId: string, from: string, to: string): Promise<SegmentValues> {
  const [row] = await queryRows({
    tag: "modelVersions.segmentValues",
    sql: segmentValuesSql(),
    params: { projectId, from, to },
    columns: { language: "strings", ide: "strings", userGroup: "strings" },
  });
  return row ?? { language: [], ide: [], userGroup: [] };
}
