import { clickhouse } from "../clickhouse";
import { demoEnabled } from "../settings";
import { database } from "./database";
import { startDemoSeeding } from "../demo/seed";
import { startIngestion } from "../ingestion/log";
import { startRefinementPipeline } from "../refinements/pipeline";
import { startRollupMaintenance } from "../results/rollup";
import { startScorecardUpkeep } from "../results/service";
import { startReleaseAutomation } from "../releases/service";
import { startWebhookDeliveries } from "../webhooks/service";

// Once per process, whichever copy of this module asks first (Next's instrumentation or server.ts).
const globalForStartup = globalThis as unknown as { __echoStartup?: Promise<void> };

/**
 * Migrates both stores, initializes an empty one (initializeStore.ts), replays the ingestion log, and
 * keeps the results rollup, running experiments' scorecards and the refinement samples fresh.
 */
export function startup(): Promise<void> {
  globalForStartup.__echoStartup ??= (async () => {
    const started = Date.now();
    const client = await database();
    await clickhouse();
    startIngestion();
    startRollupMaintenance(client);
    startScorecardUpkeep(client);
    startRefinementPipeline(client);
    startReleaseAutomation(client);
    startWebhookDeliveries(client);
    console.log(`[echo] stores ready in ${Date.now() - started} ms`);
    // In the background: the server answers (health, sign-in) while the demo events are ingested.
    if (demoEnabled()) void startDemoSeeding(client);
  })();
  return globalForStartup.__echoStartup;
}
