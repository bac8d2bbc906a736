// Row shapes of the exposures table, as the ingestion path writes them.

export interface ExposureRow extends Record<string, string | number> {
  project_id: string;
  experiment_key: string;
  phase: number;
  user_id: string;
  variant_key: string;
  model_version: string;
  first_exposed_at: string;
  last_exposed_at: string;
}

export const EXPOSURE_COLUMNS = [
  "project_id", "experiment_key", "phase", "user_id", "variant_key", "model_version", "first_exposed_at", "last_exposed_at",
] as const satisfies readonly (keyof ExposureRow)[];

/** The exposure row for a user seen in a variant at `at` (first and last seen are the same moment). */
export function exposureRow(input: { projectId: string; experimentKey: string; phase: number; userId: string; variantKey: string; modelVersion: string; at: string }): ExposureRow {
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
