import type { Principal } from "../auth/permissions";
import { clickhouseTime } from "../clickhouse/time";
import type { Db } from "../db";
import { ingestionBacklog } from "../ingestion/log";
import { allTrafficTrend } from "../modelVersions/service";
import { productionTimeline } from "../releases/service";
import { DAY_MS } from "../time";
import { freshness } from "./queries";
import type { Overview, OverviewQuery } from "./schemas";

/**
 * The production version and since when it has served production without a break: the oldest of the
 * newest production-timeline entries that name it (a stopped ramp adds an entry but leaves the
 * serving version, and so its period, as they were).
 */
async function productionVersion(client: Db, principal: Principal): Promise<Overview["production"]> {
  const version = await client.modelVersion.findFirst({ where: { projectId: principal.projectId, status: "production" } });
  if (!version) return null;
  let since: string | null = null;
  for (const change of await productionTimeline(client, principal)) {
    if (change.modelVersion !== version.key) break;
    since = change.at;
  }
  return { key: version.key, name: version.name, baseModel: version.baseModel, since };
}

/**
 * The landing page's answer: the production version and since when, acceptance and generation rate
 * per day over all traffic, and how fresh the event store is (newest event, last insert, the log's backlog).
 */
export async function overview(client: Db, principal: Principal, query: OverviewQuery): Promise<Overview> {
  const now = Date.now();
  const to = new Date(now + 60_000);
  const from = new Date(Math.floor((now - (query.days - 1) * DAY_MS) / DAY_MS) * DAY_MS);
  const [production, days, fresh] = await Promise.all([
    productionVersion(client, principal),
    allTrafficTrend(principal, from, to),
    freshness(principal.projectId, clickhouseTime(now - DAY_MS)),
  ]);
  const backlog = ingestionBacklog();
  return {
    computedAt: new Date(now).toISOString(),
    production,
    traffic: { from: from.toISOString(), to: to.toISOString(), days },
    freshness: {
      lastEventAt: fresh.lastEventAt ? new Date(fresh.lastEventAt).toISOString() : null,
      lastStoredAt: fresh.lastStoredAt ? new Date(fresh.lastStoredAt).toISOString() : null,
      eventsLast24h: fresh.eventsSince,
      backlog: {
        pendingSegments: backlog.segments,
        pendingRows: backlog.rows,
        failedAttempts: backlog.failures,
        writable: backlog.writable,
        lastError: backlog.lastError,
      },
    },
  };
}
