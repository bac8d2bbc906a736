import { describe, expect, it } from "vitest";
import { readMigrations, splitStatements, toClustered } from "@/lib/clickhouse/migrate";
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
      const clustered = toClustered(statement, "main");
      if (statement.startsWith("CREATE TABLE")) {
        kinds.add("table");
        expect(clustered).toMatch(/^CREATE TABLE IF NOT EXISTS \w+ ON CLUSTER 'main'/);
        expect(clustered).toMatch(/ENGINE = Replicated(Replacing|Aggregating)?MergeTree/);
      } else if (statement.startsWith("CREATE MATERIALIZED VIEW")) {
        kinds.add("view");
        // A view writes into its (replicated) target table: created on every node, no engine of its own.
        expect(clustered).toMatch(/^CREATE MATERIALIZED VIEW IF NOT EXISTS \w+ ON CLUSTER 'main' TO \w+ AS/);
      } else if (statement.startsWith("ALTER TABLE")) {
        kinds.add("alter");
        expect(clustered).toMatch(/^ALTER TABLE \w+ ON CLUSTER 'main'\s/);
      } else if (statement.startsWith("TRUNCATE TABLE")) {
        kinds.add("truncate");
        // Forgetting a cache must reach every replica, not just the node applying the migration.
        expect(clustered).toMatch(/^TRUNCATE TABLE IF EXISTS \w+ ON CLUSTER 'main'$/);
      } else {
        kinds.add("insert");
        // A backfill runs once, on the node applying the migration; replication copies its rows.
        expect(statement).toMatch(/^INSERT INTO \w+/);
        expect(clustered).toBe(statement);
      }
    }
    expect([...kinds].sort()).toEqual(["alter", "insert", "table", "truncate", "view"]);
    expect(toClustered("ALTER TABLE events ADD COLUMN x UInt8", "c'1")).toBe("ALTER TABLE events ON CLUSTER 'c1' ADD COLUMN x UInt8");
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
