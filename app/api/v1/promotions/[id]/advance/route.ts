import { handle } from "@/lib/api/handler";
import { advancePromotion } from "@/lib/api/contracts/releases";
import * as releases from "@/lib/releases/service";

export const dynamic = "force-dynamic";

export const POST = handle(advancePromotion, async ({ db, principal, params, body }) =>
  releases.advancePromotion(db, principal, params.id, body.reason),
);
