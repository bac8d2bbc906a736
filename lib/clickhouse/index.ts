import type { ClickHouseClient } from "@clickhouse/client";
import { clickhouseSettings } from "../settings";
import { clickhouseHandle, closeClickHouse, type EngineKind } from "./client";
import { applyMigrations } from "./migrate";

export { closeClickHouse, type EngineKind };

/** The migrated ClickHouse client: migrations run once per process, on first use. */
export async function clickhouse(): Promise<ClickHouseClient> {
  const handle = await clickhouseHandle();
  handle.ready ??= applyMigrations(handle.client, { cluster: clickhouseSettings().cluster }).then(() => undefined);
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
    const client = await clickhouse();
    const result = await client.query({ query: "SELECT version() AS version", format: "JSONEachRow" });
    const [row] = await result.json<{ version: string }>();
    return { ok: true, engine: handle.engine, version: row?.version ?? null };
  } catch (error) {
    return { ok: false, engine: handle.engine, version: null, error: (error as Error).message };
  }
}
