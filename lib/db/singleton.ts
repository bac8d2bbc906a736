import { databaseUrl } from "../settings";
import { isServerUrl } from "./adapter";
import type { Db } from "./index";

// Background jobs that several server instances would otherwise run at once against shared stores
// (the results rollup, the refinement pipeline): on PostgreSQL, a transaction-scoped advisory lock
// lets one instance run the job while the others skip that turn. The embedded store allows a single
// process, so there the job just runs.

/** Well-known lock ids, one per job. */
export const JOB_LOCKS = { rollup: 727_074, refinements: 727_075 } as const;

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
