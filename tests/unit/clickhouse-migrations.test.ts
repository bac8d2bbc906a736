import { describe, expect, it } from "vitest";
import { clusteredStatement, clusteredStatements, DROPPED_TABLES, EVERY_NODE_TABLES, SHARDED_TABLES } from "@/lib/clickhouse/cluster";
import { readMigrations, SCHEMA_MIGRATIONS_TABLE, splitStatements } from "@/lib/clickhouse/migrate";

const CLUSTER = { cluster: "echo", database: "echo" };
import { tsvRow, tsvString, tsvStringArray, tsvUnescape } from "@/lib/clickhouse/tsv";

describe("ClickHouse migrations", () => {
  it("are numbered, ordered and checksummed", () => {
    const migrations = readMigrations();
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    for (const m of migrations) expect(m.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it("split into statements without their comments", () => {
    expect(
      splitStatements(
        "-- a comment; with a semicolon\nCREATE TABLE a (x UInt8) ENGINE = Memory;\n\nCREATE TABLE b (y UInt8) ENGINE = Memory;\n",
      ),
    ).toEqual(["CREATE TABLE a (x UInt8) ENGINE = Memory", "CREATE TABLE b (y UInt8) ENGINE = Memory"]);
  });

  it("have a clustered variant: created on every node, with replicated engines", () => {
    const kinds = new Set<string>();
    for (const statement of readMigrations().flatMap((m) => splitStatements(m.sql))) {
      const clustered = clusteredStatements(statement, CLUSTER);
      const table = statement.match(/^\w+\s+(?:TABLE|MATERIALIZED VIEW|VIEW|INTO)\s+(?:IF (?:NOT )?EXISTS\s+)?(\w+)/)![1];
      if (statement.startsWith("CREATE TABLE")) {
        kinds.add("table");
        if (table in SHARDED_TABLES) {
          // The rows in <table>_local on each shard's replicas; <table> distributes inserts and reads by user.
          expect(clustered).toHaveLength(2);
          expect(clustered[0]).toMatch(new RegExp(`^CREATE TABLE IF NOT EXISTS ${table}_local ON CLUSTER 'echo'`));
          expect(clustered[0]).toMatch(
            new RegExp(`ENGINE = Replicated\\w*MergeTree\\('/clickhouse/tables/\\{shard\\}/echo/${table}_local', '\\{replica\\}'`),
          );
          expect(clustered[1]).toBe(
            `CREATE TABLE IF NOT EXISTS ${table} ON CLUSTER 'echo' AS ${table}_local\n` +
              `ENGINE = Distributed('echo', 'echo', '${table}_local', ${SHARDED_TABLES[table]})`,
          );
        } else {
          expect([...EVERY_NODE_TABLES, ...DROPPED_TABLES]).toContain(table);
          expect(clustered).toHaveLength(1);
          expect(clustered[0]).toMatch(
            new RegExp(`ENGINE = Replicated\\w*MergeTree\\('/clickhouse/tables/all/echo/${table}', '\\{replica\\}'`),
          );
        }
      } else if (statement.startsWith("CREATE MATERIALIZED VIEW")) {
        kinds.add("view");
        // A view fires where its source's rows are stored: on the local tables of each shard.
        const [, target, source] = statement.match(/\bTO (\w+) AS[\s\S]*\bFROM (\w+)\n/)!;
        expect([target, source].every((name) => name in SHARDED_TABLES)).toBe(true);
        expect(clustered).toEqual([
          expect.stringMatching(new RegExp(`^CREATE MATERIALIZED VIEW IF NOT EXISTS \\w+ ON CLUSTER 'echo' TO ${target}_local AS`)),
        ]);
        expect(clustered[0]).toMatch(new RegExp(`FROM ${source}_local\n`));
      } else if (statement.startsWith("ALTER TABLE")) {
        kinds.add("alter");
        expect(clustered[0]).toMatch(new RegExp(`^ALTER TABLE ${table in SHARDED_TABLES ? `${table}_local` : table} ON CLUSTER 'echo'\\s`));
      } else if (statement.startsWith("DROP VIEW")) {
        kinds.add("drop view");
        // A view is redefined by dropping it on every node (it exists on each, over the local tables).
        expect(clustered).toEqual([`DROP VIEW IF EXISTS ${table} ON CLUSTER 'echo'`]);
      } else if (statement.startsWith("DROP TABLE")) {
        kinds.add("drop table");
        // A table kept on every node is dropped on each; a sharded one's Distributed table before its rows.
        const dropped = table in SHARDED_TABLES ? [table, `${table}_local`] : [table];
        expect(clustered).toEqual(dropped.map((name) => `DROP TABLE IF EXISTS ${name} ON CLUSTER 'echo' SYNC`));
      } else if (statement.startsWith("TRUNCATE TABLE")) {
        kinds.add("truncate");
        // Forgetting a cache must reach the stored rows of every shard, not a Distributed table's queue.
        const stored = table in SHARDED_TABLES ? `${table}_local` : table;
        expect(clustered).toEqual([`TRUNCATE TABLE IF EXISTS ${stored} ON CLUSTER 'echo'`]);
      } else {
        kinds.add("insert");
        // A backfill runs once, through the Distributed tables, on the node applying the migration.
        expect(statement).toMatch(/^INSERT INTO \w+/);
        expect(clustered).toEqual([statement]);
      }
    }
    expect([...kinds].sort()).toEqual(["alter", "drop table", "drop view", "insert", "table", "truncate", "view"]);
    expect(clusteredStatements("DROP TABLE IF EXISTS events", CLUSTER)).toEqual([
      "DROP TABLE IF EXISTS events ON CLUSTER 'echo' SYNC",
      "DROP TABLE IF EXISTS events_local ON CLUSTER 'echo' SYNC",
    ]);
  });

  it("change a sharded table's columns on its local and Distributed tables, anything else on the local tables only", () => {
    expect(clusteredStatements("ALTER TABLE events ADD COLUMN x UInt8", { cluster: "c'1", database: "db" })).toEqual([
      "ALTER TABLE events_local ON CLUSTER 'c1' ADD COLUMN x UInt8",
      "ALTER TABLE events ON CLUSTER 'c1' ADD COLUMN x UInt8",
    ]);
    expect(clusteredStatements("ALTER TABLE events ADD INDEX i x TYPE minmax GRANULARITY 1", CLUSTER)).toEqual([
      "ALTER TABLE events_local ON CLUSTER 'echo' ADD INDEX i x TYPE minmax GRANULARITY 1",
    ]);
    expect(() => clusteredStatements("ALTER TABLE events ADD COLUMN x UInt8, ADD INDEX i x TYPE minmax GRANULARITY 1", CLUSTER)).toThrow(
      /separate ALTER statements/,
    );
    expect(() => clusteredStatements("CREATE TABLE IF NOT EXISTS unknown (x UInt8) ENGINE = MergeTree ORDER BY x", CLUSTER)).toThrow(
      /has no place on a cluster/,
    );
  });

  it("match the golden clustered DDL", async () => {
    const statements = [
      ...clusteredStatements(SCHEMA_MIGRATIONS_TABLE, CLUSTER),
      ...readMigrations().flatMap((m) => splitStatements(m.sql).flatMap((s) => clusteredStatements(s, CLUSTER))),
    ];
    await expect(`${statements.join(";\n\n")};\n`).toMatchFileSnapshot("golden/clickhouse-cluster.sql");
  });

  it("send the application's mutations of sharded tables to their local tables on every shard", () => {
    const params = "WHERE project_id = {projectId:String} AND user_id = {userId:String}";
    expect(clusteredStatement(`DELETE FROM refinement_samples ${params}`, CLUSTER)).toBe(
      `DELETE FROM refinement_samples_local ON CLUSTER 'echo' ${params}`,
    );
    expect(clusteredStatement("ALTER TABLE events UPDATE proposal = '' WHERE 1", CLUSTER)).toBe(
      "ALTER TABLE events_local ON CLUSTER 'echo' UPDATE proposal = '' WHERE 1",
    );
    expect(clusteredStatement("\n      DELETE FROM experiment_user_daily\n WHERE 1", CLUSTER)).toBe(
      "\n      DELETE FROM experiment_user_daily_local ON CLUSTER 'echo'\n WHERE 1",
    );
    expect(clusteredStatement("OPTIMIZE TABLE refinement_samples FINAL", CLUSTER)).toBe(
      "OPTIMIZE TABLE refinement_samples_local ON CLUSTER 'echo' FINAL",
    );
    expect(clusteredStatement("TRUNCATE TABLE refinement_samples", CLUSTER)).toBe(
      "TRUNCATE TABLE refinement_samples_local ON CLUSTER 'echo'",
    );
    // A table with a copy on every node replicates its own mutations; inserts go through Distributed tables.
    expect(clusteredStatement("DELETE FROM dataset_samples WHERE 1", CLUSTER)).toBe("DELETE FROM dataset_samples WHERE 1");
    expect(clusteredStatement("INSERT INTO events SELECT * FROM events", CLUSTER)).toBe("INSERT INTO events SELECT * FROM events");
  });
});

describe("TabSeparated encoding", () => {
  it("writes an Array(String) as a quoted, escaped literal", () => {
    expect(tsvStringArray([])).toBe("[]");
    expect(tsvStringArray(["secret:aws", "duplicate"])).toBe("['secret:aws','duplicate']");
    // a quote, a backslash and a tab inside elements: TabSeparated's escapes, and \' for the quote
    // (the engine reads them back as they were: tests/integration/foundation.test.ts)
    expect(tsvStringArray(["it's", "a\\b", "tab\tx"])).toBe("['it\\'s','a\\\\b','tab\\tx']");
  });

  it("escapes what would break a row and writes NULL as \\N", () => {
    expect(tsvString("a\tb\nc\\d\re")).toBe("a\\tb\\nc\\\\d\\re");
    expect(tsvRow({ a: "x", b: 3, c: null }, ["a", "b", "c"])).toBe("x\t3\t\\N");
  });

  it("reads ClickHouse's TabSeparated escapes back", () => {
    for (const text of ["a\tb\nc\\d\re", "plain", "", "ends with \\"]) expect(tsvUnescape(tsvString(text))).toBe(text);
    expect(tsvUnescape("it\\'s \\0")).toBe("it's \0");
  });
});
