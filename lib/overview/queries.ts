import { queryRows } from "../clickhouse";

// The event store's freshness, from the per-day insert statistics the materialized view keeps
// (event_day_stats, a few rows per project) and one day of the events' primary key.

export function freshnessSql(): string {
  return `
    SELECT
      (SELECT toUnixTimestamp64Milli(max(max_timestamp)) FROM event_day_stats WHERE project_id = {projectId:String}) AS lastEventAt,
      (SELECT toUnixTimestamp64Milli(max(max_ingested_at)) FROM event_day_stats WHERE project_id = {projectId:String}) AS lastStoredAt,
      (SELECT count() FROM events
        WHERE project_id = {projectId:String} AND toDate(timestamp) >= toDate({since:DateTime64(3, 'UTC')})
          AND timestamp >= {since:DateTime64(3, 'UTC')}) AS eventsSince`;
}

export interface Freshness {
  /** Epoch milliseconds, or null when the project has no events. */
  lastEventAt: number | null;
  lastStoredAt: number | null;
  eventsSince: number;
}

export async function freshness(projectId: string, since: string): Promise<Freshness> {
  const [row] = await queryRows({
    tag: "overview.freshness",
    sql: freshnessSql(),
    params: { projectId, since },
    columns: { lastEventAt: "number", lastStoredAt: "number", eventsSince: "number" },
  });
  // max() over no rows is the epoch: no event at all
  return { lastEventAt: row?.lastEventAt || null, lastStoredAt: row?.lastStoredAt || null, eventsSince: row?.eventsSince ?? 0 };
}
