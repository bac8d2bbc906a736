import { randomBytes, randomUUID } from "node:crypto";
import { audit } from "../audit/store";
import type { Principal } from "../auth/permissions";
import { db, type Db } from "../db";
import { JOB_LOCKS, startBackgroundJob, stopBackgroundJob } from "../db/singleton";
import { conflict, notFound } from "../errors";
import { webhookPrivateAddressesAllowed } from "../settings";
import { retryDelayMs } from "./backoff";
import { postToWebhook } from "./destination";
import { TEST_EVENT, type DeliveryView, type WebhookEvent, type WebhookView } from "./schemas";
import { decryptSecret, encryptSecret } from "./secret";
import { SIGNATURE_HEADER, signatureHeader } from "./signature";
import { dueDeliveries, findWebhook, recentDeliveries, type DeliveryRow, type WebhookRow } from "./store";

export type { WebhookEvent };

// A project's optional webhook: release events are queued as delivery rows (notifyWebhooks) and POSTed
// by a background job on one instance at a time, signed (signature.ts), retried with exponential backoff
// (backoff.ts). Delivery is at least once: an instance that dies between the receiver's answer and
// recording it sends that delivery again, with the same Echo-Delivery id for the receiver to drop.

const ATTEMPT_TIMEOUT_MS = 10_000;
const DELIVERIES_PER_PASS = 25;
const JOB = { name: "webhook-deliveries", lock: JOB_LOCKS.webhooks, failure: "webhook delivery pass failed" };

function presentWebhook(row: WebhookRow): WebhookView {
  return {
    url: row.url,
    enabled: row.enabled,
    secretPrefix: row.secretPrefix,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function presentDelivery(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    createdAt: row.createdAt.toISOString(),
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    nextAttemptAt: row.status === "pending" ? row.nextAttemptAt.toISOString() : null,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    body: row.body,
  };
}

const newSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;
const secretFields = (secret: string) => ({ encryptedSecret: encryptSecret(secret), secretPrefix: secret.slice(0, 12) });

export async function getWebhook(client: Db, principal: Principal): Promise<WebhookView | null> {
  const row = await findWebhook(client, principal.projectId);
  return row ? presentWebhook(row) : null;
}

/**
 * Sets the project's webhook URL (and whether it is on). Creating it makes a signing secret, answered
 * this once; changing the URL keeps the secret.
 */
export async function putWebhook(
  client: Db,
  principal: Principal,
  input: { url: string; enabled?: boolean },
): Promise<WebhookView & { secret?: string }> {
  return client.$transaction(async (tx) => {
    const before = await tx.webhook.findUnique({ where: { projectId: principal.projectId } });
    if (before) {
      const row = await tx.webhook.update({ where: { id: before.id }, data: { url: input.url, enabled: input.enabled ?? before.enabled } });
      await audit(tx, principal, {
        action: "webhook.update",
        target: "webhook",
        before: presentWebhook(before),
        after: presentWebhook(row),
      });
      return presentWebhook(row);
    }
    const secret = newSecret();
    const row = await tx.webhook.create({
      data: { projectId: principal.projectId, url: input.url, enabled: input.enabled ?? true, ...secretFields(secret) },
    });
    await audit(tx, principal, { action: "webhook.create", target: "webhook", after: presentWebhook(row) });
    return { ...presentWebhook(row), secret };
  });
}

/** A new signing secret, answered once; deliveries from now on (retries included) are signed with it. */
export async function rotateWebhookSecret(client: Db, principal: Principal): Promise<WebhookView & { secret: string }> {
  return client.$transaction(async (tx) => {
    const before = await tx.webhook.findUnique({ where: { projectId: principal.projectId } });
    if (!before) throw notFound("This project has no webhook");
    const secret = newSecret();
    const row = await tx.webhook.update({ where: { id: before.id }, data: secretFields(secret) });
    await audit(tx, principal, {
      action: "webhook.rotate_secret",
      target: "webhook",
      before: presentWebhook(before),
      after: presentWebhook(row),
    });
    return { ...presentWebhook(row), secret };
  });
}

/** Removes the webhook and its delivery log. */
export async function deleteWebhook(client: Db, principal: Principal): Promise<void> {
  await client.$transaction(async (tx) => {
    const before = await tx.webhook.findUnique({ where: { projectId: principal.projectId } });
    if (!before) throw notFound("This project has no webhook");
    await tx.webhook.delete({ where: { id: before.id } });
    await audit(tx, principal, { action: "webhook.delete", target: "webhook", before: presentWebhook(before) });
  });
}

export async function listDeliveries(
  client: Db,
  principal: Principal,
  query: { limit: number; status?: DeliveryRow["status"] },
): Promise<DeliveryView[]> {
  const webhook = await findWebhook(client, principal.projectId);
  if (!webhook) return [];
  return (await recentDeliveries(client, webhook.id, query.limit, query.status)).map(presentDelivery);
}

async function enqueue(client: Db, webhook: WebhookRow, event: string, payload: Record<string, unknown>): Promise<DeliveryRow> {
  const id = randomUUID();
  const body = JSON.stringify({ id, event, projectId: webhook.projectId, occurredAt: new Date().toISOString(), data: payload });
  return client.webhookDelivery.create({ data: { id, webhookId: webhook.id, event, body } });
}

/** Queues a test event to the project's webhook (even when it is off, it waits until it is on). */
export async function sendTestEvent(client: Db, principal: Principal): Promise<DeliveryView> {
  const webhook = await findWebhook(client, principal.projectId);
  if (!webhook) throw notFound("This project has no webhook");
  if (!webhook.enabled) throw conflict("The webhook is off: turn it on to send events");
  return presentDelivery(await enqueue(client, webhook, TEST_EVENT, { message: "A test event from Echo", sentBy: principal.kind }));
}

/**
 * Queues delivery of `event` to the project's webhook, if it has one that is on. Never throws: a release
 * step must not fail because the queue could not be written (the failure is logged). Call it after the
 * change's transaction committed: on the embedded store a write outside an open transaction waits for it.
 */
export async function notifyWebhooks(projectId: string, event: WebhookEvent, payload: Record<string, unknown>): Promise<void> {
  try {
    const client = await db();
    const webhook = await findWebhook(client, projectId);
    if (webhook?.enabled) await enqueue(client, webhook, event, payload);
  } catch (error) {
    console.error(`[echo] webhook event ${event} for project ${projectId} not queued:`, (error as Error).message);
  }
}

type DueDelivery = Awaited<ReturnType<typeof dueDeliveries>>[number];

/** One POST of a delivery; answers the status code, or throws for no answer or a refused destination. */
async function post(delivery: DueDelivery, timestamp: number): Promise<number> {
  const secret = decryptSecret(delivery.webhook.encryptedSecret);
  const headers = {
    "content-type": "application/json",
    "user-agent": "Echo-Webhooks/1",
    "echo-event": delivery.event,
    "echo-delivery": delivery.id,
    [SIGNATURE_HEADER]: signatureHeader(secret, delivery.body, timestamp),
  };
  return postToWebhook(delivery.webhook.url, headers, delivery.body, {
    timeoutMs: ATTEMPT_TIMEOUT_MS,
    allowPrivate: webhookPrivateAddressesAllowed(),
  });
}

/**
 * Attempts every delivery due at `now`: 2xx marks it delivered; anything else counts a failed attempt and
 * schedules the next after the backoff, or gives it up as failed after the last. Answers how many were attempted.
 */
export async function deliverDue(client: Db, now = new Date()): Promise<number> {
  const due = await dueDeliveries(client, now, DELIVERIES_PER_PASS);
  for (const delivery of due) {
    const attemptedAt = new Date();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      statusCode = await post(delivery, Math.floor(attemptedAt.getTime() / 1000));
      if (statusCode < 200 || statusCode >= 300) error = `the receiver answered ${statusCode}`;
    } catch (failure) {
      const cause = (failure as Error & { cause?: Error }).cause?.message;
      error = `${(failure as Error).message}${cause ? `: ${cause}` : ""}`.slice(0, 500);
    }
    const attempts = delivery.attempts + 1;
    const delay = error ? retryDelayMs(attempts) : null;
    await client.webhookDelivery.update({
      where: { id: delivery.id },
      data: {
        attempts,
        lastAttemptAt: attemptedAt,
        lastStatusCode: statusCode,
        lastError: error,
        ...(error === null
          ? { status: "delivered", deliveredAt: attemptedAt }
          : delay === null
            ? { status: "failed" }
            : { nextAttemptAt: new Date(now.getTime() + delay) }),
      },
    });
  }
  return due.length;
}

/** Delivers due webhook events every few seconds, on one server instance at a time. */
export function startWebhookDeliveries(client: Db, intervalMs = 5_000) {
  startBackgroundJob(client, { ...JOB, intervalMs }, () => deliverDue(client));
}

export function stopWebhookDeliveries(): Promise<void> {
  return stopBackgroundJob(JOB.name);
}
