import { handle } from "@/lib/api/handler";
import { stopExperiment } from "@/lib/api/contracts/experiments";
import * as experiments from "@/lib/experiments/service";

export const dynamic = "force-dynamic";

export const POST = handle(stopExperiment, async ({ db, principal, params }) => experiments.stopExperiment(db, principal, params.key));
