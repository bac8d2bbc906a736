import { clickhouse } from "./clickhouse";
import { demoEnabled } from "./config";
import { db } from "./db";
import { startDemoSeeding } from "./demo";
import { startIngestion } from "./ingest/pipeline";

// Once per process, whichever copy of this module asks first (Next's instrumentation or server.ts).
const globalForStartup = globalThis as unknown as { __echoStartup?: Promise<void> };

/** Migrates both stores, initializes an empty one (lib/bootstrap.ts) and replays the ingestion log. */
export function startup(): Promise<void> {
  globalForStartup.__echoStartup ??= (async () => {
    const started = Date.now();
    const client = await db();
    await clickhouse();
    startIngestion();
    console.log(`[echo] stores ready in ${Date.now() - started} ms`);
    // In the background: the server answers (health, sign-in) while the demo events are ingested.
    if (demoEnabled()) void startDemoSeeding(client);
  })();
  return globalForStartup.__echoStartup;
}
