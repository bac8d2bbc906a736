/**
 * Ingestion's CPU work off the main thread: a large request body (a batch of events) is parsed, validated
 * and encoded (prepare.ts) by one of a few worker threads, and the main thread only checks duplicates,
 * appends the ready bytes to the write-ahead log and answers. The result is the same as preparing
 * in-process (prepare.ts runs in both; tests/integration/ingest-workers.test.ts compares the two).
 *
 * As the refinement build pool does (lib/refinements/buildPool.ts), the worker runs the TypeScript source
 * through tsx's loader, found from the application's root at run time; when a worker cannot start or
 * fails, the pool stops for the process (logged once) and every body is prepared in-process. Small bodies,
 * and bodies that arrive while no other batch is being ingested, are prepared in-process; workers start
 * with the first large body under concurrent load and stop after a minute without work.
 *
 * A worker keeps each project's assignment config and code collection: they are sent with a body only
 * when they changed (they are cached objects, replaced when the project changes), not with every batch.
 */
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { prepareEventsBody, type BodyProblem, type PreparedBatch, type PrepareContext } from "./prepare";
import type { PrepareAnswer, PrepareRequest } from "./prepareWorker";

/** Bodies smaller than this are prepared in-process: messaging and a worker's memory are not worth it for them. */
const MIN_POOL_BYTES = 64 * 1024;
const IDLE_MS = 60_000;
const WORKER_FILE = "lib/events/prepareWorker.ts";

export interface PrepareOptions {
  /** Worker threads (default: one per core); 0 prepares in-process. */
  workers?: number;
  /** The worker's entry, from the application's root (tests give one that cannot start). */
  workerFile?: string;
  /** Bodies from this size on go to the workers (default 64 KB; tests use 0). */
  minPoolBytes?: number;
  /**
   * Other batches are being ingested right now. Only then is a body sent to the workers: a server keeping
   * up with its traffic prepares each batch while the main thread would otherwise wait, and holds no extra
   * threads (each holds its own copy of the modules); under concurrent load the main thread is the bottleneck.
   */
  concurrent?: boolean;
}

type Result = PreparedBatch | BodyProblem;

interface Task {
  id: number;
  body: Uint8Array;
  context: PrepareContext;
  resolve: (result: Result) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  task?: Task;
  /** What this worker holds for each project. */
  sent: Map<string, { config: PrepareContext["config"]; collection: PrepareContext["collection"] }>;
}

class PreparePool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Task[] = [];
  private nextId = 0;
  private idleTimer?: NodeJS.Timeout;
  /** Set when a worker failed: every body is then prepared in-process. */
  failed = false;

  constructor(
    readonly size: number,
    readonly workerFile: string,
  ) {}

  run(body: Uint8Array, context: PrepareContext): Promise<Result> {
    if (this.failed) return Promise.resolve(prepareEventsBody(body, context));
    clearTimeout(this.idleTimer);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, body, context, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch() {
    while (this.queue.length > 0) {
      let free = this.workers.find((w) => !w.task);
      if (!free && this.workers.length < this.size) free = this.spawn();
      if (!free) return;
      const task = this.queue.shift()!;
      free.task = task;
      free.worker.ref(); // a pending answer keeps the process alive; an idle worker does not
      const { projectId, config, collection } = task.context;
      const known = free.sent.get(projectId);
      free.sent.set(projectId, { config, collection });
      // The body is copied, not transferred: should the worker fail, it is prepared in-process from it.
      const request: PrepareRequest = {
        id: task.id,
        body: task.body,
        projectId,
        config: known?.config === config ? undefined : config,
        collection: known?.collection === collection ? undefined : collection,
      };
      free.worker.postMessage(request);
    }
  }

  private spawn(): PoolWorker {
    // tsx's loader registered in the thread, then the entry imported through it (see buildPool.ts).
    const entry = JSON.stringify(pathToFileURL(this.workerFile).href);
    const bootstrap = `import("tsx/esm/api").then(({ register }) => { register(); return import(${entry}); })`;
    // A young generation larger than the default: a batch makes many short-lived objects and strings.
    const worker = new Worker(bootstrap, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
    const pooled: PoolWorker = { worker, sent: new Map() };
    worker.unref();
    worker.on("message", (answer: PrepareAnswer) => {
      const task = pooled.task;
      if (!task || task.id !== answer.id) return;
      pooled.task = undefined;
      worker.unref();
      if ("error" in answer) task.reject(new Error(answer.error));
      else task.resolve(answer.batch);
      this.dispatch();
      if (this.workers.every((w) => !w.task)) {
        clearTimeout(this.idleTimer);
        this.idleTimer = setTimeout(() => this.stop(), IDLE_MS).unref();
      }
    });
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => {
      if (this.workers.includes(pooled)) this.fail(new Error(`ingestion worker exited with code ${code}`));
    });
    this.workers.push(pooled);
    return pooled;
  }

  /** A worker failed: stop them all and prepare what they held, and what waits, in-process. */
  private fail(error: Error) {
    if (this.failed) return;
    this.failed = true;
    console.error("[echo] ingestion workers stopped; preparing batches in-process:", error.message);
    const orphans = [...this.workers.flatMap((w) => (w.task ? [w.task] : [])), ...this.queue.splice(0)];
    this.stop();
    for (const task of orphans) {
      try {
        task.resolve(prepareEventsBody(task.body, task.context));
      } catch (failure) {
        task.reject(failure as Error);
      }
    }
  }

  get running(): number {
    return this.workers.length;
  }

  stop() {
    clearTimeout(this.idleTimer);
    for (const { worker } of this.workers.splice(0)) void worker.terminate();
  }
}

const globalForPool = globalThis as unknown as { __echoPreparePool?: PreparePool };

function pool(size: number, workerFile: string): PreparePool {
  const current = globalForPool.__echoPreparePool;
  // A failed pool stays in place, preparing in-process, so that the failure is not retried on every body.
  if (current && current.size === size && current.workerFile === workerFile) return current;
  current?.stop();
  globalForPool.__echoPreparePool = new PreparePool(size, workerFile);
  return globalForPool.__echoPreparePool;
}

/** A request body prepared by the pool when it is large enough, else in-process. */
export function prepareEventsBodies(body: Uint8Array, context: PrepareContext, options: PrepareOptions = {}): Promise<Result> {
  const workers = options.workers ?? os.availableParallelism();
  if (workers <= 0 || !options.concurrent || body.byteLength < (options.minPoolBytes ?? MIN_POOL_BYTES)) {
    return Promise.resolve(prepareEventsBody(body, context));
  }
  return pool(workers, path.join(process.cwd(), options.workerFile ?? WORKER_FILE)).run(body, context);
}

/** Stops the pool's workers (tests; the next large body starts them again). */
export function closePreparePool() {
  globalForPool.__echoPreparePool?.stop();
  globalForPool.__echoPreparePool = undefined;
}

/** Workers running now, and whether the pool gave up on them (then every body is prepared in-process). */
export function preparePoolState(): { workers: number; failed: boolean } {
  const current = globalForPool.__echoPreparePool;
  return { workers: current?.running ?? 0, failed: current?.failed ?? false };
}
