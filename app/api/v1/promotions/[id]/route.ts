import { handle } from "@/lib/api/handler";
import { getPromotion } from "@/lib/api/contracts/releases";
import * as releases from "@/lib/releases/service";

export const dynamic = "force-dynamic";

export const GET = handle(getPromotion, async ({ db, principal, params }) => releases.getPromotion(db, principal, params.id));
