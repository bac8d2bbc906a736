import { clickhouse } from "../clickhouse";

// Exposure counts of one experiment phase, read from the exposures table (exact before merges: every
// column is aggregated with min/max/uniqExact).

export interface ExposureSummary {
  experimentKey: string;
  phase: number;
  totalUsers: number;
  /** Users seen in more than one variant (a client bug or a changed allocation): excluded from results. */
  multipleExposures: number;
  variants: { key: string; users: number }[];
  daily: { date: string; variant: string; newUsers: number }[];
}

export async function exposureSummary(projectId: string, experimentKey: string, phase: number, variantKeys: string[]): Promise<ExposureSummary> {
  const client = await clickhouse();
  const params = { projectId, experimentKey, phase };
  const perUser = `
    SELECT user_id, groupUniqArray(variant_key) AS variants, min(first_exposed_at) AS first_at
    FROM exposures
    WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16}
    GROUP BY user_id`;
  const [variantRows, dailyRows] = await Promise.all([
    client
      .query({
        query: `SELECT if(length(variants) = 1, variants[1], '') AS variant, count() AS users FROM (${perUser}) GROUP BY variant`,
        query_params: params,
        format: "JSONEachRow",
      })
      .then((r) => r.json<{ variant: string; users: number }>()),
    client
      .query({
        query: `SELECT toString(toDate(first_at)) AS date, variants[1] AS variant, count() AS newUsers
                FROM (${perUser}) WHERE length(variants) = 1 GROUP BY date, variant ORDER BY date, variant`,
        query_params: params,
        format: "JSONEachRow",
      })
      .then((r) => r.json<{ date: string; variant: string; newUsers: number }>()),
  ]);
  const byVariant = new Map(variantRows.map((r) => [r.variant, Number(r.users)]));
  const multipleExposures = byVariant.get("") ?? 0;
  return {
    experimentKey,
    phase,
    totalUsers: variantRows.reduce((s, r) => s + Number(r.users), 0),
    multipleExposures,
    variants: variantKeys.map((key) => ({ key, users: byVariant.get(key) ?? 0 })),
    daily: dailyRows.map((r) => ({ date: r.date, variant: r.variant, newUsers: Number(r.newUsers) })),
  };
}
