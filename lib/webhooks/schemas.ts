import { z } from "zod";

// Shapes of a project's webhook and its delivery log (the /api/v1/webhook endpoints and the settings page).

export const WEBHOOK_EVENTS = [
  "promotion.started",
  "promotion.advanced",
  "promotion.paused",
  "promotion.completed",
  "guardrail.failed",
  "rollback",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/** Sent only by "Send test event", so a receiver can be checked without a release. */
export const TEST_EVENT = "webhook.test";

const webhookUrl = z
  .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
  .max(2000)
  .refine((url) => !new URL(url).username && !new URL(url).password, "must not contain credentials");

export const webhookSchema = z.object({
  url: z.string(),
  enabled: z.boolean(),
  secretPrefix: z.string().describe("The first characters of the signing secret (the secret itself is shown once)"),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const webhookWithSecretSchema = webhookSchema.extend({
  secret: z.string().describe("The signing secret: shown only in this answer"),
});

export const putWebhookSchema = z.strictObject({ url: webhookUrl, enabled: z.boolean().optional() });

export const deliverySchema = z.object({
  id: z.string(),
  event: z.string(),
  status: z.enum(["pending", "delivered", "failed"]),
  attempts: z.number().int(),
  createdAt: z.string(),
  lastAttemptAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable().describe("When a pending delivery is tried next"),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  body: z.string().describe("The exact JSON text sent (and signed)"),
});

export const deliveriesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  status: z.enum(["pending", "delivered", "failed"]).optional(),
});

export type WebhookView = z.output<typeof webhookSchema>;
export type DeliveryView = z.output<typeof deliverySchema>;
