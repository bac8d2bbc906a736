import { expect, it } from "vitest";
import { JOB_LOCKS, asSingleInstance } from "@/lib/db/singleton";
import { database } from "@/lib/runtime/database";

// Two server instances on one PostgreSQL database: a background job (the rollup, the refinement
// pipeline) runs on one of them at a time. Only meaningful on a PostgreSQL server (npm test's second
// integration run); the embedded store allows one process, where the job simply runs.

it.skipIf(!process.env.DATABASE_URL)("lets one instance run a background job while the other skips its turn", async () => {
  const { PrismaClient } = await import("@/generated/prisma/client");
  const { makeAdapter } = await import("@/lib/db/adapter");
  const first = await database();
  const second = new PrismaClient({ adapter: makeAdapter() });
  try {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const firstRun = asSingleInstance(first, JOB_LOCKS.rollup, async () => {
      started();
      await held;
    });
    await running;
    let ranOnSecond = false;
    expect(await asSingleInstance(second, JOB_LOCKS.rollup, async () => void (ranOnSecond = true))).toBe(false);
    expect(ranOnSecond).toBe(false);
    // Another job's lock is free meanwhile.
    expect(await asSingleInstance(second, JOB_LOCKS.refinements, async () => {})).toBe(true);
    release();
    expect(await firstRun).toBe(true);
    expect(await asSingleInstance(second, JOB_LOCKS.rollup, async () => void (ranOnSecond = true))).toBe(true);
    expect(ranOnSecond).toBe(true);
  } finally {
    await second.$disconnect();
  }
});

it.runIf(!process.env.DATABASE_URL)("runs the job on the embedded store, which one process owns", async () => {
  let ran = false;
  expect(await asSingleInstance(await database(), JOB_LOCKS.rollup, async () => void (ran = true))).toBe(true);
  expect(ran).toBe(true);
});

// Last in this file: it closes the stores, as a test file's teardown or a script's end does.
it("stops the background jobs before the stores close, and lets a turn in flight finish first", async () => {
  const { startBackgroundJob } = await import("@/lib/db/singleton");
  const { closeDatabase } = await import("@/lib/db");
  const { clickhouse, closeClickHouse } = await import("@/lib/clickhouse");
  const client = await database();
  let turns = 0;
  const outcomes: string[] = [];
  let inFlight!: () => void;
  const started = new Promise<void>((resolve) => (inFlight = resolve));
  // A turn holds the stores it started with across its queries, as a refinement pipeline pass does.
  startBackgroundJob(client, { name: "test-close", intervalMs: 50, failure: "test job failed" }, async () => {
    turns++;
    const engine = await clickhouse();
    try {
      await client.$queryRawUnsafe("SELECT 1");
      inFlight();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const answer = await engine.query({ query: "SELECT 2 AS n", format: "JSONEachRow" });
      const [row] = await client.$queryRawUnsafe<{ n: number }[]>("SELECT 3 AS n");
      outcomes.push(`${JSON.stringify(await answer.json())} ${row.n}`);
    } catch (error) {
      outcomes.push(`failed: ${(error as Error).message}`);
    }
  });
  await started;
  await closeDatabase();
  await closeClickHouse();
  const turnsAtClose = turns;
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(outcomes).toEqual(['[{"n":2}] 3']);
  expect(turns).toBe(turnsAtClose); // no turn after the close, which would open the stores again
});
