import type { ClickHouseClient } from "@clickhouse/client";

// The one way to talk to ClickHouse (lib/clickhouse/index.ts binds it to the process's migrated client;
// only the migration runner passes its own). Every call names its call site (a tag, sent as the query's
// log_comment so system.query_log tells which code ran what), binds every value as a parameter
// ({name:Type} in the SQL, never spliced into the text), and logs queries slower than SLOW_QUERY_MS.
// Rows are typed by a column spec: UInt64 arrives as a number from chDB but may arrive as a string
// over HTTP, so numbers are converted here and nowhere else.

export const SLOW_QUERY_MS = 500;

/**
 * Characters of bound values per query at most, for lists bound as an `Array(String)` parameter. Over
 * HTTP, parameters travel in the URL, which a ClickHouse server limits (`http_max_uri_size`, 1 MiB) and
 * which percent-encoding may triple: 128 K characters stay below that whatever the values hold.
 */
export const MAX_BOUND_LIST_CHARS = 128 * 1024;

/** Splits `values` into runs whose total length stays within MAX_BOUND_LIST_CHARS (each value whole, in order). */
export function boundListChunks(values: readonly string[], maxChars = MAX_BOUND_LIST_CHARS): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let chars = 0;
  for (const value of values) {
    if (chunk.length && chars + value.length + 1 > maxChars) {
      chunks.push(chunk);
      chunk = [];
      chars = 0;
    }
    chunk.push(value);
    chars += value.length + 1;
  }
  if (chunk.length) chunks.push(chunk);
  return chunks;
}

export interface QuerySpec {
  /** Names the call site, e.g. "results.userDayRows"; sent as log_comment `echo:<tag>`. */
  tag: string;
  sql: string;
  params?: Record<string, unknown>;
}

type ColumnKind = "string" | "number" | "boolean" | "numbers" | "strings";
type ColumnValue<K extends ColumnKind> = K extends "string"
  ? string
  : K extends "number"
    ? number
    : K extends "boolean"
      ? boolean
      : K extends "numbers"
        ? number[]
        : string[];
export type ColumnSpec = Record<string, ColumnKind>;
export type RowOf<C extends Record<string, ColumnKind>> = { [K in keyof C]: ColumnValue<C[K]> };

const convert: Record<ColumnKind, (value: unknown) => unknown> = {
  string: (v) => (v === null || v === undefined ? "" : String(v)),
  number: (v) => Number(v),
  boolean: (v) => v === true || v === 1 || v === "1" || v === "true",
  numbers: (v) => (Array.isArray(v) ? v.map(Number) : []),
  strings: (v) => (Array.isArray(v) ? v.map(String) : []),
};

const globalForCounts = globalThis as unknown as { __echoQueriesRun?: Map<string, number> };
const queriesRunByTag = (globalForCounts.__echoQueriesRun ??= new Map());

/** How many queries with this tag the process has run (what a request cost, for tests and diagnostics). */
export function queriesRun(tag: string): number {
  return queriesRunByTag.get(tag) ?? 0;
}

async function timed<T>(tag: string, run: () => Promise<T>): Promise<T> {
  queriesRunByTag.set(tag, (queriesRunByTag.get(tag) ?? 0) + 1);
  const started = performance.now();
  try {
    return await run();
  } finally {
    const ms = performance.now() - started;
    if (ms > SLOW_QUERY_MS) console.warn(`[echo] slow ClickHouse query ${tag}: ${Math.round(ms)} ms`);
  }
}

const settings = (tag: string) => ({ log_comment: `echo:${tag}` });

/** Rows of a SELECT, each column converted to the kind the spec names (columns not named are dropped). */
export async function queryRowsOn<const C extends Record<string, ColumnKind>>(
  client: ClickHouseClient,
  spec: QuerySpec & { columns: C },
): Promise<RowOf<C>[]> {
  const names = Object.keys(spec.columns);
  return timed(spec.tag, async () => {
    const result = await client.query({
      query: spec.sql,
      query_params: spec.params,
      format: "JSONEachRow",
      clickhouse_settings: settings(spec.tag),
    });
    const raw = await result.json<Record<string, unknown>>();
    return raw.map((row) => {
      const out: Record<string, unknown> = {};
      for (const name of names) {
        if (!(name in row)) throw new Error(`ClickHouse query ${spec.tag}: the answer has no column '${name}'`);
        out[name] = convert[spec.columns[name]](row[name]);
      }
      return out as RowOf<C>;
    });
  });
}

/**
 * queryRowsOn over a long list of values bound as `listParam` (an `Array(String)`): one query per run
 * of values that fits a URL (boundListChunks), their rows concatenated in the runs' order. For queries
 * whose rows each depend on one value of the list (an IN filter), so splitting the list changes nothing.
 */
export async function queryRowsForListOn<const C extends Record<string, ColumnKind>>(
  client: ClickHouseClient,
  spec: QuerySpec & { columns: C },
  listParam: string,
  values: readonly string[],
): Promise<RowOf<C>[]> {
  const rows: RowOf<C>[] = [];
  for (const chunk of boundListChunks(values))
    rows.push(...(await queryRowsOn(client, { ...spec, params: { ...spec.params, [listParam]: chunk } })));
  return rows;
}

/**
 * The raw TabSeparated answer of a SELECT, for answers of hundreds of thousands of rows that a
 * dedicated scanner reads faster than JSON (lib/results/userDayRows.ts, lib/refinements/rows.ts).
 */
export async function queryTabSeparatedOn(client: ClickHouseClient, spec: QuerySpec): Promise<string> {
  return timed(spec.tag, async () => {
    const result = await client.query({
      query: spec.sql,
      query_params: spec.params,
      format: "TabSeparated",
      clickhouse_settings: settings(spec.tag),
    });
    return result.text();
  });
}

/** A statement without an answer (INSERT … SELECT, DELETE, DDL). */
export async function runStatementOn(client: ClickHouseClient, spec: QuerySpec): Promise<void> {
  await timed(spec.tag, () => client.command({ query: spec.sql, query_params: spec.params, clickhouse_settings: settings(spec.tag) }));
}

/** Rows inserted as JSONEachRow (small, structured inserts; the ingestion log inserts its TabSeparated bytes directly). */
export async function insertRowsOn(
  client: ClickHouseClient,
  spec: { tag: string; table: string; rows: Record<string, unknown>[] },
): Promise<void> {
  if (!spec.rows.length) return;
  await timed(spec.tag, () =>
    client.insert({ table: spec.table, values: spec.rows, format: "JSONEachRow", clickhouse_settings: settings(spec.tag) }),
  );
}
