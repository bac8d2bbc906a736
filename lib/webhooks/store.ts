import type { Db } from "../db";

// Webhooks and their delivery rows (Prisma). A delivery is a row from the moment it is queued, so a
// restart loses none: the next pass picks up whatever is due.

export type WebhookRow = NonNullable<Awaited<ReturnType<Db["webhook"]["findUnique"]>>>;
export type DeliveryRow = NonNullable<Awaited<ReturnType<Db["webhookDelivery"]["findUnique"]>>>;

export function findWebhook(client: Db, projectId: string) {
  return client.webhook.findUnique({ where: { projectId } });
}

/** Pending deliveries due at `now` of enabled webhooks, oldest due first, with their webhook. */
export function dueDeliveries(client: Db, now: Date, limit: number) {
  return client.webhookDelivery.findMany({
    where: { status: "pending", nextAttemptAt: { lte: now }, webhook: { enabled: true } },
    orderBy: [{ nextAttemptAt: "asc" }, { createdAt: "asc" }],
    take: limit,
    include: { webhook: true },
  });
}

export function recentDeliveries(client: Db, webhookId: string, limit: number, status?: DeliveryRow["status"]) {
  return client.webhookDelivery.findMany({
    where: { webhookId, ...(status ? { status } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
  });
}
