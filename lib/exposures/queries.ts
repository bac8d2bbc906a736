import { queryRows } from "../clickhouse";

// Who was exposed to an experiment phase, read from the exposures table (exact before merges: every
// column is aggregated with min/max/uniqExact). The one definition of an exposed user: a user seen in
// exactly one variant of the phase, with the first time they were seen; users seen in several variants
// (a client bug or a changed allocation) are counted as multiple exposures and left out of results.

/** The rows of one experiment phase (tables keyed by project, experiment and phase). */
export const PHASE_FILTER = "project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16}";

const WINDOW_TO = "{to:DateTime64(3, 'UTC')}";

/** Exposed users of the phase with their variant and first exposure; `bounded`: only those exposed before {to}. */
export function exposedUsersSql(bounded: boolean): string {
  return `
  SELECT user_id, any(variant_key) AS variant, min(first_exposed_at) AS first_at
  FROM exposures
  WHERE ${PHASE_FILTER}
  GROUP BY user_id
  HAVING uniqExact(variant_key) = 1${bounded ? ` AND min(first_exposed_at) < ${WINDOW_TO}` : ""}`;
}

/** Users per (variant, day of first exposure); variant '' holds users seen in several variants. */
export function exposureDaysSql(): string {
  return `
  SELECT if(length(variants) = 1, variants[1], '') AS variant, toString(toDate(first_at)) AS date,
         count() AS users, countIf(first_at < ${WINDOW_TO}) AS usersBefore
  FROM (
    SELECT user_id, groupUniqArray(variant_key) AS variants, min(first_exposed_at) AS first_at
    FROM exposures
    WHERE ${PHASE_FILTER}
    GROUP BY user_id)
  GROUP BY variant, date
  ORDER BY date, variant`;
}

export interface ExposureSummary {
  experimentKey: string;
  phase: number;
  totalUsers: number;
  /** Users seen in more than one variant (a client bug or a changed allocation): excluded from results. */
  multipleExposures: number;
  variants: { key: string; users: number }[];
  daily: { date: string; variant: string; newUsers: number }[];
}

export interface PhaseRef {
  projectId: string;
  experimentKey: string;
  phase: number;
}

/**
 * Exposures of a phase: the summary the exposures endpoint serves, and the exposed users per variant
 * first exposed before `to` (what results count, variant '' for multiple exposures), in one query.
 */
export async function exposureSummary(
  phase: PhaseRef,
  variantKeys: string[],
  to = "2299-12-31 23:59:59.999",
): Promise<ExposureSummary & { exposedBefore: Map<string, number> }> {
  const rows = await queryRows({
    tag: "exposures.summary",
    sql: exposureDaysSql(),
    params: { ...phase, to },
    columns: { variant: "string", date: "string", users: "number", usersBefore: "number" },
  });
  const byVariant = new Map<string, number>();
  const exposedBefore = new Map<string, number>();
  for (const row of rows) {
    byVariant.set(row.variant, (byVariant.get(row.variant) ?? 0) + row.users);
    exposedBefore.set(row.variant, (exposedBefore.get(row.variant) ?? 0) + row.usersBefore);
  }
  return {
    experimentKey: phase.experimentKey,
    phase: phase.phase,
    totalUsers: rows.reduce((sum, row) => sum + row.users, 0),
    multipleExposures: byVariant.get("") ?? 0,
    variants: variantKeys.map((key) => ({ key, users: byVariant.get(key) ?? 0 })),
    daily: rows.filter((row) => row.variant !== "").map((row) => ({ date: row.date, variant: row.variant, newUsers: row.users })),
    exposedBefore,
  };
}
