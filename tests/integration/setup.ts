import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";

// Each test file runs in its own process (vitest pool "forks") with its own embedded stores: chDB and
// PGlite allow one data directory per process. Real engines, a fresh directory, known credentials.
// With ECHO_TEST_POSTGRES_URL (a PostgreSQL server; `npm test` starts one), each file gets a fresh
// database on that server instead of PGlite.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-it-"));
process.env.ECHO_DATA_DIR = dir;
process.env.ECHO_DEMO = "0";
process.env.ECHO_CHECK_RESPONSES = "1";
process.env.ECHO_INIT_ADMIN_EMAIL = "admin@test.local";
process.env.ECHO_INIT_ADMIN_PASSWORD = "admin-password-1";
process.env.ECHO_INIT_ADMIN_API_KEY = "echo_admin_test_key";
process.env.ECHO_INIT_INGEST_API_KEY = "echo_ingest_test_key";
delete process.env.CLICKHOUSE_URL;
delete process.env.DATABASE_URL;

const server = process.env.ECHO_TEST_POSTGRES_URL;
const databaseName = `echo_it_${path.basename(dir).replace(/\W/g, "_").toLowerCase()}`;

async function onServer(sql: string) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

if (server) {
  const url = new URL(server);
  url.pathname = `/${databaseName}`;
  process.env.DATABASE_URL = url.toString();
  beforeAll(async () => {
    await onServer(`CREATE DATABASE ${databaseName}`);
  });
}

// ECHO_TEST_CLICKHOUSE=http: the application reaches ClickHouse over HTTP (CLICKHOUSE_URL, @clickhouse/client),
// served by a fixture in front of the engine (tests/fixtures/clickhouseHttpServer.ts); `npm test` runs part of
// the suite this way. Its hook is registered first, so it closes after the application's client.
if (process.env.ECHO_TEST_CLICKHOUSE === "http") {
  const { startClickHouseHttpServer } = await import("../fixtures/clickhouseHttpServer");
  const clickhouseServer = await startClickHouseHttpServer({
    dataDir: path.join(dir, "clickhouse-server"),
    user: "echo",
    password: "echo-test",
  });
  Object.assign(process.env, {
    CLICKHOUSE_URL: clickhouseServer.url,
    CLICKHOUSE_USER: "echo",
    CLICKHOUSE_PASSWORD: "echo-test",
    CLICKHOUSE_DATABASE: "echo",
  });
  await fetch(`${clickhouseServer.url}/?query=${encodeURIComponent("CREATE DATABASE echo")}`, {
    method: "POST",
    headers: { "X-ClickHouse-User": "echo", "X-ClickHouse-Key": "echo-test" },
  });
  afterAll(() => clickhouseServer.close());
}

afterAll(async () => {
  const { closeDatabase } = await import("@/lib/db");
  const { closeClickHouse } = await import("@/lib/clickhouse");
  await closeDatabase();
  await closeClickHouse();
  fs.rmSync(dir, { recursive: true, force: true });
  if (server) await onServer(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
});
