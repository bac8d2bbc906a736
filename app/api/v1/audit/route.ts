import { handle, StreamReply } from "@/lib/api/handler";
import { listAudit } from "@/lib/api/contracts/audit";
import * as audit from "@/lib/audit/service";

export const dynamic = "force-dynamic";

// Read-only on purpose: the audit log has no route that changes or deletes a row.
export const GET = handle(listAudit, async ({ db, principal, query }) => {
  const { format, cursor, limit, ...filter } = query;
  if (format === "csv") {
    const day = new Date().toISOString().slice(0, 10);
    return new StreamReply(
      200,
      { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="echo-audit-${day}.csv"` },
      audit.auditCsv(db, principal, filter),
    );
  }
  return audit.listAudit(db, principal, { ...filter, cursor, limit });
});
