// Results at scale: N synthetic events (default 10 million) over 20,000 users and 14 days in a fresh
// embedded ClickHouse, then GET .../results timed in-process against the single aggregation query
// underneath it (lib/results/queries.ts userDayRows), both measured in this run.
//
// Exposures come from the real assignment code; events are generated inside the engine (INSERT ...
// SELECT over numbers(), deterministic hashes instead of random numbers) because producing 10 million
// rows in JavaScript would take minutes and measure nothing of interest. Heavy users: the user of a
// suggestion is drawn as floor(U² × users), so a few users produce most events.
// BENCH_RESULTS_DIR=<dir> keeps the loaded data there and reuses it on the next run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { clickhouseTime } from "../../lib/clickhouse/time";
import { keepHeapHeadroom } from "../../lib/runtime/heap";
import { compareAnswers, type AnswerDifference } from "./answers";

export interface ResultsBench {
  events: number;
  loadSeconds: number;
  /**
   * The rollup's build after the load (lib/results/rollup.ts), as the server does in the background: the
   * first, then twice more from nothing (the rollup's tables emptied), in seconds; and the days it builds.
   */
  rollupSeconds: number[];
  rollupDays: number;
  /** The live scenario: one background pass's worth of traffic today (events, and the users they came from), and a late event yesterday. */
  liveEvents: number;
  liveUsers: number;
  /**
   * The refresh after the live scenario, three rounds of it (the live traffic, then the refresh): per
   * round, the days it built (today so far and yesterday whole), how many as patches, and its time.
   */
  incrementalDays: number[];
  patchedDays: number[];
  incrementalSeconds: number[];
  /** The same rounds again, their days built from all of their events instead (incremental builds off): days and times. */
  fullRebuildDays: number[];
  fullRebuildSeconds: number[];
  /** Each timing: three runs after a warm-up. */
  resultsMs: number[];
  /** The same results with events still arriving today and late for yesterday (a tail on each day). */
  liveResultsMs: number[];
  /** The same results read from raw events only (no rollup built yet; none when the data was reused). */
  rawResultsMs: number[];
  aggregationMs: number[];
  /** The process's resident memory before the results timings (settled after the build) and its highest during them (MB). */
  rssBeforeMb: number;
  resultsPeakRssMb: number;
  /** Its highest during the rollup build after the load (MB). */
  rollupPeakRssMb: number;
  /**
   * The same question asked of the same events with the rollup in different states, each pair's answers
   * compared (./answers.ts): raw events only against the rollup fresh (a fresh load only), the tails of
   * live traffic against the refresh's patches, and a request planned while a full rebuild writes its
   * rows against the answers before and after it.
   */
  answerComparisons: { name: string; difference: AnswerDifference }[];
  /** Whether the mid-rebuild request started while the rebuild's first insert ran (not after the rebuild). */
  midRebuildOverlapped: boolean;
}

const DAY = 86_400_000;
const USERS = 20_000;
/** The load's events span 14 days. */
const LOAD_DAYS = 14;
/** The rollup maintenance's interval (lib/results/rollup.ts): the live scenario sends one pass's worth of traffic. */
const PASS_SECONDS = 30;
/** Runs of the request and of its aggregation, taken in turns: five each, for medians that a slow spell moves less. */
const PAIRED_RUNS = 5;
/** Runs of each rollup build timing (the build after the load, the refresh of a live pass, its full-build baseline). */
const BUILD_RUNS = 3;

const rssMb = () => process.memoryUsage.rss() / 1e6;

/** The process's highest resident memory (MB) from now until stop(), sampled every 10 ms (the engine runs in its own threads). */
function peakRss(): { stop(): number } {
  let peak = rssMb();
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 10);
  return {
    stop() {
      clearInterval(sampler);
      return Math.max(peak, rssMb());
    },
  };
}

/**
 * The resident memory once it has stopped falling (MB): read every 250 ms until two readings in a row are
 * within 1% of each other, for at most 5 s. Right after the rollup build the engine's allocator still
 * holds the pages the build freed (it returns them after about a second, lib/clickhouse/client.ts
 * `dirty_decay_ms`): at 100M events about 350 MB, which a reading at that moment charged to the requests.
 */
async function settledRssMb(): Promise<number> {
  let last = rssMb();
  for (let waited = 0; waited < 5000; waited += 250) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = rssMb();
    if (Math.abs(now - last) <= last * 0.01) return now;
    last = now;
  }
  return last;
}

/**
 * Inserts suggestions first..first+count-1 of the scale experiment (requested, shown, then accepted or
 * rejected), each at a deterministic moment between its user's exposure (or `sinceMs`, when later) and
 * now, inside the engine. Suggestion n always makes the same events, so use new numbers for new traffic.
 */
async function insertSuggestions(
  ch: { command(params: { query: string; query_params: Record<string, unknown> }): Promise<unknown> },
  project: string,
  first: number,
  count: number,
  sinceMs = 0,
) {
  await ch.command({
    query: `
      INSERT INTO events (project_id, event_id, type, timestamp, user_id, suggestion_id, model_version, experiment_key, variant_key,
                          language, ide, user_group, completion_chars, latency_ms, accepted_chars)
      WITH s.n AS n, x.variant_key AS variant, greatest(x.first_exposed_at, {since:DateTime64(3, 'UTC')}) AS from_at
      SELECT {project:String},
             toUUID(concat('00000000-0000-4000-8000-', leftPad(lower(hex(n * 3 + step.1)), 12, '0'))), step.3,
             from_at + toIntervalMillisecond(
               toUInt64((cityHash64(n, 1) % 1000000) / 1000000
                        * toUInt64(dateDiff('millisecond', from_at, now64(3)) - 5000)) + step.2),
             s.user_id, concat('s', toString(n)), if(variant = 'control', 'base', 'refined'), 'scale', variant,
             ['python', 'typescript', 'go'][1 + s.u % 3], ['vscode', 'jetbrains'][1 + s.u % 2],
             if(s.u % 10 = 0, 'internal', 'external'),
             if(step.3 = 'shown', 60, 0), if(step.3 = 'shown', 100 + cityHash64(n, 2) % 200, 0), if(step.3 = 'accepted', 60, 0)
      FROM (SELECT number AS n, toUInt32(floor(pow((cityHash64(number, 0) % 1000000) / 1000000, 2) * {users:UInt32})) AS u,
                   concat('u', toString(u)) AS user_id
            FROM numbers({first:UInt64}, {count:UInt64})) AS s
      INNER JOIN exposures AS x ON x.user_id = s.user_id AND x.project_id = {project:String}
      ARRAY JOIN [(0, 0, 'requested'), (1, 100, 'shown'),
                  (2, 2000, if((cityHash64(n, 3) % 1000000) / 1000000 < if(variant = 'control', 0.26, 0.3),
                               'accepted', 'rejected'))] AS step`,
    query_params: { project, users: USERS, first, count, since: clickhouseTime(sinceMs) },
  });
}

/**
 * The scale experiment "scale" (control/treatment over USERS users, `totalEvents` events over 14 days) in
 * a fresh embedded store, or the one kept in BENCH_RESULTS_DIR; also used by the scorecard benchmark.
 */
export async function loadScaleExperiment(totalEvents: number, log: (line: string) => void) {
  const keptDir = process.env.BENCH_RESULTS_DIR;
  const dataDir = keptDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "echo-bench-results-"));
  const loadedMarker = path.join(dataDir, `bench-loaded-${totalEvents}.json`);
  const reuse = keptDir !== undefined && fs.existsSync(loadedMarker);
  process.env.ECHO_DATA_DIR = dataDir;
  process.env.ECHO_DEMO = "0";
  const { startup } = await import("../../lib/runtime/startup");
  const { closeDatabase } = await import("../../lib/db");
  const { database } = await import("../../lib/runtime/database");
  const { clickhouse, closeClickHouse } = await import("../../lib/clickhouse");
  const { clickhouseHandle } = await import("../../lib/clickhouse/client");
  const { createModelVersion } = await import("../../lib/modelVersions/service");
  const { createExperiment, startExperiment } = await import("../../lib/experiments/service");
  const { createExperimentSchema } = await import("../../lib/experiments/schemas");
  const { loadAssignmentConfig } = await import("../../lib/experiments/assignmentConfig");
  const { assignUser } = await import("../../lib/assignment");
  const { stopRollupMaintenance } = await import("../../lib/results/rollup");
  const { stopRefinementPipeline } = await import("../../lib/refinements/pipeline");
  const { stopScorecardUpkeep } = await import("../../lib/results/service");
  const { exposureRow } = await import("../../lib/exposures/rows");
  const { EXPOSURE_COLUMNS } = await import("../../lib/clickhouse/tables");
  const { tsvRow } = await import("../../lib/clickhouse/tsv");

  await startup();
  await stopRollupMaintenance(); // built below, at known moments, so that no build lands inside a measurement
  await stopRefinementPipeline(); // no background work of its own inside the measurements either
  await stopScorecardUpkeep();
  const client = await database();
  const project = (await client.project.findFirstOrThrow()).id;
  const principal = { kind: "user" as const, userId: "bench", email: "bench", role: "admin" as const, projectId: project };
  let start: number;
  let loadSeconds = 0;
  if (reuse) {
    start = JSON.parse(fs.readFileSync(loadedMarker, "utf8")).start;
  } else {
    start = Date.now() - 14 * DAY;
    for (const key of ["base", "refined"]) await createModelVersion(client, principal, { key, name: key });
    await createExperiment(
      client,
      principal,
      createExperimentSchema.parse({
        key: "scale",
        name: "Scale",
        variants: [
          { key: "control", modelVersion: "base", weight: 0.5 },
          { key: "treatment", modelVersion: "refined", weight: 0.5 },
        ],
      }),
    );
    await startExperiment(client, principal, "scale");
    // Started when its traffic did: the page's default view (start until now) covers every event.
    const scale = { projectId_key: { projectId: project, key: "scale" } };
    await client.experiment.update({ where: scale, data: { startedAt: new Date(start) } });
    const config = await loadAssignmentConfig(client, project);
    const handle = await clickhouseHandle();
    const ch = await clickhouse();
    // Users are exposed on one of the first 7 days; variants come from the real hash.
    const exposures = Array.from({ length: USERS }, (_, u) => {
      const variant = assignUser(config, `u${u}`).assignments[0].variantKey!;
      const at = clickhouseTime(start + (u % 7) * DAY);
      return tsvRow(
        exposureRow({
          projectId: project,
          experimentKey: "scale",
          phase: 1,
          userId: `u${u}`,
          variantKey: variant,
          modelVersion: variant === "control" ? "base" : "refined",
          at,
        }),
        EXPOSURE_COLUMNS,
      );
    });
    await handle.insertTsv("exposures", EXPOSURE_COLUMNS, Buffer.from(exposures.join("\n") + "\n"));

    const t0 = Date.now();
    const suggestions = Math.ceil(totalEvents / 3); // requested, shown, accepted | rejected
    const chunk = 1_000_000;
    for (let first = 0; first < suggestions; first += chunk) {
      await insertSuggestions(ch, project, first, Math.min(chunk, suggestions - first));
      log(`  loaded ${Math.min(suggestions, first + chunk).toLocaleString("en-US")} of ${suggestions.toLocaleString("en-US")} suggestions`);
    }
    loadSeconds = (Date.now() - t0) / 1000;
    if (keptDir) fs.writeFileSync(loadedMarker, JSON.stringify({ start }));
  }
  const ch = await clickhouse();
  const events = (await (await ch.query({ query: "SELECT count() AS n FROM events", format: "JSONEachRow" })).json<{ n: number }>())[0].n;
  const close = async () => {
    await closeDatabase();
    await closeClickHouse();
    if (!keptDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { client, principal, project, start, events: Number(events), loadSeconds, reuse, dataDir, close };
}

export async function benchResults(totalEvents: number, log: (line: string) => void): Promise<ResultsBench> {
  const { client, principal, project, start, events, loadSeconds, reuse, close } = await loadScaleExperiment(totalEvents, log);
  const { clickhouse, queriesRun } = await import("../../lib/clickhouse");
  const { experimentResults } = await import("../../lib/results/service");
  const { refreshRollups } = await import("../../lib/results/rollup");
  const { ROLLUP_BUILD_TABLES } = await import("../../lib/results/sql");
  const { userDayRows } = await import("../../lib/results/queries");
  const { sumsFor } = await import("../../lib/metrics/values");
  const { DEFAULT_GUARDRAILS } = await import("../../lib/metrics/registry");
  const { resultsQuerySchema } = await import("../../lib/results/schema");
  const ch = await clickhouse();

  const query = resultsQuerySchema.parse({ from: new Date(start - DAY).toISOString(), to: new Date(start + 15 * DAY).toISOString() });
  const window = {
    projectId: project,
    experimentKey: "scale",
    phase: 1,
    from: clickhouseTime(query.from!.getTime()),
    to: clickhouseTime(query.to!.getTime()),
    lookbackDays: 14,
  };
  /** Timed runs (default three) after a warm-up (the bench reports their median and spread). */
  const timings = async (f: () => Promise<unknown>, runs = 3, warmUp = true) => {
    if (warmUp) await f();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await f();
      times.push(performance.now() - t);
    }
    return times;
  };
  // Raw events only (before any rollup build), then the steady state: the rollup built, as the
  // server's background maintenance keeps it.
  let rawAnswer: unknown = null;
  const rawResultsMs = reuse ? [] : await timings(async () => (rawAnswer = await experimentResults(client, principal, "scale", query)));
  // The build after the load, then again from nothing (a kept directory's first run too, so that every
  // run times a whole build), its memory read once the raw requests' is returned (gigabytes at 100M events).
  await settledRssMb();
  const rollupPeak = peakRss();
  const rollupSeconds: number[] = [];
  let rollupDays = 0;
  for (let run = 0; run < BUILD_RUNS; run++) {
    if (run > 0 || reuse) for (const table of ROLLUP_BUILD_TABLES) await ch.command({ query: `TRUNCATE TABLE ${table}` });
    const r0 = performance.now();
    rollupDays = await refreshRollups(client);
    rollupSeconds.push((performance.now() - r0) / 1000);
  }
  const rollupPeakRssMb = rollupPeak.stop();
  // The user-day query as the request runs it: its plan and the sums of its metric and default guardrails.
  const layout = sumsFor(["acceptance_rate", ...DEFAULT_GUARDRAILS]);
  const aggregation = () => userDayRows(window, undefined, layout);
  const request = () => experimentResults(client, principal, "scale", query);
  // The process's resident memory during the requests, from when the build's freed memory has gone back to
  // the system (the engine's allocator returns it within about a second, see settledRssMb).
  const rssBeforeMb = await settledRssMb();
  const requestsPeak = peakRss();
  // The request and its baseline taken in turns, so that a slow spell of the machine weighs on both
  // alike (taken one after the other, their medians had come from different minutes).
  const aggregationMs: number[] = [];
  const resultsMs: number[] = [];
  await aggregation(); // warm-up
  const freshAnswer = await request();
  const answerComparisons: ResultsBench["answerComparisons"] = [];
  const compare = (name: string, a: unknown, b: unknown) => answerComparisons.push({ name, difference: compareAnswers(a, b) });
  if (rawAnswer) compare("raw events only vs the rollup fresh", rawAnswer, freshAnswer);
  for (let i = 0; i < PAIRED_RUNS; i++) {
    aggregationMs.push(...(await timings(aggregation, 1, false)));
    resultsMs.push(...(await timings(request, 1, false)));
  }
  const resultsPeakRssMb = requestsPeak.stop();
  // A live product keeps sending events today, and late ones for earlier days (a refined event minutes after
  // midnight): one background pass's worth of traffic at the load's own rate (its suggestions spread over
  // the last 30 s, from the users the load's distribution draws), and one event yesterday, make both days
  // differ from their builds. Yesterday holds a whole day of events whatever the hour of the run, so the
  // figure does not depend on it. New suggestion numbers each run, so that kept data never repeats an event.
  const liveSuggestions = Math.ceil((events / 3) * (PASS_SECONDS / (LOAD_DAYS * 86_400)));
  let nextSuggestion = 1e12 + (Date.now() % 1e9) * 1e3;
  const liveTraffic = async () => {
    const before = clickhouseTime(Date.now() - 1000);
    await insertSuggestions(ch, project, nextSuggestion, liveSuggestions, Date.now() - PASS_SECONDS * 1000);
    nextSuggestion += liveSuggestions;
    await ch.command({
      query: `INSERT INTO events (project_id, event_id, type, timestamp, user_id, suggestion_id, model_version)
              VALUES ({project:String}, generateUUIDv4(), 'requested', toStartOfDay(now64(3)) - toIntervalHour(12), 'u1', 'late', 'base')`,
      query_params: { project },
    });
    const [sent] = await (
      await ch.query({
        query: `SELECT count() AS events, uniqExact(user_id) AS users FROM events
                WHERE project_id = {project:String} AND toDate(timestamp) = today() AND ingested_at > {before:DateTime64(3, 'UTC')}`,
        query_params: { project, before },
        format: "JSONEachRow",
      })
    ).json<{ events: number | string; users: number | string }>();
    return { events: Number(sent.events), users: Number(sent.users) };
  };
  const live = await liveTraffic();
  let liveAnswer: unknown = null;
  const liveResultsMs = await timings(async () => (liveAnswer = await request()));
  // The background maintenance's next pass: it patches both days (the users who sent events, anew); then
  // two more rounds of a pass's traffic and its refresh.
  const incrementalDays: number[] = [];
  const patchedDays: number[] = [];
  const incrementalSeconds: number[] = [];
  for (let run = 0; run < BUILD_RUNS; run++) {
    if (run > 0) await liveTraffic();
    const patchesBefore = queriesRun("rollup.patchRows");
    const i0 = performance.now();
    incrementalDays.push(await refreshRollups(client));
    incrementalSeconds.push((performance.now() - i0) / 1000);
    patchedDays.push(queriesRun("rollup.patchRows") - patchesBefore);
    if (run === 0) compare("live, the days' tails read raw vs the days patched", liveAnswer, await request());
  }
  // Its baseline: the same rounds, the days built from all of their events.
  const fullRebuildDays: number[] = [];
  const fullRebuildSeconds: number[] = [];
  for (let run = 0; run < BUILD_RUNS; run++) {
    await liveTraffic();
    const f0 = performance.now();
    fullRebuildDays.push(await refreshRollups(client, Date.now(), { incremental: false }));
    fullRebuildSeconds.push((performance.now() - f0) / 1000);
  }
  // Mid-rebuild: more traffic, then a full rebuild with a request planned while its first day's rows are
  // being written (the rows of two builds of that day stored side by side, the new one not yet recorded).
  await liveTraffic();
  const beforeRebuild = await request();
  const insertsBefore = queriesRun("rollup.insert");
  let rebuilding = true;
  const rebuild = refreshRollups(client, Date.now(), { incremental: false }).finally(() => (rebuilding = false));
  while (rebuilding && queriesRun("rollup.insert") === insertsBefore) await new Promise((resolve) => setTimeout(resolve, 2));
  const midRebuildOverlapped = rebuilding; // the request starts with the rebuild's first insert under way
  const midRebuild = await request();
  await rebuild;
  compare("before a full rebuild (tails read raw) vs mid-rebuild", beforeRebuild, midRebuild);
  compare("mid-rebuild vs after it", midRebuild, await request());
  await close();
  return {
    events,
    loadSeconds,
    rollupSeconds,
    rollupDays,
    liveEvents: live.events,
    liveUsers: live.users,
    incrementalDays,
    patchedDays,
    incrementalSeconds,
    fullRebuildDays,
    fullRebuildSeconds,
    resultsMs,
    liveResultsMs,
    rawResultsMs,
    aggregationMs,
    rssBeforeMb,
    resultsPeakRssMb,
    rollupPeakRssMb,
    answerComparisons,
    midRebuildOverlapped,
  };
}

// tsx scripts/bench/results.ts [events] [report.json]: run on its own (prints the figures) or from
// scripts/bench.ts (writes them to report.json).
if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] || 1_000_000);
  const reportFile = process.argv[3];
  keepHeapHeadroom(); // as server.ts does: this process stands for the server's request path
  benchResults(n, (line) => process.stdout.write(`${line}\r`)).then((r) => {
    if (reportFile) fs.writeFileSync(reportFile, JSON.stringify(r));
    else console.log(r);
    process.exit(0);
  });
}
