// Column lists of the tables the ingestion log writes (lib/clickhouse/migrations): the order in which
// rows are logged as TabSeparated text and inserted as they are.

/** Event rows, in the order of the log and the insert (ingested_at is filled by the engine). */
export const EVENT_COLUMNS = [
  "project_id",
  "event_id",
  "type",
  "timestamp",
  "user_id",
  "suggestion_id",
  "model_version",
  "experiment_key",
  "variant_key",
  "language",
  "ide",
  "user_group",
  "completion_chars",
  "completion_lines",
  "latency_ms",
  "accepted_chars",
  "accepted_lines",
  "reason",
  "window_seconds",
  "proposal",
  "final",
  "prefix",
  "suffix",
  "retained_chars",
  "human_chars",
] as const;

/** An exposures row (first and last seen are aggregated by the table's engine). */
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
  "project_id",
  "experiment_key",
  "phase",
  "user_id",
  "variant_key",
  "model_version",
  "first_exposed_at",
  "last_exposed_at",
] as const satisfies readonly (keyof ExposureRow)[];

/**
 * Refinement sample rows, in the order the pipeline inserts them: the columns a sample builder writes, then
 * those the pass decides (lib/refinements/rows.ts PASS_COLUMNS).
 */
export const REFINEMENT_SAMPLE_COLUMNS = [
  "project_id",
  "suggestion_id",
  "user_id",
  "model_version",
  "language",
  "ide",
  "user_group",
  "prefix",
  "suffix",
  "proposal",
  "final",
  "target",
  "edit_distance",
  "edit_ratio",
  "retained_chars",
  "lines_added",
  "lines_removed",
  "syntax",
  "secrets_found",
  "dedupe_key",
  "window_seconds",
  "accepted_at",
  "refined_at",
  "refined_event_id",
  "experiment_key",
  "variant_key",
  "outcome",
  "reasons",
  "processed_at",
] as const;
