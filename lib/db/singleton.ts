import { databaseUrl } from "../settings";
import { isServerUrl } from "./adapter";
import type { Db } from "./index";

// Background jobs that several server instances would otherwise run at once against shared stores
// (the results rollup, the refinement pipeline): on PostgreSQL, a transaction-scoped advisory lock
// lets one instance run the job while the others skip that turn. The embedded store allows a single
// process, so there the job just runs.

/** Well-known lock ids, one per job. */
export const JOB_LOCKS = { rollup: 727_074, refinements: 727_075, releases: 727_076, webhooks: 727_077 } as const;

/**
 * Runs `job` unless another instance holds `lock`; answers whether it ran. The lock is held for the
 * job's duration (a transaction kept open meanwhile, up to `maxMs`) and released with it, also when
 * the instance dies.
 */
export async function asSingleInstance(client: Db, lock: number, job: () => Promise<void>, maxMs = 10 * 60_000): Promise<boolean> {
  if (!isServerUrl(databaseUrl())) {
    await job();
    return true;
  }
  return client.$transaction(
    async (tx) => {
      const [{ locked }] = await tx.$queryRawUnsafe<{ locked: boolean }[]>("SELECT pg_try_advisory_xact_lock($1) AS locked", lock);
      if (!locked) return false;
      await job();
      return true;
    },
    { timeout: maxMs, maxWait: 5_000 },
  );
}

interface Job {
  timer: NodeJS.Timeout;
  running: boolean;
}

// On globalThis: whichever copy of a module starts a job (Next's or server.ts's), there is one.
const globalForJobs = globalThis as unknown as { __echoJobs?: Map<string, Job> };
const jobs = (globalForJobs.__echoJobs ??= new Map());

/**
 * Runs `run` every `intervalMs` in the background of a server process: one pass at a time in this
 * process and, on PostgreSQL, in all instances (`lock`). A failure is logged with `failure` and the
 * next turn tries again. Starting a job that runs already does nothing.
 */
export function startBackgroundJob(
  client: Db,
  job: { name: string; lock: number; intervalMs: number; failure: string },
  run: () => Promise<unknown>,
) {
  if (jobs.has(job.name)) return;
  const state: Job = {
    running: false,
    timer: setInterval(async () => {
      if (state.running) return;
      state.running = true;
      try {
        await asSingleInstance(client, job.lock, async () => void (await run()));
      } catch (error) {
        console.error(`[echo] ${job.failure}:`, (error as Error).message);
      } finally {
        state.running = false;
      }
    }, job.intervalMs),
  };
  state.timer.unref();
  jobs.set(job.name, state);
}

/** Stops a background job (benchmarks and tests that run its passes themselves, at known moments). */
export function stopBackgroundJob(name: string) {
  const job = jobs.get(name);
  if (job) clearInterval(job.timer);
  jobs.delete(name);
}
