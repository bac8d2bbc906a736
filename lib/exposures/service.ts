import { assignUser, type AssignResult, type UserAttributes } from "../assignment";
import type { Principal } from "../auth/permissions";
import type { Db } from "../db";
import { getExperiment } from "../experiments/service";
import { exposureSummary, type ExposureSummary } from "./queries";
import { clickhouseTime } from "../clickhouse/time";
import { exposureRow, type ExposureRow } from "./rows";
import { enqueueExposures } from "../ingestion/log";
import { compiledAssignmentConfig, type ProjectAssignmentConfig } from "../experiments/assignmentConfig";

/** Exposure rows for the experiments a user is in (what POST /assign and SDK exposure events record). */
export function exposureRows(
  projectId: string,
  config: ProjectAssignmentConfig,
  userId: string,
  result: AssignResult,
  at: number,
): ExposureRow[] {
  const time = clickhouseTime(at);
  return result.assignments
    .filter((a) => a.inExperiment && a.variantKey)
    .map((a) =>
      exposureRow({
        projectId,
        experimentKey: a.experimentKey,
        phase: config.experiments.find((e) => e.key === a.experimentKey)?.phase ?? 1,
        userId,
        variantKey: a.variantKey!,
        modelVersion: a.modelVersion ?? "",
        at: time,
      }),
    );
}

/**
 * Assigns a user and logs their exposures durably before answering, so every user who was served a
 * variant is counted in its results.
 */
export async function assignAndExpose(client: Db, projectId: string, userId: string, attributes: UserAttributes | undefined) {
  const { config, compiled: compiledConfig } = await compiledAssignmentConfig(client, projectId);
  const result = assignUser(compiledConfig, userId, attributes);
  const exposures = exposureRows(projectId, config, userId, result, Date.now());
  if (exposures.length) await enqueueExposures(exposures);
  return result;
}

/** Exposed users per variant and per day of the experiment's current phase. */
export async function experimentExposures(client: Db, principal: Principal, key: string): Promise<ExposureSummary> {
  const experiment = await getExperiment(client, principal, key);
  const phase = { projectId: principal.projectId, experimentKey: experiment.key, phase: experiment.phase };
  const { experimentKey, totalUsers, multipleExposures, variants, daily } = await exposureSummary(
    phase,
    experiment.variants.map((v) => v.key),
  );
  return { experimentKey, phase: experiment.phase, totalUsers, multipleExposures, variants, daily };
}
