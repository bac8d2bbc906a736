import type { ExposureRow } from "../clickhouse/tables";

export type { ExposureRow };

/** The exposure row for a user seen in a variant at `at` (first and last seen are the same moment). */
export function exposureRow(input: {
  projectId: string;
  experimentKey: string;
  phase: number;
  userId: string;
  variantKey: string;
  modelVersion: string;
  at: string;
}): ExposureRow {
  return {
    project_id: input.projectId,
    experiment_key: input.experimentKey,
    phase: input.phase,
    user_id: input.userId,
    variant_key: input.variantKey,
    model_version: input.modelVersion,
    first_exposed_at: input.at,
    last_exposed_at: input.at,
  };
}
