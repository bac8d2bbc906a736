import { handle } from "@/lib/api/handler";
import { getResults } from "@/lib/api/contracts/experiments";
import { experimentResults } from "@/lib/results/service";

export const dynamic = "force-dynamic";

export const GET = handle(getResults, async ({ db, principal, params, query }) => experimentResults(db, principal, params.key, query));
