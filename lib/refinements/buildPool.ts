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
import type { RefinementSample } from "./sample";

/**
 * Batches smaller than this are built in-process: a server keeping up with live traffic (a pass every
 * 2 s) builds its few hundred samples in milliseconds without the ~85 MB each worker holds; the workers
 * take backlogs (a start after downtime, a burst, a re-run).
 */
const MIN_POOL_SAMPLES = 2_000;
/** Samples per message at most: small enough to share a slice evenly between workers, large enough that messaging costs little. */
const CHUNK_SAMPLES = 1_000;
const WORKER_FILE = "lib/refinements/buildWorker.ts";
const POOL = "refinement build";

export interface BuildOptions {
  /** Worker threads (default: one per core); 0 builds in-process. */
  workers?: number;
  /** The worker's entry, from the application's root (tests give one that cannot start). */
  workerFile?: string;
  /** Batches from this size on are built by the workers (default 2,000; tests use smaller ones). */
  minPoolSamples?: number;
}

/** One worker per core the process may use. */
export function defaultBuildWorkers(): number {
  return os.availableParallelism();
}

const buildPool = (size: number, workerFile: string) =>
  sharedPool<BuildBatch, RefinementSample[], BuildBatch, null>({
    name: POOL,
    workerFile,
    size,
    startAll: true,
    newMemo: () => null,
    message: (batch) => ({ message: batch }),
    inProcess: buildBatch,
  });

/**
 * The batch's samples in consecutive chunks, each settling as soon as it is built (so the caller can go
 * on with the first while the last are still being built): by the worker pool when the batch is large
 * enough, else in-process as one chunk.
 */
export function buildSampleChunks(batch: BuildBatch, options: BuildOptions = {}): Promise<RefinementSample[]>[] {
  const workers = options.workers ?? defaultBuildWorkers();
  if (workers <= 0 || batch.inputs.length < (options.minPoolSamples ?? MIN_POOL_SAMPLES)) return [buildBatch(batch)];
  const pool = buildPool(workers, options.workerFile ?? WORKER_FILE);
  const chunk = Math.min(CHUNK_SAMPLES, Math.ceil(batch.inputs.length / workers));
  const chunks: Promise<RefinementSample[]>[] = [];
  for (let at = 0; at < batch.inputs.length; at += chunk) {
    const part = { inputs: batch.inputs.slice(at, at + chunk), optedOut: batch.optedOut.slice(at, at + chunk), config: batch.config };
    chunks.push(pool.run(part));
  }
  return chunks;
}

/** The batch's samples, in its order (see buildSampleChunks). */
export async function buildSamples(batch: BuildBatch, options: BuildOptions = {}): Promise<RefinementSample[]> {
  return (await Promise.all(buildSampleChunks(batch, options))).flat();
}

/** Stops the pool's workers (tests; the next large batch starts them again). */
export function closeBuildPool() {
  closeSharedPool(POOL);
}

/** Workers running now, and whether the pool gave up on them (then everything is built in-process). */
export function buildPoolState(): { workers: number; failed: boolean } {
  return sharedPoolState(POOL);
}
