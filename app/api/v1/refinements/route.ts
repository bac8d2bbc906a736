import { handle } from "@/lib/api/handler";
import { listRefinements } from "@/lib/api/contracts/refinements";
import { listSamples } from "@/lib/refinements/service";

export const dynamic = "force-dynamic";

export const GET = handle(listRefinements, async ({ principal, query }) => listSamples(principal, query));
