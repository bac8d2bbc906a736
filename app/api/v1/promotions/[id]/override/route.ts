import { handle } from "@/lib/api/handler";
import { overridePromotion } from "@/lib/api/contracts/releases";
import * as releases from "@/lib/releases/service";

export const dynamic = "force-dynamic";

export const POST = handle(overridePromotion, async ({ db, principal, params, body }) =>
  releases.overridePromotion(db, principal, params.id, body.reason),
);
