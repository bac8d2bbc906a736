// npm run bench — measured figures, each beside a baseline measured in the same run (the raw engine, the
// query underneath a request, the request underneath a page). Timings are repeated (RUNS or more) and
// printed as the median with the min–max spread; every figure, with its baseline, ratio and target, is
// written to bench-results.json (scripts/bench/figures.ts). Sections:
//   1. assignment in-process (lib/assignment), one core;
//   2. POST /api/v1/assign over HTTP against the production build (requests/s, p50, p99);
//   3. POST /api/v1/events in batches of 1,000 over HTTP vs inserting the same rows straight into chDB;
//   4. GET .../results over 10M events vs its underlying aggregation query (scripts/bench/results.ts);
//   5. refinement samples: pipeline throughput vs its extraction query, freshness, browsing 1M samples vs
//      the page's id query (scripts/bench/refinements.ts);
//   6. a soak: 10 minutes of mixed traffic, every answer a success, the server's memory flat, with the
//      embedded stores and again with the stores in processes of their own (scripts/bench/soak.ts);
//   7. GET .../scorecard over 10M events (every metric, CUPED on) vs the single-metric results request,
//      and the experiment page in Chromium until its scorecard shows (scripts/bench/scorecard.ts).
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SERVER_NODE_ARGS, serverEnv } from "../lib/runtime/serverProcess";
import { benchAssignment } from "./bench/assignment";
import { FigureLog, formatNumber, repeat, spreadOf } from "./bench/figures";
import { load, type LoadResult } from "./bench/http";
import type { RefinementsBench } from "./bench/refinements";
import type { ResultsBench } from "./bench/results";
import type { SoakResult } from "./bench/soak";
import type { ScorecardBench } from "./bench/scorecard";
import { BENCH_KEYS, startBenchExperiment, startBenchServer } from "./bench/server";
import { ensureChromium, ensurePostgresBin } from "./systemPackages";

const EVENT_BATCH = 1_000;
const EVENT_BATCHES = Number(process.env.BENCH_EVENT_BATCHES || 500);
const RESULTS_EVENTS = Number(process.env.BENCH_RESULTS_EVENTS || 10_000_000);
const REFINEMENT_SAMPLES = Number(process.env.BENCH_REFINEMENT_SAMPLES || 1_000_000);
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const SCORECARD_EVENTS = Number(process.env.BENCH_SCORECARD_EVENTS ?? 10_000_000);
const RUNS = 3;
/** The sections to run (BENCH_SECTIONS, e.g. "4,7"; default every one), each printed and recorded as in a full run. */
const SECTIONS = new Set((process.env.BENCH_SECTIONS || "1,2,3,4,5,6,7").split(",").map((section) => Number(section.trim())));
const runs = (section: number) => SECTIONS.has(section);
const log = new FigureLog();
const median = (samples: readonly number[]) => spreadOf(samples).median;
const fmt = formatNumber;

/** A realistic mix: per suggestion requested → shown → accepted|rejected, plus typed characters. */
function eventBatch(batch: number): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  const base = Date.now() - 3_600_000;
  for (let i = 0; events.length < EVENT_BATCH; i++) {
    const userId = `bench-user-${(batch * 97 + i) % 5_000}`;
    const suggestionId = `s-${batch}-${i}`;
    const common = { userId, modelVersion: "bench-base", language: "python", ide: "vscode", userGroup: "external" };
    const at = (offset: number) => new Date(base + batch * 1000 + i * 10 + offset).toISOString();
    events.push({ ...common, eventId: randomUUID(), type: "requested", suggestionId, timestamp: at(0) });
    events.push({
      ...common,
      eventId: randomUUID(),
      type: "shown",
      suggestionId,
      timestamp: at(1),
      completionChars: 48,
      completionLines: 2,
      latencyMs: 140 + (i % 90),
    });
    events.push(
      i % 3 === 0
        ? { ...common, eventId: randomUUID(), type: "accepted", suggestionId, timestamp: at(2), acceptedChars: 48 }
        : { ...common, eventId: randomUUID(), type: "rejected", suggestionId, timestamp: at(2) },
    );
    if (i % 4 === 0) events.push({ ...common, eventId: randomUUID(), type: "typed", timestamp: at(3), humanChars: 80 });
  }
  return events.slice(0, EVENT_BATCH);
}

async function main() {
  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}`;
  console.log(`Echo benchmarks on ${machine}; each timing is the median of its runs, with the min–max spread`);
  // What later sections need from the machine, installed (or refused) now rather than after the first half hour.
  if (runs(7) && SCORECARD_EVENTS > 0) ensureChromium();
  if (runs(6) && SOAK_SECONDS > 0 && process.env.BENCH_SOAK_OUT_OF_PROCESS !== "0") ensurePostgresBin();

  if (runs(1)) {
    log.startSection("1. Assignment in-process (one core)");
    const assignment = await benchAssignment();
    const hashOnly = assignment.find((figure) => figure.name.includes("v2 hash only"))!;
    for (const figure of assignment) {
      const isTarget = figure.name.includes("assignExperiment");
      log.add({
        name: figure.name,
        unit: figure.unit,
        samples: figure.samples,
        baseline: figure === hashOnly ? undefined : { name: "the v2 hash alone", value: median(hashOnly.samples) },
        target: isTarget ? { text: "≥ 2,000,000/s", met: median(figure.samples) >= 2_000_000 } : undefined,
      });
    }
  }

  if (runs(2) || (runs(3) && EVENT_BATCHES > 0)) {
    const server = await startBenchServer();
    try {
      await startBenchExperiment(server, "bench", { base: "bench-base", treatment: "bench-refined" });
      await server.api("PATCH", "/api/v1/model-versions/bench-base", { status: "production" });
      const headers = { authorization: `Bearer ${BENCH_KEYS.ingest}`, "content-type": "application/json" };
      if (runs(2)) {
        log.startSection("2. POST /api/v1/assign over HTTP (production build, embedded stores)");
        const assignBody = (i: number) => JSON.stringify({ userId: `user-${i % 50_000}`, attributes: { language: "python" } });
        const assignLoad = { port: server.port, path: "/api/v1/assign", headers, body: assignBody, concurrency: 16 };
        await load({ ...assignLoad, maxRequests: 5_000, maxSeconds: 5 }); // warm-up
        const assignRuns: LoadResult[] = [];
        for (let run = 0; run < RUNS; run++) assignRuns.push(await load({ ...assignLoad, maxRequests: 200_000, maxSeconds: 10 }));
        const assignErrors = assignRuns.reduce((sum, r) => sum + r.errors, 0);
        const assignRate = assignRuns.map((r) => r.perSecond);
        log.add({
          name: "assign requests/s (16 connections)",
          unit: "req/s",
          samples: assignRate,
          target: { text: "≥ 5,000/s", met: median(assignRate) >= 5_000 && assignErrors === 0 },
        });
        log.add({ name: "assign latency p50", unit: "ms", digits: 2, samples: assignRuns.map((r) => r.p50Ms) });
        const assignP99 = assignRuns.map((r) => r.p99Ms);
        log.add({
          name: "assign latency p99",
          unit: "ms",
          digits: 2,
          samples: assignP99,
          target: { text: "< 20 ms", met: median(assignP99) < 20 },
        });
        if (assignErrors) log.note(`assign errors: ${assignErrors} ${JSON.stringify(assignRuns.map((r) => r.statuses))}`);
      }

      if (runs(3) && EVENT_BATCHES > 0) {
        log.startSection(`3. Event ingestion: ${EVENT_BATCHES} batches of ${fmt(EVENT_BATCH)} events, ${RUNS} runs`);
        await load({
          port: server.port,
          path: "/api/v1/events",
          headers,
          body: (i) => Buffer.from(JSON.stringify({ events: eventBatch(100_000 + i) })),
          concurrency: 4,
          maxRequests: 10,
          maxSeconds: 30,
        }); // warm-up
        const firstRunBatches: Record<string, unknown>[][] = [];
        const ingestRuns: LoadResult[] = [];
        const storedRates: number[] = [];
        for (let run = 0; run < RUNS; run++) {
          // New events each run (fresh ids and suggestions), so no run is answered as duplicates.
          const batches = Array.from({ length: EVENT_BATCHES }, (_, b) => eventBatch(run * EVENT_BATCHES + b));
          if (run === 0) firstRunBatches.push(...batches);
          const bodies = batches.map((events) => Buffer.from(JSON.stringify({ events })));
          await server.drained();
          const loadStarted = performance.now();
          const ingest = await load({
            port: server.port,
            path: "/api/v1/events",
            headers,
            body: (i) => bodies[i],
            concurrency: 4,
            maxRequests: bodies.length,
            maxSeconds: 120,
          });
          ingestRuns.push(ingest);
          // The answer waits for the log, not for ClickHouse: also measure until the last event is stored.
          await server.drained();
          storedRates.push((ingest.requests * EVENT_BATCH) / ((performance.now() - loadStarted) / 1000));
        }
        const httpRates = ingestRuns.map((r) => (r.requests * EVENT_BATCH) / r.seconds);
        const ingestErrors = ingestRuns.reduce((sum, r) => sum + r.errors, 0);

        // The same rows, straight into the engine: a separate chDB in this process, batch by batch, in the
        // engine's cheapest input path (TabSeparated through chDB's raw insert), with no validation and no log.
        const rawDir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-bench-raw-"));
        process.env.ECHO_DATA_DIR = rawDir;
        const { clickhouse, closeClickHouse } = await import("../lib/clickhouse");
        const { clickhouseHandle } = await import("../lib/clickhouse/client");
        const { eventTsv } = await import("../lib/events/rows");
        const { EVENT_COLUMNS } = await import("../lib/clickhouse/tables");
        const { eventSchema } = await import("../lib/events/schema");
        await clickhouse();
        const handle = await clickhouseHandle();
        const rawBatches = firstRunBatches.map((events) =>
          Buffer.from(events.map((e) => eventTsv("bench", eventSchema.parse(e))).join("\n") + "\n"),
        );
        await handle.insertTsv("events", EVENT_COLUMNS, rawBatches[0]); // warm-up
        const rawRates = await repeat(RUNS, async () => {
          const t0 = process.hrtime.bigint();
          for (const body of rawBatches) await handle.insertTsv("events", EVENT_COLUMNS, body);
          return (rawBatches.length * EVENT_BATCH) / (Number(process.hrtime.bigint() - t0) / 1e9);
        });
        // For context, the engine's ceiling: the same rows in one insert (the log consumer's inserts are
        // a few hundred milliseconds of traffic each, between the two).
        const bulk = Buffer.concat(rawBatches);
        const bulkRates = await repeat(RUNS, async () => {
          const t1 = process.hrtime.bigint();
          await handle.insertTsv("events", EVENT_COLUMNS, bulk);
          return (rawBatches.length * EVENT_BATCH) / (Number(process.hrtime.bigint() - t1) / 1e9);
        });
        await closeClickHouse();
        fs.rmSync(rawDir, { recursive: true, force: true });

        const raw = { name: "raw chDB INSERT, same rows, same batches", value: median(rawRates) };
        const ceiling = { name: "raw chDB INSERT, same rows in one insert", value: median(bulkRates) };
        const httpRate = median(httpRates);
        log.add({ name: raw.name, unit: "events/s", samples: rawRates });
        log.add({ name: ceiling.name, unit: "events/s", samples: bulkRates });
        log.add({
          name: "HTTP ingestion events/s (4 connections, acknowledged = in the durable log)",
          unit: "events/s",
          samples: httpRates,
          baseline: raw,
          target: { text: "≥ 100,000/s and ≥ 0.5× raw", met: httpRate >= 100_000 && httpRate >= 0.5 * raw.value && ingestErrors === 0 },
        });
        log.add({ name: "the same beside the engine's one-insert ceiling", unit: "events/s", samples: httpRates, baseline: ceiling });
        log.add({ name: "HTTP ingestion latency p50 per batch", unit: "ms", digits: 1, samples: ingestRuns.map((r) => r.p50Ms) });
        log.add({ name: "HTTP ingestion latency p99 per batch", unit: "ms", digits: 1, samples: ingestRuns.map((r) => r.p99Ms) });
        log.add({
          name: "HTTP ingestion events/s until all are stored in ClickHouse",
          unit: "events/s",
          samples: storedRates,
          baseline: raw,
        });
        if (ingestErrors) log.note(`ingestion errors: ${ingestErrors} ${JSON.stringify(ingestRuns.map((r) => r.statuses))}`);
      }
    } finally {
      await server.stop();
    }
  }

  if (runs(4) && RESULTS_EVENTS > 0) {
    log.startSection(`4. Experiment results over ${fmt(RESULTS_EVENTS)} events (20,000 users, 14 days, embedded engine)`);
    // In a process of its own: a fresh heap and its own embedded engine, untouched by the sections above.
    const reportFile = path.join(os.tmpdir(), `echo-bench-results-${process.pid}.json`);
    // Run as the server is (lib/runtime/serverProcess.ts): its memory is the server's during a request.
    const child = spawnSync(
      process.execPath,
      [...SERVER_NODE_ARGS, path.join(import.meta.dirname, "bench", "results.ts"), String(RESULTS_EVENTS), reportFile],
      { stdio: "inherit", env: serverEnv(process.env) },
    );
    if (child.status !== 0) throw new Error("the results benchmark failed");
    const results = JSON.parse(fs.readFileSync(reportFile, "utf8")) as ResultsBench;
    fs.rmSync(reportFile, { force: true });
    log.add({
      name: `events loaded (${fmt(results.events)}, generated inside the engine)`,
      unit: "s",
      digits: 1,
      samples: [results.loadSeconds],
    });
    const aggregation = {
      name: "its aggregation query (per user and period, rollup + raw remainder, into JS)",
      value: median(results.aggregationMs),
    };
    log.add({ name: aggregation.name, unit: "ms", samples: results.aggregationMs });
    if (results.rawResultsMs.length)
      log.add({ name: "GET .../results from raw events only (before the rollup is built)", unit: "ms", samples: results.rawResultsMs });
    log.add({
      name: `rollup build after the load (${results.rollupDays} days, background job), then again from nothing`,
      unit: "s",
      digits: 1,
      samples: results.rollupSeconds,
      // the target is for 100 million events
      ...(results.events >= 100_000_000 ? { target: { text: "< 30 s", met: median(results.rollupSeconds) < 30 } } : {}),
    });
    const resultsMs = median(results.resultsMs);
    const maxRatio = results.events >= 100_000_000 ? 1.5 : 2;
    log.add({
      name: "GET .../results (all queries + statistics)",
      unit: "ms",
      samples: results.resultsMs,
      baseline: aggregation,
      // ≤ 2× at any size; the scale issue asks ≤ 1.5× at 100 million events
      target: {
        text: `< 1,000 ms and ≤ ${maxRatio}× aggregation`,
        met: resultsMs < 1000 && resultsMs <= maxRatio * aggregation.value,
      },
    });
    const live =
      `${fmt(results.liveEvents)} events today from ${fmt(results.liveUsers)} users ` +
      "(a maintenance pass's worth at the load's rate) and a late one yesterday";
    log.add({
      name: `GET .../results while events keep arriving (${live}, since the days' builds: tails read raw)`,
      unit: "ms",
      samples: results.liveResultsMs,
      baseline: { name: "results with the rollup fresh", value: resultsMs },
      target: { text: "< 1,500 ms", met: median(results.liveResultsMs) < 1500 },
    });
    const perDay = results.incrementalSeconds.map((seconds, i) => seconds / Math.max(1, results.incrementalDays[i]));
    const fullPerDay = results.fullRebuildSeconds.map((seconds, i) => seconds / Math.max(1, results.fullRebuildDays[i]));
    const sameInEveryRound = (counts: number[]) => (new Set(counts).size === 1 ? fmt(counts[0]) : counts.map((n) => fmt(n)).join("/"));
    log.add({
      name:
        `rollup refresh after them, ${results.incrementalSeconds.length} rounds of a pass's traffic and its refresh ` +
        `(${sameInEveryRound(results.incrementalDays)} days built per round, ${sameInEveryRound(results.patchedDays)} of them patched: ` +
        "the users who sent events anew, the others' rows carried over), per day",
      unit: "s",
      digits: 2,
      samples: perDay,
      baseline: {
        name: `the same rounds, each day built from all of its events (${sameInEveryRound(results.fullRebuildDays)} per round), per day`,
        value: median(fullPerDay),
      },
      target: { text: "< 2 s", met: median(perDay) < 2 },
    });
    log.add({
      name: "process memory (RSS) during GET .../results, highest",
      unit: "MB",
      samples: [results.resultsPeakRssMb],
      baseline: { name: "before the requests, once the build's freed memory was returned", value: results.rssBeforeMb },
      target: { text: "< 1,000 MB", met: results.resultsPeakRssMb < 1000 },
    });
    log.add({
      name: "process memory (RSS) during the rollup build after the load, highest",
      unit: "MB",
      samples: [results.rollupPeakRssMb],
    });
    const comparisons = results.answerComparisons;
    const disagreeing = comparisons.filter((c) => !c.difference.agree);
    const largest = Math.max(0, ...comparisons.map((c) => c.difference.largestRelativeDifference));
    for (const c of disagreeing) log.note(`  answers differ (${c.name}): first at ${c.difference.firstDisagreement}`);
    log.add({
      name:
        `results answers that differ, of ${comparisons.length} pairs of the same events (${comparisons.map((c) => c.name).join("; ")}; ` +
        `the mid-rebuild request ${results.midRebuildOverlapped ? "started during" : "missed"} the rebuild's first insert; ` +
        `largest relative difference ${largest === 0 ? "0" : largest.toExponential(1)})`,
      unit: "pairs",
      samples: [disagreeing.length],
      target: { text: "0 (numbers within 1e-9)", met: disagreeing.length === 0 && results.midRebuildOverlapped },
    });
  }

  if (runs(5) && REFINEMENT_SAMPLES > 0) {
    log.startSection(
      `5. Refinement samples: pipeline throughput, freshness, browsing ${fmt(REFINEMENT_SAMPLES)} samples (embedded engine)`,
    );
    const reportFile = path.join(os.tmpdir(), `echo-bench-refinements-${process.pid}.json`);
    // With the server's environment (its allocators' settings): the pipeline runs in the server.
    const child = spawnSync(
      path.join(import.meta.dirname, "..", "node_modules", ".bin", "tsx"),
      [path.join(import.meta.dirname, "bench", "refinements.ts"), String(REFINEMENT_SAMPLES), reportFile],
      { stdio: "inherit", env: serverEnv(process.env) },
    );
    if (child.status !== 0) throw new Error("the refinements benchmark failed");
    const r = JSON.parse(fs.readFileSync(reportFile, "utf8")) as RefinementsBench;
    fs.rmSync(reportFile, { force: true });
    log.add({
      name: `pipeline samples/s (${fmt(r.pipelineSamples)} refined suggestions, one pass)`,
      unit: "samples/s",
      samples: r.pipelineSamplesPerSecond,
      baseline: { name: "one such pass built in-process (no worker threads)", value: r.inProcessSamplesPerSecond },
      target: { text: "≥ 20,000/s", met: median(r.pipelineSamplesPerSecond) >= 20_000 },
    });
    log.add({
      name: `the same completions, each inside ${r.inFileContextKb} KB of its file`,
      unit: "samples/s",
      samples: r.inFileSamplesPerSecond,
      baseline: { name: "with one line of context (above)", value: median(r.pipelineSamplesPerSecond) },
    });
    log.add({
      name: `the same beside ${fmt(r.browseSamples)} stored samples (duplicate lookups that find none)`,
      unit: "samples/s",
      samples: r.storedPipelineSamplesPerSecond,
      baseline: { name: "on the table without them (above)", value: median(r.pipelineSamplesPerSecond) },
      target: { text: "≥ 20,000/s", met: median(r.storedPipelineSamplesPerSecond) >= 20_000 },
    });
    log.add({
      name: "pipeline pass",
      unit: "ms",
      samples: r.pipelineMs,
      baseline: { name: "its extraction query alone", value: median(r.extractionMs) },
    });
    log.add({
      name: "samples listed after their events were acknowledged",
      unit: "ms",
      samples: [r.freshnessMs],
      target: { text: "< 5,000 ms", met: r.freshnessMs < 5_000 },
    });
    const idQuery = { name: "the filtered page's id query alone (engine)", value: median(r.idQueryMs) };
    const pages = [
      [`first page of GET /api/v1/refinements over ${fmt(r.browseSamples)} samples`, r.firstPageMs],
      ["the same, filtered (language, outcome, edit ratio)", r.filteredPageMs],
      ["the same, filtered by label", r.labelPageMs],
    ] as const;
    for (const [name, samples] of pages)
      log.add({ name, unit: "ms", samples, baseline: idQuery, target: { text: "< 300 ms", met: median(samples) < 300 } });
    log.add({ name: `dataset export: ${fmt(r.exportSamples)} samples frozen`, unit: "ms", samples: [r.freezeMs] });
    log.add({
      name: `dataset download streamed (${fmt(r.exportMegabytes, 1)} MB)`,
      unit: "samples/s",
      samples: [r.exportSamplesPerSecond],
      baseline: { name: "the same rows read by the engine as one TabSeparated text", value: r.exportSamples / (r.rawExportMs / 1000) },
      target: { text: "≥ 20,000/s", met: r.exportSamplesPerSecond >= 20_000 },
    });
    log.add({
      name: "memory growth while streaming (resident, after a warm-up download)",
      unit: "MB",
      digits: 1,
      samples: [r.exportRssGrowthMb],
      target: { text: "< 100 MB", met: r.exportRssGrowthMb < 100 },
    });
  }

  if (runs(6) && SOAK_SECONDS > 0) {
    log.startSection(
      `6. Soak: ${fmt(SOAK_SECONDS / 60, 1)} minutes of mixed traffic (ingestion, assignment, results, refinements, a page)`,
    );
    const { soak, soakOutOfProcess } = await import("./bench/soak");
    const report = (r: SoakResult, where: string) => {
      log.add({ name: `${where}: requests answered (all kinds)`, unit: "", samples: [r.requests] });
      log.add({
        name: `${where}: errors (any answer but 2xx, or none)`,
        unit: "",
        samples: [r.errors],
        target: { text: "0", met: r.errors === 0 },
      });
      if (r.errors) log.note(`statuses: ${JSON.stringify(r.statuses)}`);
      // Each minute's samples print as their median and spread; the growth is between the medians.
      log.add({ name: `${where}: app server resident memory in the second minute`, unit: "MB", samples: r.rssStartMb });
      log.add({ name: `${where}: app server resident memory in the last minute`, unit: "MB", samples: r.rssEndMb });
      log.add({
        name: `${where}: app server resident memory, highest`,
        unit: "MB",
        samples: [r.rssMaxMb],
        target: { text: "< 1,024 MB", met: r.rssMaxMb < 1024 },
      });
      log.add({ name: `${where}: app server at the end, file-backed (code)`, unit: "MB", samples: [r.rssFileEndMb] });
      log.add({ name: `${where}: app server at the end, anonymous`, unit: "MB", samples: [r.rssAnonEndMb] });
      const growth = spreadOf(r.rssEndMb).median - spreadOf(r.rssStartMb).median;
      log.add({
        name: `${where}: app server growth from the second minute to the last (medians)`,
        unit: "MB",
        samples: [growth],
        target: { text: "< 100 MB", met: growth < 100 },
      });
      log.add({
        name: `${where}: the app server's exit code, stopped with SIGTERM after the soak`,
        unit: "",
        samples: [r.stopExitCode ?? -1],
        target: { text: "0 (a clean stop)", met: r.stopExitCode === 0 },
      });
      for (const store of r.stores) {
        log.add({ name: `${where}: ${store.name}, ${store.measure} in the second minute`, unit: "MB", samples: store.startMb });
        log.add({ name: `${where}: ${store.name}, ${store.measure} in the last minute`, unit: "MB", samples: store.endMb });
        log.add({ name: `${where}: ${store.name}, ${store.measure} highest`, unit: "MB", samples: [store.maxMb] });
      }
    };
    // The default (both engines in the app's process), then the stores in processes of their own
    // (CLICKHOUSE_URL, DATABASE_URL), each process's memory apart. BENCH_SOAK_OUT_OF_PROCESS=0 skips the second.
    report(await soak(await startBenchServer(), SOAK_SECONDS, (line) => log.note(line)), "embedded stores");
    if (process.env.BENCH_SOAK_OUT_OF_PROCESS !== "0") {
      report(await soakOutOfProcess(SOAK_SECONDS, (line) => log.note(line)), "stores out of process");
    }
  }

  if (runs(7) && SCORECARD_EVENTS > 0) {
    log.startSection(`7. Scorecard and experiment page over ${fmt(SCORECARD_EVENTS)} events (every metric; embedded engine, Chromium)`);
    // In a process of its own, as section 4: a fresh heap, its own engine, then the production server on the same store.
    const reportFile = path.join(os.tmpdir(), `echo-bench-scorecard-${process.pid}.json`);
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "bench", "scorecard.ts"), String(SCORECARD_EVENTS), reportFile],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
    if (child.status !== 0) throw new Error("the scorecard benchmark failed");
    const r = JSON.parse(fs.readFileSync(reportFile, "utf8")) as ScorecardBench;
    fs.rmSync(reportFile, { force: true });
    const results = { name: "single-metric GET .../results, CUPED on", value: median(r.resultsCupedMs) };
    log.add({ name: results.name, unit: "ms", samples: r.resultsCupedMs });
    log.add({
      name: `GET .../scorecard, all ${r.metrics} metrics, CUPED on`,
      unit: "ms",
      samples: r.scorecardCupedMs,
      baseline: results,
      // the scale issue asks < 1 s at 100 million events (all metrics, CUPED on)
      target:
        SCORECARD_EVENTS >= 100_000_000
          ? { text: "< 1,000 ms", met: median(r.scorecardCupedMs) < 1000 }
          : { text: "< 1,500 ms", met: median(r.scorecardCupedMs) < 1500 },
    });
    log.add({ name: `GET .../scorecard, all ${r.metrics} metrics, CUPED off`, unit: "ms", samples: r.scorecardMs, baseline: results });
    const request = { name: "the scorecard request alone, from the browser", value: median(r.pageScorecardRequestMs) };
    log.add({ name: request.name, unit: "ms", samples: r.pageScorecardRequestMs });
    log.add({
      name: "experiment page: navigation until laid out, controls usable",
      unit: "ms",
      samples: r.pageLaidOutMs,
      baseline: request,
    });
    log.add({
      name: "experiment page: navigation until the scorecard shows, computed for the visit (Chromium)",
      unit: "ms",
      samples: r.pageUsableMs,
      baseline: request,
    });
    const ages = r.defaultAgeSeconds.map((a) => Math.round(a));
    log.add({
      name: `experiment page as opened (default view, kept computed by the server: ${Math.min(...ages)}–${Math.max(...ages)} s old)`,
      unit: "ms",
      samples: r.pageUsableDefaultMs,
      baseline: request,
      target: { text: "< 1,000 ms", met: median(r.pageUsableDefaultMs) < 1000 },
    });
    log.add({
      name: "experiment page, the same query computed within 30 s (a second visit)",
      unit: "ms",
      samples: r.pageUsableWarmMs,
      baseline: request,
      target: { text: "< 1,000 ms", met: median(r.pageUsableWarmMs) < 1000 },
    });
  }

  const { met, missed } = log.summary();
  const file = path.join(import.meta.dirname, "..", "bench-results.json");
  log.write(file, {
    date: new Date().toISOString(),
    machine,
    settings: { EVENT_BATCHES, RESULTS_EVENTS, REFINEMENT_SAMPLES, SOAK_SECONDS, SCORECARD_EVENTS, RUNS },
  });
  console.log(`\n${met} targets met, ${missed} missed; every figure is in ${path.relative(process.cwd(), file)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
