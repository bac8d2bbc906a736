import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { ClickHouseClient } from "@clickhouse/client";
import { clusteredStatements, type ClusterTarget } from "./cluster";
import { queryRowsOn, runStatementOn } from "./query";

// Numbered SQL files, applied in order and recorded in schema_migrations. Every statement is written
// with IF NOT EXISTS, so two processes starting together (or a crash between a statement and its
// record) apply nothing twice.
export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(): Migration[] {
  const dir = path.join(process.cwd(), "lib", "clickhouse", "migrations");
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = fs.readFileSync(path.join(dir, file), "utf8");
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ""),
        sql,
        checksum: createHash("sha256").update(sql).digest("hex"),
      };
    });
}

/** Splits a migration file into statements: `;` at the end of a line ends one (no `;` inside strings). */
export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("--"))
    .join("\n");
  return withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export const SCHEMA_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations
(
    version    UInt32,
    name       String,
    checksum   String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY version`;

export interface MigrationReport {
  applied: string[];
  skipped: string[];
}

export async function applyMigrations(
  client: ClickHouseClient,
  options: { cluster?: ClusterTarget; migrations?: Migration[] } = {},
): Promise<MigrationReport> {
  // On a cluster a statement may become several (lib/clickhouse/cluster.ts).
  const prepare = (statement: string) => (options.cluster ? clusteredStatements(statement, options.cluster) : [statement]);
  for (const sql of prepare(SCHEMA_MIGRATIONS_TABLE)) await runStatementOn(client, { tag: "migrations.table", sql });
  const done = await queryRowsOn(client, {
    tag: "migrations.applied",
    sql: "SELECT version, checksum FROM schema_migrations FINAL",
    columns: { version: "number", checksum: "string" },
  });
  const applied = new Map(done.map((r) => [r.version, r.checksum]));
  const report: MigrationReport = { applied: [], skipped: [] };
  for (const migration of options.migrations ?? readMigrations()) {
    const known = applied.get(migration.version);
    if (known !== undefined) {
      if (known !== migration.checksum) {
        throw new Error(`ClickHouse migration ${migration.name} changed after it was applied; add a new migration instead`);
      }
      report.skipped.push(migration.name);
      continue;
    }
    for (const statement of splitStatements(migration.sql)) {
      for (const sql of prepare(statement)) await runStatementOn(client, { tag: `migrations.${migration.name}`, sql });
    }
    await runStatementOn(client, {
      tag: "migrations.record",
      sql: "INSERT INTO schema_migrations (version, name, checksum) SELECT {version:UInt32}, {name:String}, {checksum:String}",
      params: { version: migration.version, name: migration.name, checksum: migration.checksum },
    });
    report.applied.push(migration.name);
  }
  return report;
}
