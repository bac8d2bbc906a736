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
