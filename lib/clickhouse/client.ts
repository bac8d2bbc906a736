import { createClient, type ClickHouseClient } from "@clickhouse/client";
import { stopAllJobs } from "../jobs";
import { clickhouseSettings } from "../settings";
import { CLUSTER_QUERY_SETTINGS } from "./cluster";

export type EngineKind = "chdb" | "server";

interface ClickHouseHandle {
  client: ClickHouseClient;
  engine: EngineKind;
  /** Inserts TabSeparated rows as they are (no per-row re-serialization by the client). */
  insertTsv(table: string, columns: readonly string[], body: Buffer): Promise<void>;
  ready?: Promise<void>;
  /** Releases what the handle holds besides the client (the embedded engine's configuration session). */
  close?: () => void;
}

// One client per process, created on first use: chDB allows one data directory per process and
// `next build` workers import route modules, so nothing may open the engine at import time.
const globalForClickHouse = globalThis as unknown as { __echoClickHouse?: ClickHouseHandle };

// UInt64 comes back as a JSON string over HTTP unless told otherwise; chDB returns numbers. Both
// engines are asked for numbers so that callers see one shape.
const clickhouseSettingsForBothEngines = {
  output_format_json_quote_64bit_integers: 0,
} as const;

// Server settings of the embedded engine, measured in the soak (docs/performance.md, Soak). Caches (bytes) bounded well
// below a server's defaults (mark and primary index caches of 5 GB each). The pool that deletes outdated
// parts sized for two cores: at its default of 128, the first removal of more than 100 parts (minutes into
// steady ingestion) started 127 threads at once, which then stayed idle in the global pool for good.
const EMBEDDED_ENGINE_ARGS = [
  `--mark_cache_size=${64 << 20}`,
  `--primary_index_cache_size=${64 << 20}`,
  `--index_mark_cache_size=${16 << 20}`,
  `--query_condition_cache_size=${16 << 20}`,
  `--compiled_expression_cache_size=${32 << 20}`,
  "--max_parts_cleaning_thread_pool_size=4",
];

/**
 * Options of the embedded engine's allocator (jemalloc, linked inside libchdb, which reads them from
 * JE_MALLOC_CONF when the library loads): pages freed by queries and inserts go back to the system after
 * about a second instead of five. Under the soak's steady traffic the engine frees pages as fast as it takes
 * them, so the allocator held 250–450 MB resident for about 100 MB in use; with one second, about 100 MB
 * less on average, with no error and the same requests served (docs/performance.md, Soak). Returning them at once
 * (`dirty_decay_ms:0`) kept about 50 MB less again in the soak, but every large query then faults its
 * memory in anew: results at 10M events took 60% longer, raw reads twice as long.
 *
 * `thp:always`: the allocator asks for transparent huge pages (2 MB) on its mappings, which kernels in their
 * default `madvise` mode grant only when asked. Memory a query touches for the first time is faulted in page
 * by page, and on the 2-core virtual machines Echo is measured on a 4 KB fault costs about 12 µs (a fresh
 * 176 MB block written in 540 ms, 20 ms in huge pages): a query answering 165 MB of refinement context took
 * 1.6 s with 4 KB pages and 0.15–0.2 s with huge pages. Where the kernel has them off, the option does
 * nothing. An operator's JE_MALLOC_CONF wins.
 */
const EMBEDDED_ALLOCATOR_CONF = "dirty_decay_ms:1000,thp:always";

async function createHandle(): Promise<ClickHouseHandle> {
  const settings = clickhouseSettings();
  if (settings.url) {
    const client = createClient({
      url: settings.url,
      username: settings.username,
      password: settings.password,
      database: settings.database,
      clickhouse_settings: settings.cluster
        ? { ...clickhouseSettingsForBothEngines, ...CLUSTER_QUERY_SETTINGS }
        : clickhouseSettingsForBothEngines,
      request_timeout: 60_000,
    });
    const insertTsv = async (table: string, columns: readonly string[], body: Buffer) => {
      const { Readable } = await import("node:stream");
      // A raw format takes a byte stream: Readable.from() alone would make one of objects, which the client refuses.
      const values = Readable.from([body], { objectMode: false });
      await client.insert({ table, columns: columns as [string, ...string[]], values, format: "TabSeparated" });
    };
    return { client, engine: "server", insertTsv };
  }
  const fs = await import("node:fs");
  fs.mkdirSync(settings.embeddedPath, { recursive: true });
  // Imported lazily so that a deployment on a ClickHouse server never loads the native engine; the
  // allocator's options must be in the environment before it loads.
  process.env.JE_MALLOC_CONF ??= EMBEDDED_ALLOCATOR_CONF;
  const { createChdbConnection } = await import("chdb/connection");
  const { Session } = await import("chdb");
  // The engine is configured by the first connection to its directory, and lives while one is open: this
  // one sizes its caches for a process that shares the machine with the app (the defaults are a server's,
  // up to half the RAM each), and is held for the process's lifetime.
  const engine = new Session(settings.embeddedPath, { connectionArgs: EMBEDDED_ENGINE_ARGS });
  const connection = createChdbConnection({ path: settings.embeddedPath });
  const client = createClient({
    // chdb ships its own copy of @clickhouse/client-common's types: the shapes match, the nominal types don't.
    connection: connection as unknown as NonNullable<Parameters<typeof createClient>[0]>["connection"],
    clickhouse_settings: clickhouseSettingsForBothEngines,
  });
  // The official client re-serializes and streams every row, which costs more than the insert itself
  // in-process; chDB's raw insert hands the buffer to its parallel parser as it is.
  const insertTsv = async (table: string, columns: readonly string[], body: Buffer) => {
    await connection.chdb.rawInsert({ table, columns, values: body, format: "TabSeparated" });
  };
  return { client, engine: "chdb", insertTsv, close: () => engine.close() };
}

let creating: Promise<ClickHouseHandle> | undefined;

/** The process's ClickHouse client (embedded chDB unless CLICKHOUSE_URL is set), without migrations. */
export async function clickhouseHandle(): Promise<ClickHouseHandle> {
  if (globalForClickHouse.__echoClickHouse) return globalForClickHouse.__echoClickHouse;
  creating ??= createHandle().then((handle) => (globalForClickHouse.__echoClickHouse = handle));
  return creating;
}

/** Closes the client (tests and scripts; a server keeps it for its lifetime), after stopping the background jobs that use it. */
export async function closeClickHouse(): Promise<void> {
  await stopAllJobs();
  const handle = globalForClickHouse.__echoClickHouse;
  globalForClickHouse.__echoClickHouse = undefined;
  creating = undefined;
  if (handle) {
    await handle.client.close();
    handle.close?.();
  }
}
