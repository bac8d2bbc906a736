import { handle } from "@/lib/api/handler";
import { deleteWebhook, getWebhook, putWebhook } from "@/lib/api/contracts/webhooks";
import * as webhooks from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const GET = handle(getWebhook, async ({ db, principal }) => ({ webhook: await webhooks.getWebhook(db, principal) }));

export const PUT = handle(putWebhook, async ({ db, principal, body }) => webhooks.putWebhook(db, principal, body));

export const DELETE = handle(deleteWebhook, async ({ db, principal }) => {
  await webhooks.deleteWebhook(db, principal);
  return { ok: true as const };
});
