import { assignUser, type AssignResult, type UserAttributes } from "../assignment";
import type { Db } from "../db";
import { clickhouseTime } from "../clickhouse/time";
import { exposureRow, type ExposureRow } from "./rows";
import { enqueueExposures } from "../ingestion/log";
import { compiledAssignmentConfig, type ProjectAssignmentConfig } from "../experiments/assignmentConfig";

/** Exposure rows for the experiments a user is in (what POST /assign and SDK exposure events record). */
export function exposureRows(projectId: string, config: ProjectAssignmentConfig, userId: string, result: AssignResult, at: number): ExposureRow[] {
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
