import { ClickHouseError, ClickHouseLogLevel, createClient, TupleParam } from "@clickhouse/client";
import { Readable } from "node:stream";
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boundListChunks, queryRowsForListOn, queryRowsOn, queryTabSeparatedOn } from "@/lib/clickhouse/query";
import { tsvUnescape } from "@/lib/clickhouse/tsv";
import { startClickHouseHttpServer, type ClickHouseHttpServer } from "../fixtures/clickhouseHttpServer";

// The HTTP fixture behaves as a ClickHouse server does for what @clickhouse/client sends, and the
// application's query helper reads a server's answers (64-bit integers as JSON strings). The integration
// suite itself runs over the fixture in `npm test` (ECHO_TEST_CLICKHOUSE=http, tests/integration/setup.ts).
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-ch-http-"));
let server: ClickHouseHttpServer;
const clients: ReturnType<typeof createClient>[] = [];
const client = (options: Parameters<typeof createClient>[0] = {}) => {
  const created = createClient({
    url: server.url,
    username: "echo",
    password: "secret",
    log: { level: ClickHouseLogLevel.OFF },
    ...options,
  });
  clients.push(created);
  return created;
};

beforeAll(async () => {
  server = await startClickHouseHttpServer({ dataDir: path.join(dir, "engine"), user: "echo", password: "secret" });
  await client().command({ query: "CREATE DATABASE IF NOT EXISTS echo_http" });
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the ClickHouse HTTP fixture", () => {
  it("answers 64-bit integers as JSON strings unless the query's settings say otherwise, as a server does", async () => {
    const sql = "SELECT toUInt64(18446744073709551615) AS big, toUInt32(7) AS small, [toInt64(-1)] AS list";
    const quoted = await (await client().query({ query: sql, format: "JSONEachRow" })).json();
    expect(quoted).toEqual([{ big: "18446744073709551615", small: 7, list: ["-1"] }]);
    const unquoted = await (
      await client().query({ query: sql, format: "JSONEachRow", clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } })
    ).json<{ small: number; list: number[] }>();
    expect(unquoted[0].small).toBe(7);
    expect(unquoted[0].list).toEqual([-1]);
    // a setting of one query does not stay for the next
    expect(await (await client().query({ query: "SELECT toUInt64(1) AS n", format: "JSONEachRow" })).json()).toEqual([{ n: "1" }]);
  });

  it("binds param_* values of every kind the application sends, as text the server parses by type", async () => {
    const c = client();
    const result = await c.query({
      query: `SELECT {s:String} AS s, {d:Date} AS d, {n:UInt64} AS n, {f:Float64} AS f, {a:Array(String)} AS a,
                     {t:Array(Tuple(Date, UInt64, DateTime64(3, 'UTC')))} AS t, {at:DateTime64(3, 'UTC')} AS at`,
      query_params: {
        s: "it's\ta 'quoted' \\ line\nbreak; DROP TABLE x --",
        d: "2026-11-24",
        n: 12345678901234567890n,
        f: 0.25,
        a: ["x", "it's", "back\\slash", "tab\there"],
        t: [new TupleParam(["2026-11-24", 9007199254740993n, "2026-11-24 10:00:00.000"])],
        at: "2026-11-24 10:00:00.123",
      },
      format: "JSONEachRow",
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    });
    expect(await result.json()).toEqual([
      {
        s: "it's\ta 'quoted' \\ line\nbreak; DROP TABLE x --",
        d: "2026-11-24",
        n: "12345678901234567890",
        f: 0.25,
        a: ["x", "it's", "back\\slash", "tab\there"],
        t: [["2026-11-24", "9007199254740993", "2026-11-24 10:00:00.000"]],
        at: "2026-11-24 10:00:00.123",
      },
    ]);
  });

  it("binds thousands of ids in one query, as the refinement pipeline does: its parameters travel in the URL", async () => {
    const ids = Array.from({ length: 5_000 }, (_, i) => `suggestion-${i}-of-a-long-backlog`);
    const result = await client().query({ query: "SELECT length({ids:Array(String)}) AS n", query_params: { ids }, format: "JSONEachRow" });
    expect(await result.json()).toEqual([{ n: "5000" }]);
  });

  it("refuses a URL over 1 MiB as a server does, and a long list of long ids is bound in URL-sized runs instead", async () => {
    // The longest ids the event schema allows (256 characters), percent-encoded to three bytes each: 5,000
    // of them are ~4 MB of URL in one query.
    const ids = Array.from({ length: 5_000 }, (_, i) => `${i}:` + "ü/".repeat(127));
    const sql = "SELECT id FROM (SELECT arrayJoin({wanted:Array(String)}) AS id) WHERE id IN {ids:Array(String)}";
    const wanted = [ids[0], ids[2_500], ids[4_999], "not-in-the-list"];
    await expect(
      queryRowsOn(client(), { tag: "test.longList", sql, params: { wanted, ids }, columns: { id: "string" } }),
    ).rejects.toThrow();
    expect(boundListChunks(ids).length).toBeGreaterThan(5);
    const rows = await queryRowsForListOn(
      client(),
      { tag: "test.longList", sql, params: { wanted }, columns: { id: "string" } },
      "ids",
      ids,
    );
    expect(rows.map((r) => r.id).sort()).toEqual(wanted.slice(0, 3).sort());
  });

  it("inserts the body's rows into the given database, answers formats and echoes the query id", async () => {
    const c = client({ database: "echo_http" });
    await c.command({ query: "CREATE TABLE IF NOT EXISTS t (id UInt64, name String) ENGINE = MergeTree ORDER BY id" });
    await c.insert({ table: "t", values: [{ id: 1, name: "a\tb" }], format: "JSONEachRow" });
    await c.insert({ table: "t", values: Readable.from([Buffer.from("2\tc\\td\n")], { objectMode: false }), format: "TabSeparated" });
    const text = await (await c.query({ query: "SELECT id, name FROM t ORDER BY id", format: "TabSeparated" })).text();
    expect(text).toBe("1\ta\\tb\n2\tc\\td\n");
    const json = await (await c.query({ query: "SELECT count() AS n FROM t", format: "JSON" })).json<{ n: string }>();
    expect(json.data).toEqual([{ n: "2" }]);
    const result = await c.query({ query: "SELECT 1", format: "JSONEachRow", query_id: "echo-query-1" });
    expect(result.query_id).toBe("echo-query-1");
    expect(result.response_headers["x-clickhouse-query-id"]).toBe("echo-query-1");
  });

  it("answers errors as a server does: the code, the message and the status", async () => {
    const c = client({ database: "echo_http" });
    const error = await c.query({ query: "SELECT * FROM missing_table", format: "JSONEachRow" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClickHouseError);
    expect((error as ClickHouseError).code).toBe("60");
    expect((error as ClickHouseError).type).toBe("UNKNOWN_TABLE");
    const missing = await c.query({ query: "SELECT {x:String}", format: "JSONEachRow" }).catch((e: unknown) => e);
    expect((missing as ClickHouseError).type).toBe("UNKNOWN_QUERY_PARAMETER");
    const denied = await client({ password: "wrong" })
      .query({ query: "SELECT 1" })
      .catch((e: unknown) => e);
    expect((denied as ClickHouseError).type).toBe("AUTHENTICATION_FAILED");
    const response = await fetch(`${server.url}/?query=${encodeURIComponent("SELEC 1")}`, {
      headers: { "X-ClickHouse-User": "echo", "X-ClickHouse-Key": "secret" },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-clickhouse-exception-code")).toBe("62");
    expect(await response.text()).toMatch(/^Code: 62\. DB::Exception: .*\(SYNTAX_ERROR\) \(version [\d.]+\)\n$/s);
  });
});

describe("the application's query helper over HTTP", () => {
  it("reads a server's quoted 64-bit integers as numbers, and its errors name the query", async () => {
    const c = client(); // the server's default: 64-bit integers quoted
    const rows = await queryRowsOn(c, {
      tag: "test.quoted",
      sql: "SELECT toUInt64({n:UInt64}) AS n, [toUInt64(1), toUInt64(2)] AS list, toString(number) AS s FROM numbers(2)",
      params: { n: 5 },
      columns: { n: "number", list: "numbers", s: "string" },
    });
    expect(rows).toEqual([
      { n: 5, list: [1, 2], s: "0" },
      { n: 5, list: [1, 2], s: "1" },
    ]);
    const queries = server.queries();
    await queryRowsOn(c, { tag: "test.count", sql: "SELECT 1 AS x", columns: { x: "number" } });
    expect(server.queries()).toBe(queries + 1);
  });
});

describe("rows read as TabSeparated", () => {
  it("are the rows JSON gives: escaped code, NULL, 64-bit integers", async () => {
    // The refinement extraction's path (lib/refinements/rows.ts): the server's TabSeparated, split and unescaped.
    const c = client();
    const code = "def f(x):\n\treturn 'a\\\\b' + \"\\0\"\r\n";
    const spec = {
      tag: "test.tabSeparated",
      sql: `SELECT concat({code:String}, toString(number)) AS code, toUInt64(number) * 10000000000 AS big, number / 4 AS ratio,
                   if(number = 1, NULL, 'set') AS maybe, 'é\tü' AS text
            FROM numbers(3) ORDER BY number`,
      params: { code },
      columns: { code: "string", big: "number", ratio: "number", maybe: "string", text: "string" },
    } as const;
    const lines = (await queryTabSeparatedOn(c, spec)).split("\n").filter(Boolean);
    const read = lines.map((line) => {
      const [code, big, ratio, maybe, text] = line.split("\t");
      return {
        code: tsvUnescape(code),
        big: Number(big),
        ratio: Number(ratio),
        maybe: maybe === "\\N" ? "" : tsvUnescape(maybe),
        text: tsvUnescape(text),
      };
    });
    expect(read).toEqual(await queryRowsOn(c, spec));
    expect(read[0].code).toBe(code + "0");
    expect(read[1].maybe).toBe("");
    expect(await queryTabSeparatedOn(c, { ...spec, sql: `${spec.sql.replace("ORDER BY number", "")} LIMIT 0` })).toBe("");
  });
});

describe("the application on a ClickHouse server (CLICKHOUSE_URL)", () => {
  it("migrates the database and stores the ingestion log's TabSeparated rows as they are", async () => {
    Object.assign(process.env, {
      CLICKHOUSE_URL: server.url,
      CLICKHOUSE_USER: "echo",
      CLICKHOUSE_PASSWORD: "secret",
      CLICKHOUSE_DATABASE: "echo_http",
    });
    const { clickhouseHealth, closeClickHouse, insertTabSeparated, queryRows } = await import("@/lib/clickhouse");
    try {
      expect(await clickhouseHealth()).toMatchObject({ ok: true, engine: "server" });
      await insertTabSeparated({
        tag: "test.insert",
        table: "exposures",
        columns: [
          "project_id",
          "experiment_key",
          "phase",
          "user_id",
          "variant_key",
          "model_version",
          "first_exposed_at",
          "last_exposed_at",
        ],
        rows: ["p1\texp\t1\tuser\\twith tab\tcontrol\tmv\t2026-11-24 10:00:00.000\t2026-11-24 10:00:00.000"],
      });
      const rows = await queryRows({
        tag: "test.read",
        sql: "SELECT user_id, phase, count() AS n FROM exposures WHERE project_id = {p:String} GROUP BY user_id, phase",
        params: { p: "p1" },
        columns: { user_id: "string", phase: "number", n: "number" },
      });
      expect(rows).toEqual([{ user_id: "user\twith tab", phase: 1, n: 1 }]);
    } finally {
      await closeClickHouse();
      for (const name of ["CLICKHOUSE_URL", "CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD", "CLICKHOUSE_DATABASE"]) delete process.env[name];
    }
  });
});
