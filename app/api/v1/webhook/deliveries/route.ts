import { handle } from "@/lib/api/handler";
import { listDeliveries } from "@/lib/api/contracts/webhooks";
import * as webhooks from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const GET = handle(listDeliveries, async ({ db, principal, query }) => ({
  items: await webhooks.listDeliveries(db, principal, query),
}));
