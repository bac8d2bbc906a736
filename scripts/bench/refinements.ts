// Refinement samples at scale, in a fresh embedded ClickHouse, each figure beside the engine's own part
// measured in the same run:
//   - pipeline throughput: three passes of the pipeline (extract → redact → trim → measure → parse →
//     classify → write), each over 20,000 new refined suggestions stored in one insert, vs the extraction
//     query alone, and one such pass with the samples built in-process instead of on worker threads; then
//     three more beside the 1,000,000 browsing samples (whose generated keys never match the pipeline's:
//     the duplicate lookups there find nothing, at the cost of looking through a large table);
//   - freshness: refined events posted through ingestion until their samples are listed, with the
//     background pipeline running as on a server;
//   - browsing 1,000,000 samples: the first filtered page of GET /api/v1/refinements (and with a
//     label filter) vs the page's id query alone;
//   - exporting about 100,000 of them as a dataset: freezing, then streaming the download (samples/s and
//     memory growth) vs the engine reading the same rows as one text.
// Samples for browsing are generated inside the engine (INSERT … SELECT over numbers()), as the
// results benchmark generates events, with suggestion ids in no relation to their time (hashes, as the
// SDK's random ids are): ids counting up with time would make any read in time order look local.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface RefinementsBench {
  /** Refined suggestions per measured pass; each figure below has one value per pass. */
  pipelineSamples: number;
  pipelineSamplesPerSecond: number[];
  extractionMs: number[];
  pipelineMs: number[];
  /** One pass with every sample built in-process (no worker threads). */
  inProcessSamplesPerSecond: number;
  /** Passes over the same completions, each inside the functions of its file (about this many KB of context). */
  inFileContextKb: number;
  inFileSamplesPerSecond: number[];
  /** Passes run after the browsing samples were stored (duplicate lookups over a large table). */
  storedPipelineSamplesPerSecond: number[];
  freshnessMs: number;
  browseSamples: number;
  /** Browsing timings: five runs each after a warm-up. */
  firstPageMs: number[];
  filteredPageMs: number[];
  labelPageMs: number[];
  idQueryMs: number[];
  exportSamples: number;
  freezeMs: number;
  exportSamplesPerSecond: number;
  exportMegabytes: number;
  /** Resident memory growth while streaming (peak over the start), after a warm-up download. */
  exportRssGrowthMb: number;
  /** The engine alone: the same samples' columns read as one TabSeparated text. */
  rawExportMs: number;
}

const PIPELINE_SUGGESTIONS = 20_000;
const PIPELINE_RUNS = 3;
const LANGUAGES = ["python", "typescript", "go", "java"] as const;

/** A small, realistic completion and its refinement per language (a rename, an added argument). */
function snippet(language: (typeof LANGUAGES)[number], i: number): { prefix: string; proposal: string; final: string } {
  switch (language) {
    case "python":
      return {
        prefix: `def load_${i}(path):\n`,
        proposal: `    with open(path) as f:\n        return f.read()\n`,
        final: `    with open(path, encoding="utf-8") as handle:\n        return handle.read()\n`,
      };
    case "typescript":
      return {
        prefix: `export function total${i}(items: number[]): number {\n`,
        proposal: `  return items.reduce((a, b) => a + b, 0);\n}\n`,
        final: `  return items.reduce((sum, item) => sum + item, ${i % 3});\n}\n`,
      };
    case "go":
      return {
        prefix: `func read${i}(path string) ([]byte, error) {\n`,
        proposal: `\treturn os.ReadFile(path)\n}\n`,
        final:
          `\tdata, err := os.ReadFile(path)\n\tif err != nil {\n` +
          `\t\treturn nil, fmt.Errorf("read %s: %w", path, err)\n\t}\n\treturn data, nil\n}\n`,
      };
    default:
      return {
        prefix: `class Box${i} {\n  int size(java.util.List<String> xs) {\n`,
        proposal: `    return xs.size();\n  }\n}\n`,
        final: `    return xs == null ? 0 : xs.size();\n  }\n}\n`,
      };
  }
}

/**
 * The file around a sample, per language, as a plugin sends it: functions before the completion's (about
 * 4 KB) and after it (about 2 KB). Refinements are judged in the file (redaction, the duplicate key) and
 * in the construct around the cursor (the syntax check).
 */
function fileAround(language: (typeof LANGUAGES)[number]): { before: string; after: string } {
  const functions = (count: number, from: number) =>
    Array.from({ length: count }, (_, k) => {
      const n = from + k;
      const lines = {
        python: [
          `def helper_${n}(values, limit=${n}):`,
          '    """Totals the values above the limit."""',
          "    total = 0",
          "    for value in values:",
          "        if value > limit:",
          "            total += value * 2",
          "        else:",
          "            total -= 1",
          "    return total",
          "",
          "",
        ],
        typescript: [
          `export function helper${n}(values: number[], limit = ${n}): number {`,
          "  // Totals the values above the limit.",
          "  let total = 0;",
          "  for (const value of values) {",
          "    total += value > limit ? value * 2 : -1;",
          "  }",
          "  return total;",
          "}",
          "",
        ],
        go: [
          `// helper${n} totals the values above the limit.`,
          `func helper${n}(values []int, limit int) int {`,
          "\ttotal := 0",
          "\tfor _, value := range values {",
          "\t\tif value > limit {",
          "\t\t\ttotal += value * 2",
          "\t\t} else {",
          "\t\t\ttotal--",
          "\t\t}",
          "\t}",
          "\treturn total",
          "}",
          "",
        ],
        java: [
          `class Helper${n} {`,
          "  /** Totals the values above the limit. */",
          "  int total(int[] values, int limit) {",
          "    int total = 0;",
          "    for (int value : values) {",
          "      total += value > limit ? value * 2 : -1;",
          "    }",
          "    return total;",
          "  }",
          "}",
          "",
        ],
      }[language];
      return lines.join("\n") + "\n";
    }).join("");
  const header = {
    python: "import os\nimport json\n\n\n",
    typescript: 'import { readFileSync } from "node:fs";\n\n',
    go: 'package store\n\nimport (\n\t"fmt"\n\t"os"\n)\n\n',
    java: "package store;\n\nimport java.util.List;\n\n",
  }[language];
  return { before: header + functions(16, 0), after: "\n" + functions(8, 16) };
}

async function timeMs<T>(run: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await run();
  return [performance.now() - started, value];
}

export async function benchRefinements(browseSamples: number, log: (line: string) => void): Promise<RefinementsBench> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-bench-refinements-"));
  process.env.ECHO_DATA_DIR = dataDir;
  process.env.ECHO_DEMO = "0";
  const { randomUUID } = await import("node:crypto");
  const { startup } = await import("../../lib/runtime/startup");
  const { database } = await import("../../lib/runtime/database");
  const { closeDatabase } = await import("../../lib/db");
  const { clickhouse, closeClickHouse, runStatement } = await import("../../lib/clickhouse");
  const { clickhouseHandle } = await import("../../lib/clickhouse/client");
  const { EVENT_COLUMNS } = await import("../../lib/clickhouse/tables");
  const { eventTsv } = await import("../../lib/events/rows");
  const { eventSchema } = await import("../../lib/events/schema");
  const { ingestEvents } = await import("../../lib/events/service");
  const { flushIngestion } = await import("../../lib/ingestion/log");
  const { runPipelinePass, startRefinementPipeline, stopRefinementPipeline } = await import("../../lib/refinements/pipeline");
  const { nextSlice, pipelineWatermark, refinedSuggestions, samplePage, saveWatermark } = await import("../../lib/refinements/queries");
  const { listSamples } = await import("../../lib/refinements/service");
  const { stopRollupMaintenance } = await import("../../lib/results/rollup");
  const { stopScorecardUpkeep } = await import("../../lib/results/service");

  await startup();
  await stopRollupMaintenance();
  await stopScorecardUpkeep();
  await stopRefinementPipeline(); // passes below run at known moments
  const client = await database();
  const projectId = (await client.project.findFirstOrThrow()).id;
  const principal = { kind: "apiKey" as const, keyId: "bench", scope: "admin" as const, projectId };
  await clickhouse();
  const handle = await clickhouseHandle();

  // 1. Pipeline throughput over refined suggestions already stored.
  const base = Date.now() - 6 * 3_600_000; // 100 ms apart: the passes' 140,000 suggestions all lie in the past
  const files = new Map(LANGUAGES.map((language) => [language, fileAround(language)]));
  const refinedRows = (first: number, count: number, inFile: boolean) => {
    const rows: string[] = [];
    for (let i = first; i < first + count; i++) {
      const language = LANGUAGES[i % LANGUAGES.length];
      const small = snippet(language, i);
      const file = files.get(language)!;
      const code = inFile ? { ...small, prefix: file.before + small.prefix, suffix: file.after } : small;
      const common = { userId: `bench-u${i % 2_000}`, suggestionId: `bench-s${i}`, modelVersion: "bench", language, ide: "vscode" };
      const at = (offset: number) => new Date(base + i * 100 + offset).toISOString();
      const accepted = { ...common, eventId: randomUUID(), type: "accepted", timestamp: at(0), acceptedChars: code.proposal.length };
      const finalState = i % 5 === 0 ? code.proposal : code.final; // a fifth are plain accepts
      const refined = {
        ...common,
        eventId: randomUUID(),
        type: "refined",
        timestamp: at(50),
        windowSeconds: 60,
        ...code,
        final: finalState,
      };
      rows.push(eventTsv(projectId, eventSchema.parse(accepted)), eventTsv(projectId, eventSchema.parse(refined)));
    }
    return Buffer.from(rows.join("\n") + "\n");
  };
  const settle = () => new Promise((r) => setTimeout(r, 1_100)); // the pipeline reads inserts at least a second old
  // Each pass measured: 20,000 new refined suggestions stored in one insert, then one pass over them (which
  // also re-reads the 5 s before its watermark, as every pass on a server re-reads the one before).
  let nextSuggestion = 0;
  const measuredPass = async (options?: Parameters<typeof runPipelinePass>[1], inFile = false) => {
    await handle.insertTsv("events", EVENT_COLUMNS, refinedRows(nextSuggestion, PIPELINE_SUGGESTIONS, inFile));
    nextSuggestion += PIPELINE_SUGGESTIONS;
    await settle();
    const from = await pipelineWatermark();
    const slice = await nextSlice(from, Number.MAX_SAFE_INTEGER);
    const [extractionMs] = await timeMs(() => refinedSuggestions(from, slice.to));
    const [ms, pass] = await timeMs(() => runPipelinePass(client, options));
    return { ms, samplesPerSecond: pass.samples / (ms / 1000), samples: pass.samples, extractionMs };
  };
  const measuredPasses = async (label: string, inFile = false) => {
    const runs = [];
    for (let i = 0; i < PIPELINE_RUNS; i++) runs.push(await measuredPass(undefined, inFile));
    for (const run of runs)
      log(`${label}: ${run.samples} samples in ${Math.round(run.ms)} ms; the extraction query alone ${Math.round(run.extractionMs)} ms`);
    return runs;
  };
  // The first pass is not measured: the worker threads (lib/refinements/buildPool.ts) start, and their code and
  // the parsers' WebAssembly get optimized as on a server that has been building samples (a worker's first
  // 1,000 samples take about five times as long as later ones).
  await measuredPass();
  const pipeline = await measuredPasses("pipeline");
  // The same with every sample built in-process (no worker threads).
  const inProcess = await measuredPass({ build: { workers: 0 } });
  log(`the same pass built in-process: ${inProcess.samples} samples in ${Math.round(inProcess.ms)} ms`);
  // The same completions inside their files: redaction and the duplicate key read the whole context, the
  // syntax check the construct around the cursor.
  const python = files.get("python")!;
  const contextKb = Math.round((python.before.length + python.after.length) / 1000);
  const inFile = await measuredPasses(`pipeline, each sample inside ${contextKb} KB of its file`, true);

  // 2. Freshness: posted through ingestion, listed by the background pipeline.
  startRefinementPipeline(client);
  const freshIds = Array.from({ length: 50 }, (_, i) => `fresh-${i}`);
  const events = freshIds.flatMap((suggestionId, i) => {
    const code = snippet("python", i);
    const common = { userId: `fresh-u${i}`, suggestionId, modelVersion: "bench", language: "python" };
    const now = new Date().toISOString();
    return [
      { ...common, eventId: randomUUID(), type: "accepted", timestamp: now, acceptedChars: 20 },
      { ...common, eventId: randomUUID(), type: "refined", timestamp: now, windowSeconds: 60, ...code },
    ];
  });
  const posted = performance.now();
  await ingestEvents(client, projectId, events);
  let freshnessMs = Number.POSITIVE_INFINITY;
  while (performance.now() - posted < 30_000) {
    const page = await listSamples(principal, { limit: 200, sort: "recent" });
    if (freshIds.every((id) => page.items.some((s) => s.suggestionId === id))) {
      freshnessMs = performance.now() - posted;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopRefinementPipeline();
  await flushIngestion();
  log(`freshness: samples listed ${Math.round(freshnessMs)} ms after their events were acknowledged`);

  // 3. Browsing a large sample table.
  await runStatement({ tag: "bench.truncateSamples", sql: "TRUNCATE TABLE refinement_samples" });
  await runStatement({ tag: "bench.truncateDedupeKeys", sql: "TRUNCATE TABLE refinement_dedupe_keys" });
  const outcomes = "['kept', 'kept', 'kept', 'unchanged', 'unchanged', 'noise', 'duplicate', 'secret', 'syntax_error']";
  await runStatement({
    tag: "bench.generateSamples",
    sql: `INSERT INTO refinement_samples (project_id, suggestion_id, user_id, model_version, experiment_key, variant_key, language, ide,
                                          user_group, prefix, proposal, final, target, edit_distance, edit_ratio, retained_chars,
                                          lines_added, lines_removed, outcome, reasons, syntax, dedupe_key, window_seconds, accepted_at,
                                          refined_at, refined_event_id, processed_at)
          SELECT {projectId:String}, lower(hex(SHA256(concat('g', toString(number))))), concat('u', toString(number % 20000)),
                 ['base', 'refined'][1 + number % 2], 'bench-exp', ['control', 'treatment'][1 + number % 2],
                 ['python', 'typescript', 'go', 'java', 'rust'][1 + cityHash64(number, 1) % 5], 'vscode', 'external',
                 concat('def f', toString(number), '(x):\\n'), '    return x + 1\\n', '    return x + 2\\n', '    return x + 2\\n',
                 1, (cityHash64(number, 2) % 1000) / 1000, 15, 1, 1,
                 ${outcomes}[1 + cityHash64(number, 3) % 9], [], 'ok', toString(cityHash64(number)), 60,
                 now64(3) - toIntervalSecond(number), now64(3) - toIntervalSecond(number) + toIntervalSecond(30), generateUUIDv4(), now64(3)
          FROM numbers({count:UInt64})`,
    params: { projectId, count: browseSamples },
  });
  await runStatement({
    tag: "bench.generateLabels",
    sql: `INSERT INTO refinement_labels (project_id, suggestion_id, label, note, labeled_by, labeled_at)
          SELECT {projectId:String}, lower(hex(SHA256(concat('g', toString(number * 10))))),
                 ['good', 'bad', 'needs_review'][1 + number % 3], '', 'bench', now64(3)
          FROM numbers({count:UInt64})`,
    params: { projectId, count: Math.floor(browseSamples / 10) },
  });
  await runStatement({ tag: "bench.optimizeSamples", sql: "OPTIMIZE TABLE refinement_samples FINAL" });
  log(`browsing: ${browseSamples.toLocaleString("en-US")} samples generated in the engine, 10% labelled`);

  const measure = async (run: () => Promise<unknown>) => {
    await run(); // warm
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push((await timeMs(run))[0]);
    return times;
  };
  const firstPageMs = await measure(() => listSamples(principal, { limit: 50, sort: "recent" }));
  const filteredPageMs = await measure(() =>
    listSamples(principal, { limit: 50, sort: "recent", language: "python", outcome: "kept", minEditRatio: 0.2 }),
  );
  const labelPageMs = await measure(() => listSamples(principal, { limit: 50, sort: "recent", label: "good" }));
  const idQueryMs = await measure(() => samplePage(projectId, { language: "python", outcome: "kept", minEditRatio: 0.2 }, "recent", 51));

  // 4. Exporting a dataset of about 100,000 of those samples: freeze, then stream the download.
  const { createDataset, downloadDataset } = await import("../../lib/datasets/service");
  const { createDatasetSchema } = await import("../../lib/datasets/schemas");
  const { queryTabSeparated } = await import("../../lib/clickhouse");
  const exportFilter = { outcome: ["kept"], maxEditRatio: Math.min(1, 100_000 / (browseSamples / 3)) };
  const [freezeMs, dataset] = await timeMs(() =>
    createDataset(client, principal, createDatasetSchema.parse({ name: "bench-export", filter: exportFilter, format: "jsonl" })),
  );
  // A first download warms the engine's caches (marks, indexes of the samples table), which stay
  // whatever the size of later downloads; the second one measures what streaming itself holds.
  for await (const text of (await downloadDataset(client, principal, dataset.id, "all")).lines) void text;
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
  let bytes = 0;
  const exportStarted = performance.now();
  const download = await downloadDataset(client, principal, dataset.id, "all");
  for await (const text of download.lines) bytes += Buffer.byteLength(text);
  const exportMs = performance.now() - exportStarted;
  clearInterval(sampler);
  const [rawExportMs] = await timeMs(() =>
    queryTabSeparated({
      tag: "bench.rawExport",
      sql: `SELECT s.suggestion_id, s.prefix, s.target, s.language, s.model_version, s.outcome, s.edit_ratio
            FROM refinement_samples AS s FINAL
            WHERE s.project_id = {projectId:String} AND s.outcome = 'kept' AND s.edit_ratio <= {maxEditRatio:Float64}`,
      params: { projectId, maxEditRatio: exportFilter.maxEditRatio },
    }),
  );
  log(`export: ${dataset.sampleCount} samples frozen in ${Math.round(freezeMs)} ms, streamed in ${Math.round(exportMs)} ms`);

  // 5. The pipeline again, now beside the 1,000,000 samples stored above: its duplicate lookups and writes
  // as the table grows. A first pass, unmeasured, re-reads the freshness section's 50 suggestions (their
  // samples went with the table's contents above).
  await measuredPass();
  const pipelineBesideStored = await measuredPasses(`pipeline beside ${browseSamples.toLocaleString("en-US")} stored samples`);

  await saveWatermark(await pipelineWatermark());
  await closeDatabase();
  await closeClickHouse();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return {
    pipelineSamples: PIPELINE_SUGGESTIONS,
    pipelineSamplesPerSecond: pipeline.map((run) => run.samplesPerSecond),
    extractionMs: pipeline.map((run) => run.extractionMs),
    pipelineMs: pipeline.map((run) => run.ms),
    inProcessSamplesPerSecond: inProcess.samplesPerSecond,
    inFileContextKb: contextKb,
    inFileSamplesPerSecond: inFile.map((run) => run.samplesPerSecond),
    storedPipelineSamplesPerSecond: pipelineBesideStored.map((run) => run.samplesPerSecond),
    freshnessMs,
    browseSamples,
    firstPageMs,
    filteredPageMs,
    labelPageMs,
    idQueryMs,
    exportSamples: dataset.sampleCount,
    freezeMs,
    exportSamplesPerSecond: dataset.sampleCount / (exportMs / 1000),
    exportMegabytes: bytes / 1_000_000,
    exportRssGrowthMb: (rssPeak - rssBefore) / 1_000_000,
    rawExportMs,
  };
}

// Run on its own: tsx scripts/bench/refinements.ts [samples] [output.json]
if (process.argv[1]?.endsWith("refinements.ts")) {
  const samples = Number(process.argv[2] || 1_000_000);
  const result = await benchRefinements(samples, (line) => console.log(`  ${line}`));
  if (process.argv[3]) fs.writeFileSync(process.argv[3], JSON.stringify(result));
  else console.log(result);
  process.exit(0);
}
