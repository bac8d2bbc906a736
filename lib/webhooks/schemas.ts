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

function parsedUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

// Stored as the parser writes it back (control characters removed or escaped), so what is shown is what is posted to.
const webhookUrl = z
  .string()
  .trim()
  .max(2000)
  .transform((text, context) => {
    const url = parsedUrl(text);
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
      context.addIssue({ code: "custom", message: "must be an http:// or https:// URL" });
      return z.NEVER;
    }
    if (url.username || url.password) {
      context.addIssue({ code: "custom", message: "must not contain credentials" });
      return z.NEVER;
    }
    return url.href;
  });

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
