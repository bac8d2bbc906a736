import { handle } from "@/lib/api/handler";
import { startExperiment } from "@/lib/api/contracts/experiments";
import * as experiments from "@/lib/experiments/service";

export const dynamic = "force-dynamic";

export const POST = handle(startExperiment, async ({ db, principal, params }) => experiments.startExperiment(db, principal, params.key));
