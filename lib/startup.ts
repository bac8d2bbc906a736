import { clickhouse } from "./clickhouse";
import { db } from "./db";
import { startIngestion } from "./ingest/pipeline";

// Once per process, whichever copy of this module asks first (Next's instrumentation or server.ts).
const globalForStartup = globalThis as unknown as { __echoStartup?: Promise<void> };

/** Migrates both stores, initializes an empty one (lib/bootstrap.ts) and replays the ingestion log. */
export function startup(): Promise<void> {
  globalForStartup.__echoStartup ??= (async () => {
    const started = Date.now();
    await db();
    await clickhouse();
    startIngestion();
    console.log(`[echo] stores ready in ${Date.now() - started} ms`);
  })();
  return globalForStartup.__echoStartup;
}
