import type { Principal } from "../auth/permissions";
import { clickhouseTime } from "../clickhouse/time";
import type { Db } from "../db";
import { ingestionBacklog } from "../ingestion/log";
import { allTrafficTrend } from "../modelVersions/service";
import { DAY_MS } from "../time";
import { freshness } from "./queries";
import type { Overview, OverviewQuery } from "./schemas";

/** A status as an audit row's before or after records it (rows hold the version's view). */
function statusOf(value: unknown): unknown {
  return value && typeof value === "object" ? (value as { status?: unknown }).status : undefined;
}

/** The production version and when it last became production, read from the audit log of its changes. */
async function productionVersion(client: Db, principal: Principal): Promise<Overview["production"]> {
  const version = await client.modelVersion.findFirst({ where: { projectId: principal.projectId, status: "production" } });
  if (!version) return null;
  const changes = await client.auditLog.findMany({
    where: { projectId: principal.projectId, target: `model-version:${version.key}` },
    orderBy: { at: "desc" },
    take: 200,
    select: { at: true, before: true, after: true },
  });
  const promoted = changes.find((row) => statusOf(row.after) === "production" && statusOf(row.before) !== "production");
  return { key: version.key, name: version.name, baseModel: version.baseModel, since: promoted?.at.toISOString() ?? null };
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
