import { handle } from "@/lib/api/handler";
import { sendTestEvent } from "@/lib/api/contracts/webhooks";
import * as webhooks from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const POST = handle(sendTestEvent, async ({ db, principal }) => webhooks.sendTestEvent(db, principal));
