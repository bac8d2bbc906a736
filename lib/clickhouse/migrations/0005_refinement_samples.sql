-- Refinement samples (lib/refinements): per accepted suggestion with a refined event, what the model
-- proposed and what the user finally kept, with the pipeline's measures and outcome. The pipeline
-- (lib/refinements/pipeline.ts) writes a sample again whenever it reprocesses a suggestion (a later
-- refined event, a pass repeated after a crash): the row with the latest processed_at wins, and reads
-- use FINAL, so a suggestion is one sample however often it was written.
CREATE TABLE IF NOT EXISTS refinement_samples
(
    project_id       LowCardinality(String),
    suggestion_id    String,
    user_id          String,
    model_version    LowCardinality(String),
    experiment_key   LowCardinality(String),
    variant_key      LowCardinality(String),
    language         LowCardinality(String),
    ide              LowCardinality(String),
    user_group       LowCardinality(String),
    prefix           String CODEC(ZSTD(3)),
    suffix           String CODEC(ZSTD(3)),
    proposal         String CODEC(ZSTD(3)),
    final            String CODEC(ZSTD(3)),
    target           String CODEC(ZSTD(3)),
    diff             String CODEC(ZSTD(3)),
    edit_distance    UInt32,
    edit_ratio       Float64,
    retained_chars   UInt32,
    lines_added      UInt32,
    lines_removed    UInt32,
    outcome          LowCardinality(String),
    reasons          Array(LowCardinality(String)),
    syntax           LowCardinality(String),
    secrets_found    UInt16,
    dedupe_key       String,
    window_seconds   UInt32,
    accepted_at      DateTime64(3, 'UTC'),
    refined_at       DateTime64(3, 'UTC'),
    refined_event_id UUID,
    processed_at     DateTime64(3, 'UTC'),
    INDEX idx_dedupe dedupe_key TYPE bloom_filter GRANULARITY 4,
    INDEX idx_experiment experiment_key TYPE set(256) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(processed_at)
ORDER BY (project_id, suggestion_id)
TTL toDateTime(refined_at) + INTERVAL 730 DAY;

-- Researchers' labels of samples, latest per suggestion (who and when are kept; the audit log keeps
-- every change).
CREATE TABLE IF NOT EXISTS refinement_labels
(
    project_id    LowCardinality(String),
    suggestion_id String,
    label         LowCardinality(String),
    note          String,
    labeled_by    String,
    labeled_at    DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(labeled_at)
ORDER BY (project_id, suggestion_id);

-- How far the pipeline has read the events table: every refined event inserted at or before
-- `ingested_to` has been processed into a sample (or found not to be one).
CREATE TABLE IF NOT EXISTS refinement_pipeline_state
(
    pipeline    LowCardinality(String),
    ingested_to DateTime64(3, 'UTC'),
    updated_at  DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY pipeline;

-- The pipeline reads the events inserted since its last pass: parts are written in insert order, so a
-- min/max index on ingested_at lets it skip almost every granule of a large table.
ALTER TABLE events ADD INDEX IF NOT EXISTS idx_ingested_at ingested_at TYPE minmax GRANULARITY 1;

ALTER TABLE events MATERIALIZE INDEX idx_ingested_at;
