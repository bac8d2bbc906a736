import { handle } from "@/lib/api/handler";
import { pausePromotion } from "@/lib/api/contracts/releases";
import * as releases from "@/lib/releases/service";

export const dynamic = "force-dynamic";

export const POST = handle(pausePromotion, async ({ db, principal, params, body }) =>
  releases.pausePromotion(db, principal, params.id, body.reason),
);
