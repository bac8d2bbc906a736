import { handle } from "@/lib/api/handler";
import { startPromotion } from "@/lib/api/contracts/releases";
import * as releases from "@/lib/releases/service";

export const dynamic = "force-dynamic";

export const POST = handle(startPromotion, async ({ db, principal, params, body }) =>
  releases.startPromotion(db, principal, params.key, body),
);
