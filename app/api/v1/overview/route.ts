import { handle } from "@/lib/api/handler";
import { getOverview } from "@/lib/api/contracts/overview";
import { overview } from "@/lib/overview/service";

export const dynamic = "force-dynamic";

export const GET = handle(getOverview, async ({ db, principal, query }) => overview(db, principal, query));
