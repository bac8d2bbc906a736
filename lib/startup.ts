import { clickhouse } from "./clickhouse";
import { db } from "./db";

/** Migrates both stores and initializes an empty one (see lib/bootstrap.ts). Safe to call twice. */
export async function startup(): Promise<void> {
  const started = Date.now();
  await db();
  await clickhouse();
  console.log(`[echo] stores ready in ${Date.now() - started} ms`);
}
