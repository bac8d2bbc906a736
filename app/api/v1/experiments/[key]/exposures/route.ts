import { handle } from "@/lib/api/handler";
import { getExposures } from "@/lib/api/contracts/experiments";
import { experimentExposures } from "@/lib/exposures/service";

export const dynamic = "force-dynamic";

export const GET = handle(getExposures, async ({ db, principal, params }) => experimentExposures(db, principal, params.key));
