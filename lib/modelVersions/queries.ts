import { queryRows } from "../clickhouse";
import { SUM_KEYS, type SumKey } from "../metrics/registry";
import { suggestionSumsSql, summedSumsSql } from "../metrics/sql";

// Model-version trends over all traffic (in experiments or not), from the same per-suggestion sums as
// experiment results (lib/metrics/sql.ts), so a metric means the same thing on every page.

/** Per day and model version: distinct users and every sum of the metric registry. */
export function modelVersionDailySql(): string {
  return `
    SELECT toString(day) AS date, model_version AS modelVersion, uniqExact(user_id) AS users, ${summedSumsSql()}
    FROM (${suggestionSumsSql({
      keys: "toDate(e.timestamp) AS day, e.model_version AS model_version, e.user_id AS user_id",
      // a suggestion is matched within a UTC day, as in experiment results
      where: "e.timestamp >= {from:DateTime64(3, 'UTC')} AND e.timestamp < {to:DateTime64(3, 'UTC')}",
    })})
    GROUP BY day, model_version
    ORDER BY day, model_version`;
}

export interface ModelVersionDay {
  date: string;
  modelVersion: string;
  users: number;
  sums: Record<SumKey, number>;
}

export async function modelVersionDaily(projectId: string, from: string, to: string): Promise<ModelVersionDay[]> {
  const sumColumns = Object.fromEntries(SUM_KEYS.map((key) => [key, "number" as const])) as Record<SumKey, "number">;
  const rows = await queryRows({
    tag: "modelVersions.daily",
    sql: modelVersionDailySql(),
    params: { projectId, from, to },
    columns: { date: "string", modelVersion: "string", users: "number", ...sumColumns },
  });
  return rows.map((row) => ({
    date: row.date,
    modelVersion: row.modelVersion,
    users: row.users,
    sums: Object.fromEntries(SUM_KEYS.map((key) => [key, row[key]])) as Record<SumKey, number>,
  }));
}
