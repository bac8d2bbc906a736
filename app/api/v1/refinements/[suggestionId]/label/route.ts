import { handle } from "@/lib/api/handler";
import { labelRefinement } from "@/lib/api/contracts/refinements";
import { labelSample } from "@/lib/refinements/service";

export const dynamic = "force-dynamic";

export const POST = handle(labelRefinement, async ({ db, principal, params, body }) =>
  labelSample(db, principal, params.suggestionId, body),
);
