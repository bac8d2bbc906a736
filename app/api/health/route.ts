import { handle, Reply } from "@/lib/api/handler";
import { health } from "@/lib/api/contracts/system";
import { clickhouseHealth } from "@/lib/clickhouse";
import { databaseHealth } from "@/lib/db";
import { ingestionBacklog } from "@/lib/ingestion/log";

export const dynamic = "force-dynamic";

export const GET = handle(health, async () => {
  const [clickhouse, database] = await Promise.all([clickhouseHealth(), databaseHealth()]);
  const backlog = ingestionBacklog();
  const ingestion = {
    pendingSegments: backlog.segments,
    pendingRows: backlog.rows,
    failedAttempts: backlog.failures,
    writable: backlog.writable,
    lastError: backlog.lastError,
  };
  const body = { clickhouse, database, ingestion };
  return clickhouse.ok && database.ok ? body : new Reply(503, body);
});
