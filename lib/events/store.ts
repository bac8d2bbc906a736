import type { ClickHouseClient } from "@clickhouse/client";
import { clickhouse } from "../clickhouse";
import { GroupCommit } from "../clickhouse/groupCommit";
import type { EventRow } from "./rows";

// Writes to the events and exposures tables. Every query is parameterized ({name:Type}).

export interface ExposureRow {
  project_id: string;
  experiment_key: string;
  phase: number;
  user_id: string;
  variant_key: string;
  model_version: string;
  first_exposed_at: string;
  last_exposed_at: string;
}

/** Which of these event ids are stored already (their days narrow the search to a few granules). */
export async function storedEventIds(client: ClickHouseClient, rows: EventRow[]): Promise<Set<string>> {
  if (!rows.length) return new Set();
  const byProject = new Map<string, EventRow[]>();
  for (const row of rows) (byProject.get(row.project_id) ?? byProject.set(row.project_id, []).get(row.project_id)!).push(row);
  const found = new Set<string>();
  for (const [projectId, projectRows] of byProject) {
    const result = await client.query({
      query: `SELECT DISTINCT toString(event_id) AS id FROM events
              WHERE project_id = {projectId:String}
                AND toDate(timestamp) IN {days:Array(Date)}
                AND event_id IN {ids:Array(UUID)}`,
      query_params: {
        projectId,
        days: [...new Set(projectRows.map((r) => r.timestamp.slice(0, 10)))],
        ids: projectRows.map((r) => r.event_id),
      },
      format: "JSONEachRow",
    });
    for (const { id } of await result.json<{ id: string }>()) found.add(id);
  }
  return found;
}

/**
 * Stores each group's new events in one INSERT and reports, per group, how many were duplicates (already
 * stored, or repeated within the flush). Runs inside the group commit, so at most one at a time: two
 * retries of one batch cannot both pass the check. The table's ReplacingMergeTree is the second line of
 * defence (e.g. another server instance inserting the same event at the same moment).
 */
async function flushEvents(groups: EventRow[][]): Promise<{ duplicates: number }[]> {
  const client = await clickhouse();
  const stored = await storedEventIds(client, groups.flat());
  const seen = new Set<string>();
  const fresh: EventRow[] = [];
  const results = groups.map((rows) => {
    let duplicates = 0;
    for (const row of rows) {
      if (stored.has(row.event_id) || seen.has(row.event_id)) duplicates++;
      else {
        seen.add(row.event_id);
        fresh.push(row);
      }
    }
    return { duplicates };
  });
  if (fresh.length) await client.insert({ table: "events", values: fresh, format: "JSONEachRow" });
  return results;
}

async function flushExposures(groups: ExposureRow[][]): Promise<void[]> {
  const rows = groups.flat();
  if (rows.length) await (await clickhouse()).insert({ table: "exposures", values: rows, format: "JSONEachRow" });
  return groups.map(() => undefined);
}

const globalForWriters = globalThis as unknown as {
  __echoEventWriter?: GroupCommit<EventRow, { duplicates: number }>;
  __echoExposureWriter?: GroupCommit<ExposureRow, void>;
};

export function writeEvents(rows: EventRow[]): Promise<{ duplicates: number }> {
  globalForWriters.__echoEventWriter ??= new GroupCommit(flushEvents, { maxRows: 50_000 });
  return globalForWriters.__echoEventWriter.write(rows);
}

export function writeExposures(rows: ExposureRow[]): Promise<void> {
  globalForWriters.__echoExposureWriter ??= new GroupCommit(flushExposures, { maxRows: 50_000 });
  return globalForWriters.__echoExposureWriter.write(rows);
}
