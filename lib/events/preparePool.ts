/**
 * Ingestion's CPU work off the main thread (lib/workers/pool.ts): a large request body (a batch of events)
 * is parsed, validated and encoded (prepare.ts) by one of a few worker threads, and the main thread only
 * checks duplicates, appends the ready bytes to the write-ahead log and answers. The result is the same as
 * preparing in-process (prepare.ts runs in both; tests/integration/ingest-workers.test.ts compares the
 * two), which is also the fallback when a worker fails. Small bodies, and bodies that arrive while no
 * other batch is being ingested, are prepared in-process; workers start one by one under concurrent load
 * and stop after a minute without work.
 *
 * A worker keeps each project's assignment config and code collection: they are sent with a body only
 * when they changed (they are cached objects, replaced when the project changes), not with every batch.
 */
import os from "node:os";
import { closeSharedPool, sharedPool, sharedPoolState } from "../workers/pool";
import { prepareEventsBody, type BodyProblem, type PreparedBatch, type PrepareContext } from "./prepare";
import type { PrepareRequest } from "./prepareWorker";

/** Bodies smaller than this are prepared in-process: messaging and a worker's memory are not worth it for them. */
const MIN_POOL_BYTES = 64 * 1024;
const WORKER_FILE = "lib/events/prepareWorker.ts";
const POOL = "ingestion";

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
type Task = { body: Uint8Array; context: PrepareContext };
/** Per worker: what it holds for each project. */
type Sent = Map<string, { config: PrepareContext["config"]; collection: PrepareContext["collection"] }>;

const preparePool = (size: number, workerFile: string) =>
  sharedPool<Task, Result, PrepareRequest, Sent>({
    name: POOL,
    workerFile,
    size,
    newMemo: () => new Map(),
    message: ({ body, context }, sent) => {
      const { projectId, config, collection } = context;
      const known = sent.get(projectId);
      sent.set(projectId, { config, collection });
      // The body is copied, not transferred: should the worker fail, it is prepared in-process from it.
      const message: PrepareRequest = {
        body,
        projectId,
        config: known?.config === config ? undefined : config,
        collection: known?.collection === collection ? undefined : collection,
      };
      return { message };
    },
    inProcess: ({ body, context }) => prepareEventsBody(body, context),
  });

/** A request body prepared by the pool when it is large enough, else in-process. */
export function prepareEventsBodies(body: Uint8Array, context: PrepareContext, options: PrepareOptions = {}): Promise<Result> {
  const workers = options.workers ?? os.availableParallelism();
  if (workers <= 0 || !options.concurrent || body.byteLength < (options.minPoolBytes ?? MIN_POOL_BYTES)) {
    return Promise.resolve(prepareEventsBody(body, context));
  }
  return preparePool(workers, options.workerFile ?? WORKER_FILE).run({ body, context });
}

/** Stops the pool's workers (tests; the next large body starts them again). */
export function closePreparePool() {
  closeSharedPool(POOL);
}

/** Workers running now, and whether the pool gave up on them (then every body is prepared in-process). */
export function preparePoolState(): { workers: number; failed: boolean } {
  return sharedPoolState(POOL);
}
