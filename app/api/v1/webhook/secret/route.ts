import { handle } from "@/lib/api/handler";
import { rotateWebhookSecret } from "@/lib/api/contracts/webhooks";
import * as webhooks from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const POST = handle(rotateWebhookSecret, async ({ db, principal }) => webhooks.rotateWebhookSecret(db, principal));
