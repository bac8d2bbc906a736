import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { databaseUrl } from "../settings";
import { embeddedDatabase, isServerUrl } from "./adapter";

// Applies prisma/migrations inside the server process, before the app's client is used, and records
// them in Prisma's own _prisma_migrations table with Prisma's checksum (sha256 of migration.sql), so
// `prisma migrate status/deploy` agree with it. Done in-process because PGlite has no cross-process lock:
// a CLI migrate beside a running server would silently lose writes.

interface SqlRunner {
  exec(sql: string): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

function pgliteRunner(): SqlRunner {
  const db = embeddedDatabase()!;
  return {
    exec: async (sql) => void (await db.exec(sql)),
    query: async <T>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows,
    close: async () => {}, // shared with the app's adapter
  };
}

async function postgresRunner(url: string): Promise<SqlRunner> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // Several app instances may start together: one applies, the others wait and find nothing to do.
  await client.query("SELECT pg_advisory_lock(727073)");
  return {
    exec: async (sql) => void (await client.query(sql)),
    query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
    close: async () => {
      await client.query("SELECT pg_advisory_unlock(727073)");
      await client.end();
    },
  };
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export function prismaMigrations() {
  const dir = path.join(process.cwd(), "prisma", "migrations");
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export async function applyDatabaseMigrations(): Promise<{ applied: string[] }> {
  const url = databaseUrl();
  const runner = isServerUrl(url) ? await postgresRunner(url) : pgliteRunner();
  const applied: string[] = [];
  try {
    await runner.exec(createMigrationsTable);
    const rows = await runner.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const done = new Map(rows.map((r) => [r.migration_name, r]));
    for (const migration of prismaMigrations()) {
      const known = done.get(migration.name);
      if (known?.finished_at) continue;
      if (known) throw new Error(`Database migration ${migration.name} failed earlier; resolve it before starting`);
      // Each migration and its record commit together, so a crash leaves either both or neither.
      try {
        await runner.exec("BEGIN");
        await runner.exec(migration.sql);
        await runner.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await runner.exec("COMMIT");
      } catch (error) {
        await runner.exec("ROLLBACK").catch(() => {});
        throw new Error(`Database migration ${migration.name} failed: ${(error as Error).message}`);
      }
      applied.push(migration.name);
    }
  } finally {
    await runner.close();
  }
  return { applied };
}
