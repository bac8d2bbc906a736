import { PrismaClient } from "@/generated/prisma/client";
import { stopAllJobs } from "../jobs";
import { databaseUrl } from "../settings";
import { closeEmbedded, isServerUrl, makeAdapter } from "./adapter";
import { applyDatabaseMigrations } from "./migrate";

export type Db = InstanceType<typeof PrismaClient>;
/** The client inside an interactive transaction. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

// One PrismaClient per process, created and migrated on first use (never at import time: `next build`
// workers import route modules, and PGlite allows one process per directory).
const globalForDb = globalThis as unknown as { __echoDb?: Promise<Db> };

async function openDatabase(): Promise<Db> {
  await applyDatabaseMigrations();
  return new PrismaClient({ adapter: makeAdapter() });
}

/** The migrated metadata store (lib/runtime/database.ts adds the first-start initialization). */
export async function db(): Promise<Db> {
  globalForDb.__echoDb ??= openDatabase().catch((error) => {
    globalForDb.__echoDb = undefined;
    throw error;
  });
  return globalForDb.__echoDb;
}

export async function databaseHealth(): Promise<{ ok: boolean; engine: "pglite" | "postgresql"; error?: string }> {
  const engine = isServerUrl(databaseUrl()) ? "postgresql" : "pglite";
  try {
    const client = await db();
    await client.$queryRawUnsafe("SELECT 1");
    return { ok: true, engine };
  } catch (error) {
    return { ok: false, engine, error: (error as Error).message };
  }
}

/** Closes the store (tests and scripts; a server keeps it for its lifetime), after stopping the background jobs that use it. */
export async function closeDatabase(): Promise<void> {
  await stopAllJobs();
  const pending = globalForDb.__echoDb;
  globalForDb.__echoDb = undefined;
  if (pending) await (await pending).$disconnect().catch(() => {});
  await closeEmbedded();
}
