import { handle } from "@/lib/api/handler";
import { getExposures } from "@/lib/api/contracts/experiments";
import * as experiments from "@/lib/experiments/service";
import { exposureSummary } from "@/lib/exposures/queries";

export const dynamic = "force-dynamic";

export const GET = handle(getExposures, async ({ db, principal, params }) => {
  const experiment = await experiments.getExperiment(db, principal, params.key);
  return exposureSummary(principal.projectId, experiment.key, experiment.phase, experiment.variants.map((v) => v.key));
});
