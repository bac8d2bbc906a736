import { cancelJob, scheduleJob } from "../jobs";
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

/**
 * Runs `run` every `intervalMs` in the background of a server process (the first time after
 * `firstRunMs`, else after one interval): one pass at a time in this process and, with a `lock`, on
 * PostgreSQL in all instances (a job without one runs in every instance: its work is per process). A
 * failure is logged with `failure` and the next turn tries again. Starting a job that runs already does
 * nothing. Closing either store stops every job first (lib/jobs.ts).
 */
export function startBackgroundJob(
  client: Db,
  job: { name: string; lock?: number; intervalMs: number; firstRunMs?: number; failure: string },
  run: () => Promise<unknown>,
) {
  scheduleJob(job.name, job, async () => {
    try {
      if (job.lock === undefined) await run();
      else await asSingleInstance(client, job.lock, async () => void (await run()));
    } catch (error) {
      console.error(`[echo] ${job.failure}:`, (error as Error).message);
    }
  });
}

/**
 * Stops a background job (benchmarks and tests that run its passes themselves, at known moments);
 * resolves once a pass in flight has ended.
 */
export function stopBackgroundJob(name: string): Promise<void> {
  return cancelJob(name);
}
