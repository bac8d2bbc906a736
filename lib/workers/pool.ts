/**
 * CPU work off the main thread, for pure work that also runs in-process with the same result (ingestion's
 * batch preparation, the refinement pipeline's sample building): a few worker threads, each taking one
 * task at a time from a queue, and the in-process path as the fallback.
 *
 * A worker runs a TypeScript module through tsx's loader, found from the application's root at run time
 * (`process.cwd()`), so it starts alike under tsx, in vitest and inside the Next.js production bundle,
 * which does not bundle a path it cannot see. When a worker cannot start or fails, the pool stops for the
 * process (logged once), and every task it held, and every later one, runs in-process. Idle workers do not
 * keep the process alive, and they stop after a minute without work (each holds its own copy of the modules).
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker, type Transferable } from "node:worker_threads";

/** What a worker answers for a task (see serveTasks in ./serve.ts). */
export type TaskAnswer<Result> = { id: number; result: Result } | { id: number; error: string };

export interface WorkerPoolSpec<Input, Result, Message, Memo> {
  /** Named in the log line when the pool gives up on its workers. */
  name: string;
  /** The worker's module, from the application's root. */
  workerFile: string;
  size: number;
  /** What each worker remembers of what it was sent (e.g. a project's config, sent once). */
  newMemo: () => Memo;
  /** The message for a task to a worker whose memo this is (which it may update), with what to transfer. */
  message: (input: Input, memo: Memo) => { message: Message; transfer?: Transferable[] };
  /** The same work in-process. */
  inProcess: (input: Input) => Result | Promise<Result>;
}

interface Task<Input, Result> {
  id: number;
  input: Input;
  resolve: (result: Result) => void;
  reject: (error: Error) => void;
}

interface PoolWorker<Input, Result, Memo> {
  worker: Worker;
  memo: Memo;
  task?: Task<Input, Result>;
}

const IDLE_MS = 60_000;

export class WorkerPool<Input, Result, Message, Memo> {
  private readonly workers: PoolWorker<Input, Result, Memo>[] = [];
  private readonly queue: Task<Input, Result>[] = [];
  private nextId = 0;
  private idleTimer?: NodeJS.Timeout;
  /** Set when a worker failed: every task then runs in-process. */
  failed = false;

  constructor(readonly spec: WorkerPoolSpec<Input, Result, Message, Memo>) {}

  /**
   * Runs a task on a free worker, starting one when none is free and the pool is not full. `startAll`
   * starts every worker now (the first of many tasks: they load large modules before the tasks come).
   */
  run(input: Input, startAll = false): Promise<Result> {
    if (this.failed) return Promise.resolve().then(() => this.spec.inProcess(input));
    clearTimeout(this.idleTimer);
    if (startAll) while (this.workers.length < this.spec.size) this.spawn();
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, resolve, reject });
      this.dispatch();
    });
  }

  get running(): number {
    return this.workers.length;
  }

  stop() {
    clearTimeout(this.idleTimer);
    for (const { worker } of this.workers.splice(0)) void worker.terminate();
  }

  private dispatch() {
    while (this.queue.length > 0) {
      let free = this.workers.find((w) => !w.task);
      if (!free && this.workers.length < this.spec.size) free = this.spawn();
      if (!free) return;
      const task = this.queue.shift()!;
      free.task = task;
      free.worker.ref(); // a pending answer keeps the process alive; an idle worker does not
      const { message, transfer } = this.spec.message(task.input, free.memo);
      free.worker.postMessage({ id: task.id, message }, transfer);
    }
  }

  private spawn(): PoolWorker<Input, Result, Memo> {
    // tsx's loader registered in the thread, then the entry imported through it (Node 20 does not apply
    // an `--import tsx` in a worker's execArgv to the worker's own entry). The code runs from the
    // application's root, where `tsx` resolves.
    const entry = JSON.stringify(pathToFileURL(path.join(process.cwd(), this.spec.workerFile)).href);
    const bootstrap = `import("tsx/esm/api").then(({ register }) => { register(); return import(${entry}); })`;
    // A young generation larger than the server's main thread's (its --max-semi-space-size=4, which the
    // server clears for workers, lib/runtime/heap.ts): the pools' work makes many short-lived objects and
    // strings, and fewer scavenges cost less. 32 MB: ingestion's rate as with 64 MB within the runs'
    // spread (docs/performance.md, Ingestion), for half the memory a busy worker keeps resident.
    const worker = new Worker(bootstrap, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 32 } });
    const pooled: PoolWorker<Input, Result, Memo> = { worker, memo: this.spec.newMemo() };
    worker.unref();
    worker.on("message", (answer: TaskAnswer<Result>) => {
      const task = pooled.task;
      if (!task || task.id !== answer.id) return;
      pooled.task = undefined;
      worker.unref();
      if ("error" in answer) task.reject(new Error(answer.error));
      else task.resolve(answer.result);
      this.dispatch();
      if (this.workers.every((w) => !w.task)) {
        clearTimeout(this.idleTimer);
        this.idleTimer = setTimeout(() => this.stop(), IDLE_MS).unref();
      }
    });
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => {
      if (this.workers.includes(pooled)) this.fail(new Error(`${this.spec.name} worker exited with code ${code}`));
    });
    this.workers.push(pooled);
    return pooled;
  }

  /** A worker failed: stop them all and run what they held, and what waits, in-process. */
  private fail(error: Error) {
    if (this.failed) return;
    this.failed = true;
    console.error(`[echo] ${this.spec.name} workers stopped; working in-process:`, error.message);
    const orphans = [...this.workers.flatMap((w) => (w.task ? [w.task] : [])), ...this.queue.splice(0)];
    this.stop();
    for (const task of orphans)
      Promise.resolve()
        .then(() => this.spec.inProcess(task.input))
        .then(task.resolve, task.reject);
  }
}

// One pool per name per process, on globalThis: whichever copy of a module asks (Next's or server.ts's).
const globalForPools = globalThis as unknown as { __echoWorkerPools?: Map<string, WorkerPool<never, unknown, unknown, unknown>> };
const pools = (globalForPools.__echoWorkerPools ??= new Map());

/**
 * The process's pool of this name, made from `spec` on first use, or again when the size or worker
 * module changed (tests). A failed pool stays in place, working in-process, so that the failure is not
 * retried on every task.
 */
export function sharedPool<Input, Result, Message, Memo>(
  spec: WorkerPoolSpec<Input, Result, Message, Memo>,
): WorkerPool<Input, Result, Message, Memo> {
  const current = pools.get(spec.name) as WorkerPool<Input, Result, Message, Memo> | undefined;
  if (current && current.spec.size === spec.size && current.spec.workerFile === spec.workerFile) return current;
  current?.stop();
  const created = new WorkerPool(spec);
  pools.set(spec.name, created as unknown as WorkerPool<never, unknown, unknown, unknown>);
  return created;
}

/** Stops the named pool's workers and forgets it (tests; the next task starts it again). */
export function closeSharedPool(name: string) {
  pools.get(name)?.stop();
  pools.delete(name);
}

/** Workers of the named pool running now, and whether it gave up on them. */
export function sharedPoolState(name: string): { workers: number; failed: boolean } {
  const current = pools.get(name);
  return { workers: current?.running ?? 0, failed: current?.failed ?? false };
}
