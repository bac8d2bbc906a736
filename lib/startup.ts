import { clickhouse } from "./clickhouse";
import { db } from "./db";
import { startIngestion } from "./ingest/pipeline";

/** Migrates both stores and initializes an empty one (see lib/bootstrap.ts). Safe to call twice. */
export async function startup(): Promise<void> {
  const started = Date.now();
  await db();
  await clickhouse();
  startIngestion(); // replays the write-ahead log a previous process left behind
  console.log(`[echo] stores ready in ${Date.now() - started} ms`);
}
