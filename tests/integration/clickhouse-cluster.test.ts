import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { clusteredStatements, DROPPED_TABLES, EVERY_NODE_TABLES, SHARDED_TABLES } from "@/lib/clickhouse/cluster";
import { readMigrations, SCHEMA_MIGRATIONS_TABLE, splitStatements } from "@/lib/clickhouse/migrate";
import { tsvUnescape } from "@/lib/clickhouse/tsv";

// The clustered DDL (lib/clickhouse/cluster.ts) run by the real engine on one node of a 2-shard cluster:
// chDB with the cluster, the node's macros and ClickHouse's in-memory Keeper in its configuration, so the
// Replicated engines register their replicas and the Distributed tables resolve the cluster. `ON CLUSTER`
// is the distributed DDL queue of a server, which an embedded engine does not run: each statement runs
// here as the queue would run it on this node. (Queries through the Distributed tables need the shards'
// TCP servers and are not run here; docs/deploy.md.)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-cluster-"));
const config = path.join(dir, "config.xml");
const replica = (db: string) => `<replica><host>ch-${db}.internal</host><port>9000</port></replica>`;
fs.writeFileSync(
  config,
  `<clickhouse>
  <zookeeper><implementation>testkeeper</implementation></zookeeper>
  <macros><shard>01</shard><replica>ch-1a</replica></macros>
  <remote_servers><echo>
    <shard><internal_replication>true</internal_replication>${replica("1a")}${replica("1b")}</shard>
    <shard><internal_replication>true</internal_replication>${replica("2a")}${replica("2b")}</shard>
  </echo></remote_servers>
</clickhouse>`,
);
const { Session } = await import("chdb");
const node = new Session(path.join(dir, "data"), { connectionArgs: [`--config-file=${config}`] });
const run = (sql: string) => node.query(sql, "TSV");
const rows = (sql: string) =>
  run(sql)
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split("\t").map(tsvUnescape));
const target = { cluster: "echo", database: "echo" };
const statements = [
  ...clusteredStatements(SCHEMA_MIGRATIONS_TABLE, target),
  ...readMigrations().flatMap((m) => splitStatements(m.sql).flatMap((s) => clusteredStatements(s, target))),
];

afterAll(() => {
  // Replicated tables hold the engine's shutdown until they are gone.
  run("DROP DATABASE IF EXISTS echo SYNC");
  node.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the sharded layout on a cluster node", () => {
  it("creates every table and view, and again (creation is idempotent), redefines a view, drops a table; the other statements parse", () => {
    run("CREATE DATABASE echo");
    run("USE echo");
    for (let pass = 0; pass < 2; pass++) {
      for (const sql of statements) {
        if (sql.startsWith("INSERT")) continue; // a backfill reads the shards over the network
        expect(sql).toContain(" ON CLUSTER 'echo'");
        // An embedded engine attaches replicated tables read-only (its Keeper session never activates
        // them): alterations are checked by the parser, creation (and a view's redefinition) by the engine.
        if (sql.startsWith("CREATE") || sql.startsWith("DROP")) run(sql.replace(" ON CLUSTER 'echo'", ""));
        else expect(run(`EXPLAIN AST ${sql}`)).toMatch(/^(Alter|Truncate)Query/);
      }
    }
  });

  it("stores sharded tables in replicated local tables, read and written through Distributed tables by user", () => {
    const engines = new Map(
      rows("SELECT name, engine, engine_full FROM system.tables WHERE database = 'echo'").map(([n, e, f]) => [n, { engine: e, full: f }]),
    );
    for (const [table, key] of Object.entries(SHARDED_TABLES)) {
      expect(engines.get(`${table}_local`)?.engine).toMatch(/^Replicated\w*MergeTree$/);
      expect(engines.get(table)?.engine).toBe("Distributed");
      expect(engines.get(table)?.full).toBe(`Distributed('echo', 'echo', '${table}_local', ${key})`);
      // The Distributed table has the local table's columns.
      const columns = (t: string) =>
        run(`SELECT name, type FROM system.columns WHERE database = 'echo' AND table = '${t}' ORDER BY position`);
      expect(columns(table)).toBe(columns(`${table}_local`));
    }
    for (const table of EVERY_NODE_TABLES) expect(engines.get(table)?.engine).toMatch(/^Replicated\w*MergeTree$/);
    for (const table of DROPPED_TABLES) expect(engines.has(table)).toBe(false);
    expect(engines.get("event_day_stats_mv")?.engine).toBe("MaterializedView");
    expect(run("SELECT as_select FROM system.tables WHERE database = 'echo' AND name = 'event_day_stats_mv'")).toMatch(
      /FROM echo\.events_local/,
    );
    // Columns added later change the Distributed table too (0004).
    const added = statements.filter((sql) => sql.includes("ADD COLUMN IF NOT EXISTS shown_completion_chars"));
    expect(added.map((sql) => sql.split(" ")[2])).toEqual(["experiment_user_daily_local", "experiment_user_daily"]);
  });

  it("registers a sharded table's replica under its shard's Keeper path and an every-node table's under one path", () => {
    const replicas = rows("SELECT table, zookeeper_path, replica_name FROM system.replicas WHERE database = 'echo' ORDER BY table");
    expect(replicas).toContainEqual(["events_local", "/clickhouse/tables/01/echo/events_local", "ch-1a"]);
    expect(replicas).toContainEqual(["refinement_labels", "/clickhouse/tables/all/echo/refinement_labels", "ch-1a"]);
    expect(replicas).toHaveLength(Object.keys(SHARDED_TABLES).length + EVERY_NODE_TABLES.length);
  });
});
