/**
 * Sample building spread over worker threads, one per core (lib/workers/pool.ts): the pipeline's CPU work
 * (redaction, trimming, measures, tree-sitter parsing) is pure, so a slice is cut into chunks that idle
 * workers take in turn, and the answers are put back in the slice's order. The result is the same as
 * building in-process (lib/refinements/build.ts runs in both; tests/integration/refinements.workers.test.ts
 * compares the two), which is also the fallback when a worker fails.
 *
 * Small batches (a server's steady trickle) are built in-process. Workers start together on the first large
 * batch (each loads its grammars before the large slices come) and stop after a minute without work, so a
 * server that keeps up holds no extra threads.
 */
import os from "node:os";
import { closeSharedPool, sharedPool, sharedPoolState } from "../workers/pool";
import { buildBatch, type BuildBatch } from "./build";
import type { RefinementConfig } from "./config";
import type { BuiltRow, RefinedLines } from "./rows";

/**
 * Batches smaller than this are built in-process: a server keeping up with live traffic (a pass every
 * 2 s) builds its few hundred samples in milliseconds without the ~85 MB each worker holds; the workers
 * take backlogs (a start after downtime, a burst, a re-run).
 */
const MIN_POOL_SAMPLES = 2_000;
/** Samples per message at most: small enough to share a slice evenly between workers, large enough that messaging costs little. */
const CHUNK_SAMPLES = 500;
/**
 * Runs smaller than a whole slice (lib/refinements/pipeline.ts, 5,000 suggestions) go to one worker as one
 * message: a server keeping up with heavy live traffic (a few thousand samples per pass) then keeps one
 * worker (about 70 MB) instead of one per core; a backlog's full slices are shared between them all.
 */
const SHARED_RUN_SAMPLES = 5_000;
const WORKER_FILE = "lib/refinements/buildWorker.ts";
const POOL = "refinement build";

export interface BuildOptions {
  /** Worker threads (default: one per core); 0 builds in-process. */
  workers?: number;
  /** The worker's entry, from the application's root (tests give one that cannot start). */
  workerFile?: string;
  /** Batches from this size on are built by the workers (default 2,000; tests use smaller ones). */
  minPoolSamples?: number;
  /** Batches from this size on are shared between the workers (default 5,000; tests use smaller ones). */
  sharedRunSamples?: number;
}

/** One worker per core the process may use. */
export function defaultBuildWorkers(): number {
  return os.availableParallelism();
}

const buildPool = (size: number, workerFile: string) =>
  sharedPool<BuildBatch, BuiltRow[], BuildBatch, null>({
    name: POOL,
    workerFile,
    size,
    newMemo: () => null,
    message: (batch) => ({ message: batch }),
    inProcess: buildBatch,
  });

/** Lines [from, to) of an extraction (lib/refinements/rows.ts), to be built with the config given. */
export interface LineRun {
  lines: RefinedLines;
  from: number;
  to: number;
  /** Whether each line's user opted out, in the run's order. */
  optedOut: boolean[];
  config: RefinementConfig;
}

/**
 * The run's sample rows in consecutive chunks, each settling as soon as it is built (so the caller can go
 * on with the first while the last are still being built): by the worker pool when the run is large
 * enough, else in-process as one chunk. A chunk's lines go as one text, sliced from the extraction's.
 */
export function buildSampleChunks(run: LineRun, options: BuildOptions = {}): Promise<BuiltRow[]>[] {
  const workers = options.workers ?? defaultBuildWorkers();
  const count = run.to - run.from;
  const batch = (first: number, end: number): BuildBatch => ({
    text: run.lines.text.slice(run.lines.starts[first], run.lines.starts[end]),
    optedOut: run.optedOut.slice(first - run.from, end - run.from),
    config: run.config,
  });
  if (workers <= 0 || count < (options.minPoolSamples ?? MIN_POOL_SAMPLES)) return [buildBatch(batch(run.from, run.to))];
  const pool = buildPool(workers, options.workerFile ?? WORKER_FILE);
  if (count < (options.sharedRunSamples ?? SHARED_RUN_SAMPLES)) return [pool.run(batch(run.from, run.to))];
  const chunk = Math.min(CHUNK_SAMPLES, Math.ceil(count / workers));
  const chunks: Promise<BuiltRow[]>[] = [];
  for (let at = run.from; at < run.to; at += chunk) chunks.push(pool.run(batch(at, Math.min(at + chunk, run.to)), at === run.from));
  return chunks;
}

/** Stops the pool's workers (tests; the next large batch starts them again). */
export function closeBuildPool() {
  closeSharedPool(POOL);
}

/** Workers running now, and whether the pool gave up on them (then everything is built in-process). */
export function buildPoolState(): { workers: number; failed: boolean } {
  return sharedPoolState(POOL);
}
