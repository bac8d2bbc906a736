/**
 * Sample building spread over worker threads, one per core: the pipeline's CPU work (redaction, trimming,
 * measures, tree-sitter parsing) is pure, so a slice is cut into chunks that idle workers take in turn, and
 * the answers are put back in the slice's order. The result is the same as building in-process
 * (lib/refinements/build.ts runs in both; tests/integration/refinements.workers.test.ts compares the two).
 *
 * The worker runs the TypeScript source (lib/refinements/buildWorker.ts) through tsx's loader, both found
 * from the application's root at run time (`process.cwd()`, as syntax.ts finds its grammars), so it starts
 * alike under tsx, in vitest and inside the Next.js production bundle, which does not bundle a path it
 * cannot see. When a worker cannot start or fails, the pool stops for the process (logged once) and every
 * batch it held, and every later one, is built in-process.
 *
 * Small batches (a server's steady trickle) are built in-process. Workers start on the first large batch
 * and stop after a minute without work, so a server that keeps up holds no extra threads (each holds its
 * own copy of the modules and tree-sitter grammars).
 */
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { buildBatch, type BuildBatch } from "./build";
import type { BuildAnswer, BuildRequest } from "./buildWorker";
import type { RefinementSample } from "./sample";

/**
 * Batches smaller than this are built in-process: a server keeping up with live traffic (a pass every
 * 2 s) builds its few hundred samples in milliseconds without the ~85 MB each worker holds; the workers
 * take backlogs (a start after downtime, a burst, a re-run).
 */
const MIN_POOL_SAMPLES = 2_000;
/** Samples per message at most: small enough to share a slice evenly between workers, large enough that messaging costs little. */
const CHUNK_SAMPLES = 1_000;
/** Workers idle this long are stopped. */
const IDLE_MS = 60_000;
const WORKER_FILE = "lib/refinements/buildWorker.ts";

export interface BuildOptions {
  /** Worker threads (default: one per core); 0 builds in-process. */
  workers?: number;
  /** The worker's entry, from the application's root (tests give one that cannot start). */
  workerFile?: string;
  /** Batches from this size on are built by the workers (default 2,000; tests use smaller ones). */
  minPoolSamples?: number;
}

interface Task {
  id: number;
  batch: BuildBatch;
  resolve: (samples: RefinementSample[]) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  task?: Task;
}

/** One worker per core the process may use. */
export function defaultBuildWorkers(): number {
  return os.availableParallelism();
}

class BuildPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Task[] = [];
  private nextId = 0;
  private idleTimer?: NodeJS.Timeout;
  /** Set when a worker failed: every batch is then built in-process. */
  failed = false;

  constructor(
    readonly size: number,
    readonly workerFile: string,
  ) {}

  run(batch: BuildBatch): Promise<RefinementSample[]> {
    if (this.failed) return buildBatch(batch);
    clearTimeout(this.idleTimer);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, batch, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch() {
    // All workers start together, so that each has loaded its grammars before the large slices come.
    while (this.workers.length < this.size) this.spawn();
    while (this.queue.length > 0) {
      const free = this.workers.find((w) => !w.task);
      if (!free) return;
      const task = this.queue.shift()!;
      free.task = task;
      free.worker.ref(); // a pending answer keeps the process alive; an idle worker does not
      free.worker.postMessage({ id: task.id, batch: task.batch } satisfies BuildRequest);
    }
  }

  private spawn(): PoolWorker {
    // tsx's loader registered in the thread, then the entry imported through it (Node 20 does not apply
    // an `--import tsx` in a worker's execArgv to the worker's own entry). The code runs from the
    // application's root, where `tsx` resolves.
    const entry = JSON.stringify(pathToFileURL(this.workerFile).href);
    const bootstrap = `import("tsx/esm/api").then(({ register }) => { register(); return import(${entry}); })`;
    // A young generation larger than the default: building makes many short-lived strings, and fewer
    // scavenges cost less (measured: about 8% less CPU per sample).
    const worker = new Worker(bootstrap, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
    const pooled: PoolWorker = { worker };
    worker.unref();
    worker.on("message", (answer: BuildAnswer) => {
      const task = pooled.task;
      if (!task || task.id !== answer.id) return;
      pooled.task = undefined;
      worker.unref();
      if ("error" in answer) task.reject(new Error(answer.error));
      else task.resolve(answer.samples);
      this.dispatch();
      if (this.workers.every((w) => !w.task)) {
        clearTimeout(this.idleTimer);
        this.idleTimer = setTimeout(() => this.stop(), IDLE_MS).unref();
      }
    });
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => {
      if (this.workers.includes(pooled)) this.fail(new Error(`build worker exited with code ${code}`));
    });
    this.workers.push(pooled);
    return pooled;
  }

  /** A worker failed: stop them all and build what they held, and what waits, in-process. */
  private fail(error: Error) {
    if (this.failed) return;
    this.failed = true;
    console.error("[echo] refinement build workers stopped; building in-process:", error.message);
    const orphans = [...this.workers.flatMap((w) => (w.task ? [w.task] : [])), ...this.queue.splice(0)];
    this.stop();
    for (const task of orphans) buildBatch(task.batch).then(task.resolve, task.reject);
  }

  get running(): number {
    return this.workers.length;
  }

  stop() {
    clearTimeout(this.idleTimer);
    for (const { worker } of this.workers.splice(0)) void worker.terminate();
  }
}

const globalForPool = globalThis as unknown as { __echoBuildPool?: BuildPool };

function pool(size: number, workerFile: string): BuildPool {
  const current = globalForPool.__echoBuildPool;
  // A failed pool stays in place, building in-process, so that the failure is not retried on every slice.
  if (current && current.size === size && current.workerFile === workerFile) return current;
  current?.stop();
  globalForPool.__echoBuildPool = new BuildPool(size, workerFile);
  return globalForPool.__echoBuildPool;
}

/**
 * The batch's samples in consecutive chunks, each settling as soon as it is built (so the caller can go
 * on with the first while the last are still being built): by the worker pool when the batch is large
 * enough, else in-process as one chunk.
 */
export function buildSampleChunks(batch: BuildBatch, options: BuildOptions = {}): Promise<RefinementSample[]>[] {
  const workers = options.workers ?? defaultBuildWorkers();
  if (workers <= 0 || batch.inputs.length < (options.minPoolSamples ?? MIN_POOL_SAMPLES)) return [buildBatch(batch)];
  const buildPool = pool(workers, path.join(process.cwd(), options.workerFile ?? WORKER_FILE));
  const chunk = Math.min(CHUNK_SAMPLES, Math.ceil(batch.inputs.length / workers));
  const chunks: Promise<RefinementSample[]>[] = [];
  for (let at = 0; at < batch.inputs.length; at += chunk) {
    const part = { inputs: batch.inputs.slice(at, at + chunk), optedOut: batch.optedOut.slice(at, at + chunk), config: batch.config };
    chunks.push(buildPool.run(part));
  }
  return chunks;
}

/** The batch's samples, in its order (see buildSampleChunks). */
export async function buildSamples(batch: BuildBatch, options: BuildOptions = {}): Promise<RefinementSample[]> {
  return (await Promise.all(buildSampleChunks(batch, options))).flat();
}

/** Stops the pool's workers (tests; the next large batch starts them again). */
export function closeBuildPool() {
  globalForPool.__echoBuildPool?.stop();
  globalForPool.__echoBuildPool = undefined;
}

/** Workers running now, and whether the pool gave up on them (then everything is built in-process). */
export function buildPoolState(): { workers: number; failed: boolean } {
  const current = globalForPool.__echoBuildPool;
  return { workers: current?.running ?? 0, failed: current?.failed ?? false };
}
