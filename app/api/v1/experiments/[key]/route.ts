import { handle } from "@/lib/api/handler";
import { getExperiment, updateExperiment } from "@/lib/api/contracts/experiments";
import * as experiments from "@/lib/experiments/service";

export const dynamic = "force-dynamic";

export const GET = handle(getExperiment, async ({ db, principal, params }) => experiments.getExperiment(db, principal, params.key));

export const PATCH = handle(updateExperiment, async ({ db, principal, params, body }) =>
  experiments.updateExperiment(db, principal, params.key, body),
);
