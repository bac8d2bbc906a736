import { handle } from "@/lib/api/handler";
import { refinementOutcomes } from "@/lib/api/contracts/refinements";
import { sampleOutcomes } from "@/lib/refinements/service";

export const dynamic = "force-dynamic";

export const GET = handle(refinementOutcomes, async ({ principal, query }) => sampleOutcomes(principal, query));
