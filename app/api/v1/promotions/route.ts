import { handle } from "@/lib/api/handler";
import { listPromotions } from "@/lib/api/contracts/releases";
import * as releases from "@/lib/releases/service";

export const dynamic = "force-dynamic";

export const GET = handle(listPromotions, async ({ db, principal }) => ({ items: await releases.listPromotions(db, principal) }));
