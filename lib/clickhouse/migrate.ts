import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { ClickHouseClient } from "@clickhouse/client";

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

/**
 * The clustered variant of a single-node statement: tables are created on every node of the cluster
 * and MergeTree engines become their Replicated counterparts (default replica path and name macros).
 */
export function toClustered(statement: string, cluster: string): string {
  return statement
    .replace(
      /^(CREATE\s+(?:TABLE|MATERIALIZED\s+VIEW|VIEW)\s+IF\s+NOT\s+EXISTS\s+[\w.]+)/i,
      `$1 ON CLUSTER '${cluster.replace(/'/g, "")}'`,
    )
    .replace(/^(ALTER\s+TABLE\s+[\w.]+)/i, `$1 ON CLUSTER '${cluster.replace(/'/g, "")}'`)
    .replace(/ENGINE\s*=\s*(Replacing|Aggregating|Summing|Collapsing)?MergeTree\b/i, (_m, kind = "") => `ENGINE = Replicated${kind}MergeTree`);
}

const createSchemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations
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
  options: { cluster?: string; migrations?: Migration[] } = {},
): Promise<MigrationReport> {
  const prepare = (statement: string) => (options.cluster ? toClustered(statement, options.cluster) : statement);
  await client.command({ query: prepare(createSchemaMigrations) });
  const done = await client.query({ query: "SELECT version, checksum FROM schema_migrations FINAL", format: "JSONEachRow" });
  const applied = new Map((await done.json<{ version: number; checksum: string }>()).map((r) => [Number(r.version), r.checksum]));
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
    for (const statement of splitStatements(migration.sql)) await client.command({ query: prepare(statement) });
    await client.insert({
      table: "schema_migrations",
      values: [{ version: migration.version, name: migration.name, checksum: migration.checksum }],
      format: "JSONEachRow",
    });
    report.applied.push(migration.name);
  }
  return report;
}
