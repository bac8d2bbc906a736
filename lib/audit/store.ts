import type { Prisma } from "@/generated/prisma/client";
import { actorName, type Principal } from "../auth/permissions";
import type { Db, Tx } from "../db";
import type { AuditFilter } from "./schemas";

// The audit log is append-only: this module writes rows and reads them; nothing in the app updates or
// deletes one, and a database trigger (migration users_audit_webhooks) refuses it from any client.

/** Writes one audit row; call it inside the transaction that makes the change, so both land or neither. */
export async function audit(
  tx: Tx | Db,
  principal: Principal,
  entry: { action: string; target: string; before?: unknown; after?: unknown; reason?: string | null },
) {
  await tx.auditLog.create({
    data: {
      projectId: principal.projectId,
      actor: actorName(principal),
      action: entry.action,
      target: entry.target,
      before: (entry.before ?? undefined) as Prisma.InputJsonValue | undefined,
      after: (entry.after ?? undefined) as Prisma.InputJsonValue | undefined,
      reason: entry.reason ?? null,
    },
  });
}

export interface AuditPosition {
  at: Date;
  id: string;
}

/** An exact name, or every name of the family it starts (`experiment` → experiment.start, experiment.stop…). */
function nameOrFamily(field: "action" | "target", value: string, separator: string): Prisma.AuditLogWhereInput {
  const family = value.endsWith(separator) ? value : value + separator;
  return { OR: [{ [field]: value }, { [field]: { startsWith: family } }] };
}

function whereOf(projectId: string, filter: AuditFilter, after?: AuditPosition): Prisma.AuditLogWhereInput {
  const and: Prisma.AuditLogWhereInput[] = [];
  if (filter.actor) and.push({ actor: { contains: filter.actor, mode: "insensitive" } });
  if (filter.action) and.push(nameOrFamily("action", filter.action, "."));
  if (filter.target) and.push(nameOrFamily("target", filter.target, ":"));
  if (filter.from) and.push({ at: { gte: filter.from } });
  if (filter.to) and.push({ at: { lt: filter.to } });
  // Newest first, ties by id: the row after the last one the caller saw.
  if (after) and.push({ OR: [{ at: { lt: after.at } }, { at: after.at, id: { lt: after.id } }] });
  return { projectId, AND: and };
}

/** Up to `limit` rows matching the filter, newest first, after `after` (keyset paging). */
export function findAuditRows(client: Db, projectId: string, filter: AuditFilter, limit: number, after?: AuditPosition) {
  return client.auditLog.findMany({
    where: whereOf(projectId, filter, after),
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: limit,
  });
}

export type AuditRow = Awaited<ReturnType<typeof findAuditRows>>[number];
