// The scorecard and the experiment page at scale: N events (default 10 million) of the results
// benchmark's scale experiment (scripts/bench/results.ts), then
//   1. GET .../scorecard in-process (every metric, CUPED on) beside the single-metric GET .../results
//      (CUPED on) measured in the same run, and the scorecard with CUPED off;
//   2. the production server on the same store and Chromium opening the experiment page: time from the
//      start of the navigation until the scorecard is laid out, and until the primary metric's row shows
//      its lift (computed for the visit, answered from a computation of the last 30 s, and the default view
//      that the server keeps computed for running experiments), beside the scorecard request alone timed
//      from the same browser.
// Each timing is the median of several runs (after a warm-up), with its spread.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { ensureChromium } from "../systemPackages";
import { repeat } from "./figures";
import { loadScaleExperiment } from "./results";
import { BENCH_KEYS, startBenchServer } from "./server";

export interface ScorecardBench {
  events: number;
  metrics: number;
  scorecardCupedMs: number[];
  resultsCupedMs: number[];
  scorecardMs: number[];
  /** Navigation until the scorecard's frame and controls are rendered (rows still loading). */
  pageLaidOutMs: number[];
  /** Navigation until the primary metric's row is filled in, the scorecard computed for this visit. */
  pageUsableMs: number[];
  /** The same, when the server computed the same query within the last 30 s (a second visit). */
  pageUsableWarmMs: number[];
  /**
   * Navigation until the primary metric's row is filled in on the page's default view (no parameters), as
   * a visitor opens it: answered from the scorecard the server keeps computed for running experiments.
   */
  pageUsableDefaultMs: number[];
  /** How old the kept scorecard was at those visits (s). */
  defaultAgeSeconds: number[];
  /** The scorecard request alone from the browser, computed for the request. */
  pageScorecardRequestMs: number[];
}

const DAY = 86_400_000;
const RUNS = 5;
const ADMIN = { email: "bench@echo.local", password: "bench-admin-password" };

export async function benchScorecard(totalEvents: number, log: (line: string) => void): Promise<ScorecardBench> {
  // Kept after the in-process measurements: the server serves the same store.
  const keptDir = process.env.BENCH_RESULTS_DIR;
  process.env.BENCH_RESULTS_DIR = keptDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "echo-bench-scorecard-"));
  process.env.ECHO_INIT_ADMIN_EMAIL = ADMIN.email;
  process.env.ECHO_INIT_ADMIN_PASSWORD = ADMIN.password;
  process.env.ECHO_INIT_ADMIN_API_KEY = BENCH_KEYS.admin;
  process.env.ECHO_INIT_INGEST_API_KEY = BENCH_KEYS.ingest;
  const scale = await loadScaleExperiment(totalEvents, log);
  const { experimentResults, experimentScorecard } = await import("../../lib/results/service");
  const { refreshRollups } = await import("../../lib/results/rollup");
  const { resultsQuerySchema, scorecardQuerySchema } = await import("../../lib/results/schema");
  const window = { from: new Date(scale.start - DAY).toISOString(), to: new Date(scale.start + 15 * DAY).toISOString() };
  await refreshRollups(scale.client); // the steady state the server's background job keeps
  const time = (f: () => Promise<unknown>) => async () => {
    const t = performance.now();
    await f();
    return performance.now() - t;
  };
  // refresh: every run computes (a repeated query is otherwise answered from the last 30 s).
  const cupedCard = scorecardQuerySchema.parse({ ...window, cuped: "true", refresh: "true" });
  const plainCard = scorecardQuerySchema.parse({ ...window, refresh: "true" });
  const cupedResults = resultsQuerySchema.parse({ ...window, cuped: "true" });
  const metrics = (await experimentScorecard(scale.client, scale.principal, "scale", cupedCard)).metrics.length; // warm-up
  await experimentResults(scale.client, scale.principal, "scale", cupedResults);
  const scorecardCupedMs = await repeat(
    RUNS,
    time(() => experimentScorecard(scale.client, scale.principal, "scale", cupedCard)),
  );
  const resultsCupedMs = await repeat(
    RUNS,
    time(() => experimentResults(scale.client, scale.principal, "scale", cupedResults)),
  );
  const scorecardMs = await repeat(
    RUNS,
    time(() => experimentScorecard(scale.client, scale.principal, "scale", plainCard)),
  );
  const storeDir = scale.dataDir;
  await scale.close();

  log("  starting the production server on the loaded store");
  const server = await startBenchServer(3210, storeDir);
  // (a browser that cannot start must not leave the server running: a later run would time another store)
  const browser = await chromium
    .launch({ executablePath: ensureChromium(), args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] })
    .catch(async (error: unknown) => {
      await server.stop();
      throw error;
    });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const base = `http://127.0.0.1:${server.port}`;
    await page.goto(`${base}/login`);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "Overview" }).waitFor();
    // A window ending `run` ms later is a new query: the server computes it (cold); the same URL again
    // within 30 s is answered from that computation (warm), as a second visit or another viewer is.
    const urlOf = (run: number) => {
      const query = new URLSearchParams({ from: window.from, to: new Date(Date.parse(window.to) + run).toISOString() });
      return { page: `${base}/experiments/scale?${query}`, api: `/api/v1/experiments/scale/scorecard?${query}` };
    };
    // Laid out: the scorecard's frame with its controls (rows still skeletons). Usable: the primary
    // metric's row shows its relative change (the scorecard answered and rendered).
    const openPage = async (url: string) => {
      // Leave for a blank page, so each run is a fresh navigation to it. (Not the experiments list: its
      // own results requests would still be running on the server and the scorecard would queue behind them.)
      await page.goto("about:blank");
      const t = performance.now();
      await page.goto(url, { waitUntil: "commit" });
      await page.getByTestId("scorecard-table").waitFor({ timeout: 60_000 });
      const laidOut = performance.now() - t;
      await page.getByTestId("rel-acceptance_rate-treatment").filter({ hasText: "%" }).waitFor({ timeout: 60_000 });
      const usable = performance.now() - t;
      // The page's later reads (charts, exposure counts, samples) finish before the next run, so each run
      // starts on a server that is not still answering the previous visit.
      await page.waitForLoadState("networkidle");
      return { laidOut, usable };
    };
    await openPage(urlOf(0).page); // warm-up: fills the browser's caches of the bundles
    const cold: { laidOut: number; usable: number }[] = [];
    const warm: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      cold.push(await openPage(urlOf(run).page));
      warm.push((await openPage(urlOf(run).page)).usable);
    }
    // The default view, as a visitor opens it: the server keeps it computed (lib/results/service.ts
    // keepScorecardsComputed, first computed a few seconds after start and every minute since). Waits for
    // that first computation, then opens the page as a visitor would.
    const keptComputedAt = async () =>
      page.evaluate(async () => {
        const asked = Date.now();
        const body = await (await fetch("/api/v1/experiments/scale/scorecard")).json();
        return { computedAt: Date.parse(body.computedAt), asked };
      });
    for (let tries = 0; ; tries++) {
      const { computedAt, asked } = await keptComputedAt();
      if (computedAt < asked - 1000 || tries > 60) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    const pageUsableDefaultMs: number[] = [];
    const defaultAgeSeconds: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      pageUsableDefaultMs.push((await openPage(`${base}/experiments/scale`)).usable);
      const { computedAt, asked } = await keptComputedAt();
      defaultAgeSeconds.push((asked - computedAt) / 1000);
    }
    const pageScorecardRequestMs = await repeat(RUNS, async (run) =>
      page.evaluate(
        async (path) => {
          const t = performance.now();
          const response = await fetch(path);
          await response.json();
          return performance.now() - t;
        },
        urlOf(100 + run).api,
      ),
    );
    return {
      events: scale.events,
      metrics,
      scorecardCupedMs,
      resultsCupedMs,
      scorecardMs,
      pageLaidOutMs: cold.map((c) => c.laidOut),
      pageUsableMs: cold.map((c) => c.usable),
      pageUsableWarmMs: warm,
      pageUsableDefaultMs,
      defaultAgeSeconds,
      pageScorecardRequestMs,
    };
  } finally {
    await browser.close();
    await server.stop();
    if (!keptDir) fs.rmSync(storeDir, { recursive: true, force: true });
  }
}

// tsx scripts/bench/scorecard.ts [events] [report.json]: on its own (prints the figures) or from
// scripts/bench.ts (writes them to report.json).
if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] || 10_000_000);
  const reportFile = process.argv[3];
  benchScorecard(n, (line) => process.stdout.write(`${line}\n`)).then(
    (r) => {
      if (reportFile) fs.writeFileSync(reportFile, JSON.stringify(r));
      else console.log(JSON.stringify(r, null, 1));
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
