import { handle } from "@/lib/api/handler";
import { productionTimeline } from "@/lib/api/contracts/releases";
import * as releases from "@/lib/releases/service";

export const dynamic = "force-dynamic";

export const GET = handle(productionTimeline, async ({ db, principal }) => ({ items: await releases.productionTimeline(db, principal) }));
