import type { Prisma } from "@/generated/prisma/client";
import { actorName, type Principal } from "../auth/permissions";
import type { Db, Tx } from "../db";

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
