import { handle } from "@/lib/api/handler";
import { getRefinement } from "@/lib/api/contracts/refinements";
import { getSample } from "@/lib/refinements/service";

export const dynamic = "force-dynamic";

export const GET = handle(getRefinement, async ({ principal, params }) => getSample(principal, params.suggestionId));
