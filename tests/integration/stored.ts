import { clickhouse } from "@/lib/clickhouse";
import { flushIngestion } from "@/lib/ingestion/log";

/** Events stored in ClickHouse (deduplicated) matching `where`, once everything acknowledged is inserted. */
export async function countStored(where: string, params: Record<string, unknown>) {
  await flushIngestion();
  const client = await clickhouse();
  const result = await client.query({
    query: `SELECT count() AS n FROM events FINAL WHERE ${where}`,
    query_params: params,
    format: "JSONEachRow",
  });
  return Number((await result.json<{ n: number }>())[0].n);
}
