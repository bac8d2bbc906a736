import { handle } from "@/lib/api/handler";
import { createExperiment, listExperiments } from "@/lib/api/contracts/experiments";
import * as experiments from "@/lib/experiments/service";

export const dynamic = "force-dynamic";

export const GET = handle(listExperiments, async ({ db, principal }) => ({ items: await experiments.listExperiments(db, principal) }));

export const POST = handle(createExperiment, async ({ db, principal, body }) => experiments.createExperiment(db, principal, body));
