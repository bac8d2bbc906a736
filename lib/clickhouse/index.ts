import type { ClickHouseClient } from "@clickhouse/client";
import { clickhouseSettings } from "../settings";
import { clickhouseHandle, closeClickHouse, type EngineKind } from "./client";
import { clusteredStatement, type ClusterTarget } from "./cluster";
import { applyMigrations } from "./migrate";
import { tsvBody } from "./tsv";
import {
  insertRowsOn,
  queryRowsForListOn,
  queryRowsOn,
  queriesRun,
  queryTabSeparatedOn,
  runStatementOn,
  SLOW_QUERY_MS,
  type ColumnSpec,
  type QuerySpec,
  type RowOf,
} from "./query";

export { closeClickHouse, queriesRun, type EngineKind };

/** The cluster the tables are laid out on (CLICKHOUSE_CLUSTER), if any. */
export function clusterTarget(): ClusterTarget | undefined {
  const settings = clickhouseSettings();
  return settings.cluster ? { cluster: settings.cluster, database: settings.database } : undefined;
}

/** The migrated ClickHouse client: migrations run once per process, on first use. */
export async function clickhouse(): Promise<ClickHouseClient> {
  const handle = await clickhouseHandle();
  handle.ready ??= applyMigrations(handle.client, { cluster: clusterTarget() }).then(() => undefined);
  try {
    await handle.ready;
  } catch (error) {
    handle.ready = undefined; // let the next request try again (e.g. the server was briefly unreachable)
    throw error;
  }
  return handle.client;
}

export async function clickhouseHealth(): Promise<{ ok: boolean; engine: EngineKind; version: string | null; error?: string }> {
  const handle = await clickhouseHandle();
  try {
    const [row] = await queryRows({ tag: "health.version", sql: "SELECT version() AS version", columns: { version: "string" } });
    return { ok: true, engine: handle.engine, version: row?.version ?? null };
  } catch (error) {
    return { ok: false, engine: handle.engine, version: null, error: (error as Error).message };
  }
}

/** queryRows over a long list bound as `listParam`, in URL-sized runs (see queryRowsForListOn). */
export async function queryRowsForList<const C extends ColumnSpec>(
  spec: QuerySpec & { columns: C },
  listParam: string,
  values: readonly string[],
): Promise<RowOf<C>[]> {
  return queryRowsForListOn(await clickhouse(), spec, listParam, values);
}

/** Rows of a SELECT on the process's client, typed by a column spec (lib/clickhouse/query.ts). */
export async function queryRows<const C extends ColumnSpec>(spec: QuerySpec & { columns: C }): Promise<RowOf<C>[]> {
  return queryRowsOn(await clickhouse(), spec);
}

/** The TabSeparated text of a SELECT on the process's client (large answers read by a scanner). */
export async function queryTabSeparated(spec: QuerySpec): Promise<string> {
  return queryTabSeparatedOn(await clickhouse(), spec);
}

/** A statement without an answer on the process's client. */
export async function runStatement(spec: QuerySpec): Promise<void> {
  const cluster = clusterTarget();
  return runStatementOn(await clickhouse(), cluster ? { ...spec, sql: clusteredStatement(spec.sql, cluster) } : spec);
}

/** Structured rows inserted on the process's client. */
export async function insertRows(spec: { tag: string; table: string; rows: Record<string, unknown>[] }): Promise<void> {
  return insertRowsOn(await clickhouse(), spec);
}

/** TabSeparated rows inserted as they are (the engine's cheapest input), timed like every query. */
export async function insertTabSeparated(spec: { tag: string; table: string; columns: readonly string[]; rows: string[] }): Promise<void> {
  if (!spec.rows.length) return;
  await clickhouse(); // migrations applied
  const handle = await clickhouseHandle();
  const started = performance.now();
  await handle.insertTsv(spec.table, spec.columns, tsvBody(spec.rows));
  const ms = performance.now() - started;
  if (ms > SLOW_QUERY_MS) console.warn(`[echo] slow ClickHouse insert ${spec.tag}: ${Math.round(ms)} ms`);
}
