// The process's background jobs: timers that run one turn at a time, kept on globalThis so that
// whichever copy of a module starts a job (Next's or server.ts's), there is one. lib/db/singleton.ts
// starts them; closing a store (closeDatabase, closeClickHouse) stops them all first and waits for a
// turn in flight, which would otherwise go on with a closed connection, or open the store again.

interface Job {
  timer: NodeJS.Timeout;
  first?: NodeJS.Timeout;
  turn?: Promise<void>;
}

const globalForJobs = globalThis as unknown as { __echoJobs?: Map<string, Job> };
const jobs = (globalForJobs.__echoJobs ??= new Map());

/**
 * Runs `turn` every `intervalMs` (the first time after `firstRunMs`, else after one interval), never
 * two turns at once; `turn` handles its own errors. Scheduling a job that runs already does nothing.
 */
export function scheduleJob(name: string, timing: { intervalMs: number; firstRunMs?: number }, turn: () => Promise<void>) {
  if (jobs.has(name)) return;
  const run = () => {
    if (job.turn || jobs.get(name) !== job) return;
    // A turn handles its own errors; should one escape, it must not become an unhandled rejection.
    job.turn = turn()
      .catch((error: unknown) => console.error(`[echo] background job ${name} failed:`, error))
      .finally(() => (job.turn = undefined));
  };
  const job: Job = { timer: setInterval(run, timing.intervalMs) };
  job.timer.unref();
  if (timing.firstRunMs !== undefined) {
    job.first = setTimeout(run, timing.firstRunMs);
    job.first.unref();
  }
  jobs.set(name, job);
}

/** Stops a job: no turn starts any more; the answer waits for the turn in flight, if any. */
export async function cancelJob(name: string): Promise<void> {
  const job = jobs.get(name);
  if (!job) return;
  clearInterval(job.timer);
  clearTimeout(job.first);
  jobs.delete(name);
  await job.turn;
}

/**
 * Stops every job and waits for the turns in flight (before a store closes), again for any job scheduled
 * meanwhile (a start-up still running). A turn must not close a store itself: it would wait for itself.
 */
export async function stopAllJobs(): Promise<void> {
  while (jobs.size) await Promise.all([...jobs.keys()].map(cancelJob));
}
