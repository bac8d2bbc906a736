import { z } from "zod";
import { deliveriesQuerySchema, deliverySchema, putWebhookSchema, webhookSchema, webhookWithSecretSchema } from "../../webhooks/schemas";
import { endpoint } from "../endpoint";

export const getWebhook = endpoint({
  method: "GET",
  path: "/api/v1/webhook",
  summary: "The project's webhook, or null when it has none",
  tag: "Webhooks",
  permission: "admin",
  response: z.object({ webhook: webhookSchema.nullable() }),
});

export const putWebhook = endpoint({
  method: "PUT",
  path: "/api/v1/webhook",
  summary: "Set the webhook's URL and whether it is on; creating it answers the signing secret, once (audited)",
  tag: "Webhooks",
  permission: "admin",
  body: putWebhookSchema,
  response: webhookSchema.extend({ secret: z.string().optional().describe("Only when the webhook was created by this call") }),
  description:
    "Echo POSTs promotion.started, promotion.advanced, promotion.paused, promotion.completed, guardrail.failed and rollback " +
    "as JSON {id, event, projectId, occurredAt, data} with headers Echo-Event, Echo-Delivery (the id, to drop repeats) and " +
    "Echo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<raw body>' keyed with the secret>. Any 2xx answer " +
    "within 10 s is a delivery; otherwise it is retried after 30 s, doubling up to 1 h, 10 attempts in all.",
});

export const deleteWebhook = endpoint({
  method: "DELETE",
  path: "/api/v1/webhook",
  summary: "Remove the webhook and its delivery log (audited)",
  tag: "Webhooks",
  permission: "admin",
  response: z.object({ ok: z.literal(true) }),
});

export const rotateWebhookSecret = endpoint({
  method: "POST",
  path: "/api/v1/webhook/secret",
  summary: "A new signing secret, answered once; later deliveries and retries use it (audited)",
  tag: "Webhooks",
  permission: "admin",
  response: webhookWithSecretSchema,
  status: 201,
});

export const sendTestEvent = endpoint({
  method: "POST",
  path: "/api/v1/webhook/test",
  summary: "Queue a webhook.test event to the webhook",
  tag: "Webhooks",
  permission: "admin",
  response: deliverySchema,
  status: 202,
});

export const listDeliveries = endpoint({
  method: "GET",
  path: "/api/v1/webhook/deliveries",
  summary: "The webhook's delivery log, newest first: status, attempts, last answer or error, next attempt",
  tag: "Webhooks",
  permission: "admin",
  query: deliveriesQuerySchema,
  response: z.object({ items: z.array(deliverySchema) }),
});
