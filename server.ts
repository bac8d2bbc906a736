// The production server: Next.js for the dashboard and the API, with the three hot ingestion routes
// (events, assign, config) served straight from their route handlers, skipping Next's router, whose
// per-request cost is many times the handlers' own. Same handlers, same wrapper, same answers.
import { createServer } from "node:http";
import path from "node:path";
import next from "next";
import { serveCore } from "./lib/api/serveNode";
import { keepHeapHeadroom, letWorkersSizeTheirYoungGeneration } from "./lib/runtime/heap";

// Garbage collection after start-up (lib/runtime/heap.ts): the main heap's room between full collections,
// and the worker threads' young generation.
keepHeapHeadroom();
letWorkersSizeTheirYoungGeneration();

const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOSTNAME_BIND || "0.0.0.0";
const root = path.resolve(import.meta.dirname);

async function main() {
  const app = next({ dev: false, dir: root, port, hostname: "localhost" });
  const handleNext = app.getRequestHandler();
  await app.prepare();
  const { startup } = await import("./lib/runtime/startup");
  await startup();
  const hotRoutes = new Map([
    ["POST /api/v1/events", (await import("./app/api/v1/events/route")).POST.core],
    ["POST /api/v1/assign", (await import("./app/api/v1/assign/route")).POST.core],
    ["GET /api/v1/config", (await import("./app/api/v1/config/route")).GET.core],
  ]);
  const server = createServer((req, res) => {
    const pathname = req.url?.split("?")[0];
    const hot = hotRoutes.get(`${req.method} ${pathname}`);
    if (!hot) return void handleNext(req, res);
    serveCore(hot, req, res).catch((error) => {
      console.error("[echo] request failed:", error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "internal", message: "Internal error", details: [] } }));
    });
  }).listen(port, hostname, () => console.log(`[echo] ready on http://localhost:${port}`));

  // Graceful stop: finish open requests, store what the write-ahead log holds (it would be replayed at
  // the next start anyway; this just makes a clean stop leave nothing behind), then stop the background
  // jobs (waiting for a pass in flight) and close the stores. Exiting with the embedded engine's queries
  // still running on its threads made it abort as the process ended. A stop that hangs ends after 30 s.
  const within = (ms: number, work: Promise<unknown>) => Promise.race([work, new Promise((r) => setTimeout(r, ms).unref())]);
  const stop = async () => {
    setTimeout(() => process.exit(1), 30_000).unref();
    const closed = new Promise((r) => server.close(r));
    server.closeIdleConnections();
    await within(5_000, closed);
    const { flushIngestion } = await import("./lib/ingestion/log");
    await within(10_000, flushIngestion());
    const { closeDatabase } = await import("./lib/db");
    const { closeClickHouse } = await import("./lib/clickhouse");
    await closeDatabase();
    await closeClickHouse();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
