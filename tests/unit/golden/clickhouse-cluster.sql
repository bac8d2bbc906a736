CREATE TABLE IF NOT EXISTS schema_migrations ON CLUSTER 'echo'
(
    version    UInt32,
    name       String,
    checksum   String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/echo/schema_migrations', '{replica}')
ORDER BY version;

CREATE TABLE IF NOT EXISTS events_local ON CLUSTER 'echo'
(
    project_id       LowCardinality(String),
    event_id         UUID,
    type             LowCardinality(String),
    timestamp        DateTime64(3, 'UTC'),
    user_id          String,
    suggestion_id    String,
    model_version    LowCardinality(String),
    experiment_key   LowCardinality(String),
    variant_key      LowCardinality(String),
    language         LowCardinality(String),
    ide              LowCardinality(String),
    user_group       LowCardinality(String),
    completion_chars UInt32,
    completion_lines UInt32,
    latency_ms       UInt32,
    accepted_chars   UInt32,
    accepted_lines   UInt32,
    reason           LowCardinality(String),
    window_seconds   UInt32,
    proposal         String CODEC(ZSTD(3)),
    final            String CODEC(ZSTD(3)),
    prefix           String CODEC(ZSTD(3)),
    suffix           String CODEC(ZSTD(3)),
    retained_chars   Nullable(UInt32),
    human_chars      UInt32,
    ingested_at      DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX idx_experiment experiment_key TYPE set(256) GRANULARITY 4,
    INDEX idx_event_id event_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_suggestion suggestion_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/echo/events_local', '{replica}', ingested_at)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (project_id, toDate(timestamp), user_id, event_id)
TTL toDateTime(timestamp) + INTERVAL 730 DAY
SETTINGS index_granularity = 8192;

CREATE TABLE IF NOT EXISTS events ON CLUSTER 'echo' AS events_local
ENGINE = Distributed('echo', 'echo', 'events_local', cityHash64(project_id, user_id));

CREATE TABLE IF NOT EXISTS exposures_local ON CLUSTER 'echo'
(
    project_id       LowCardinality(String),
    experiment_key   LowCardinality(String),
    phase            UInt16,
    user_id          String,
    variant_key      LowCardinality(String),
    model_version    SimpleAggregateFunction(any, LowCardinality(String)),
    first_exposed_at SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_exposed_at  SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/echo/exposures_local', '{replica}')
ORDER BY (project_id, experiment_key, phase, user_id, variant_key);

CREATE TABLE IF NOT EXISTS exposures ON CLUSTER 'echo' AS exposures_local
ENGINE = Distributed('echo', 'echo', 'exposures_local', cityHash64(project_id, user_id));

CREATE TABLE IF NOT EXISTS event_day_stats_local ON CLUSTER 'echo'
(
    project_id      LowCardinality(String),
    day             Date,
    inserted_rows   SimpleAggregateFunction(sum, UInt64),
    max_ingested_at SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    min_timestamp   SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    max_timestamp   SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/echo/event_day_stats_local', '{replica}')
ORDER BY (project_id, day)
TTL day + INTERVAL 729 DAY;

CREATE TABLE IF NOT EXISTS event_day_stats ON CLUSTER 'echo' AS event_day_stats_local
ENGINE = Distributed('echo', 'echo', 'event_day_stats_local', rand());

CREATE MATERIALIZED VIEW IF NOT EXISTS event_day_stats_mv ON CLUSTER 'echo' TO event_day_stats_local AS
SELECT project_id, toDate(timestamp) AS day, count() AS inserted_rows, max(ingested_at) AS max_ingested_at,
       min(timestamp) AS min_timestamp, max(timestamp) AS max_timestamp
FROM events_local
GROUP BY project_id, day;

INSERT INTO event_day_stats
SELECT project_id, toDate(timestamp) AS day, count(), max(ingested_at), min(timestamp), max(timestamp)
FROM events
GROUP BY project_id, day;

CREATE TABLE IF NOT EXISTS experiment_user_daily_local ON CLUSTER 'echo'
(
    project_id             LowCardinality(String),
    experiment_key         LowCardinality(String),
    phase                  UInt16,
    day                    Date,
    user_id                String,
    period                 Enum8('pre' = 1, 'post' = 2),
    language               LowCardinality(String),
    ide                    LowCardinality(String),
    user_group             LowCardinality(String),
    variant_key            LowCardinality(String),
    first_at               DateTime64(3, 'UTC'),
    requested              UInt32,
    shown                  UInt32,
    accepted               UInt32,
    ai_chars               UInt64,
    human_chars            UInt64,
    retained_chars         UInt64,
    refined_accepted_chars UInt64,
    latencies              Array(UInt32),
    build_id               UInt64,
    built_at               DateTime64(3, 'UTC')
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/echo/experiment_user_daily_local', '{replica}')
PARTITION BY toYYYYMM(day)
ORDER BY (project_id, experiment_key, phase, day, build_id, user_id, period, language, ide, user_group)
TTL day + INTERVAL 729 DAY;

CREATE TABLE IF NOT EXISTS experiment_user_daily ON CLUSTER 'echo' AS experiment_user_daily_local
ENGINE = Distributed('echo', 'echo', 'experiment_user_daily_local', cityHash64(project_id, user_id));

CREATE TABLE IF NOT EXISTS experiment_rollup_days ON CLUSTER 'echo'
(
    project_id      LowCardinality(String),
    experiment_key  LowCardinality(String),
    phase           UInt16,
    day             Date,
    inserted_rows   UInt64,
    max_ingested_at DateTime64(3, 'UTC'),
    max_first_at    DateTime64(3, 'UTC'),
    users           UInt64,
    users_checksum  UInt64,
    build_id        UInt64,
    built_at        DateTime64(3, 'UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/echo/experiment_rollup_days', '{replica}', built_at)
ORDER BY (project_id, experiment_key, phase, day)
TTL day + INTERVAL 729 DAY;

ALTER TABLE experiment_user_daily_local ON CLUSTER 'echo' ADD COLUMN IF NOT EXISTS shown_completion_chars UInt64 AFTER refined_accepted_chars,
    ADD COLUMN IF NOT EXISTS accepted_completion_chars UInt64 AFTER shown_completion_chars;

ALTER TABLE experiment_user_daily ON CLUSTER 'echo' ADD COLUMN IF NOT EXISTS shown_completion_chars UInt64 AFTER refined_accepted_chars,
    ADD COLUMN IF NOT EXISTS accepted_completion_chars UInt64 AFTER shown_completion_chars;

TRUNCATE TABLE IF EXISTS experiment_rollup_days ON CLUSTER 'echo';

TRUNCATE TABLE IF EXISTS experiment_user_daily_local ON CLUSTER 'echo';

CREATE TABLE IF NOT EXISTS refinement_samples_local ON CLUSTER 'echo'
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/echo/refinement_samples_local', '{replica}', processed_at)
ORDER BY (project_id, suggestion_id)
TTL toDateTime(refined_at) + INTERVAL 730 DAY;

CREATE TABLE IF NOT EXISTS refinement_samples ON CLUSTER 'echo' AS refinement_samples_local
ENGINE = Distributed('echo', 'echo', 'refinement_samples_local', cityHash64(project_id, user_id));

CREATE TABLE IF NOT EXISTS refinement_labels ON CLUSTER 'echo'
(
    project_id    LowCardinality(String),
    suggestion_id String,
    label         LowCardinality(String),
    note          String,
    labeled_by    String,
    labeled_at    DateTime64(3, 'UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/echo/refinement_labels', '{replica}', labeled_at)
ORDER BY (project_id, suggestion_id);

CREATE TABLE IF NOT EXISTS refinement_pipeline_state ON CLUSTER 'echo'
(
    pipeline    LowCardinality(String),
    ingested_to DateTime64(3, 'UTC'),
    updated_at  DateTime64(3, 'UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/echo/refinement_pipeline_state', '{replica}', updated_at)
ORDER BY pipeline;

ALTER TABLE events_local ON CLUSTER 'echo' ADD INDEX IF NOT EXISTS idx_ingested_at ingested_at TYPE minmax GRANULARITY 1;

ALTER TABLE events_local ON CLUSTER 'echo' MATERIALIZE INDEX idx_ingested_at;

CREATE TABLE IF NOT EXISTS dataset_samples ON CLUSTER 'echo'
(
    project_id    LowCardinality(String),
    dataset_id    String,
    position      UInt32,
    suggestion_id String,
    split         Enum8('train' = 1, 'validation' = 2),
    label         LowCardinality(String)
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/echo/dataset_samples', '{replica}')
ORDER BY (project_id, dataset_id, position);

CREATE TABLE IF NOT EXISTS refinement_dedupe_keys_local ON CLUSTER 'echo'
(
    project_id    LowCardinality(String),
    key_hash      UInt64,
    suggestion_id String,
    user_id       String,
    refined_at    DateTime64(3, 'UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/echo/refinement_dedupe_keys_local', '{replica}')
ORDER BY (project_id, key_hash, suggestion_id)
TTL toDateTime(refined_at) + INTERVAL 730 DAY;

CREATE TABLE IF NOT EXISTS refinement_dedupe_keys ON CLUSTER 'echo' AS refinement_dedupe_keys_local
ENGINE = Distributed('echo', 'echo', 'refinement_dedupe_keys_local', cityHash64(project_id, user_id));

CREATE MATERIALIZED VIEW IF NOT EXISTS refinement_dedupe_keys_mv ON CLUSTER 'echo' TO refinement_dedupe_keys_local AS
SELECT project_id, cityHash64(dedupe_key) AS key_hash, suggestion_id, user_id, refined_at
FROM refinement_samples_local
WHERE outcome IN ('kept', 'unchanged');

INSERT INTO refinement_dedupe_keys
SELECT project_id, cityHash64(dedupe_key) AS key_hash, suggestion_id, user_id, refined_at
FROM refinement_samples FINAL
WHERE outcome IN ('kept', 'unchanged');

TRUNCATE TABLE IF EXISTS experiment_rollup_days ON CLUSTER 'echo';

ALTER TABLE experiment_user_daily_local ON CLUSTER 'echo' ADD COLUMN IF NOT EXISTS latency_buckets Array(UInt16) AFTER accepted_completion_chars,
    ADD COLUMN IF NOT EXISTS latency_counts Array(UInt32) AFTER latency_buckets,
    DROP COLUMN IF EXISTS latencies;

ALTER TABLE experiment_user_daily ON CLUSTER 'echo' ADD COLUMN IF NOT EXISTS latency_buckets Array(UInt16) AFTER accepted_completion_chars,
    ADD COLUMN IF NOT EXISTS latency_counts Array(UInt32) AFTER latency_buckets,
    DROP COLUMN IF EXISTS latencies;

TRUNCATE TABLE IF EXISTS experiment_user_daily_local ON CLUSTER 'echo';

CREATE TABLE IF NOT EXISTS experiment_variant_latency_daily ON CLUSTER 'echo'
(
    project_id     LowCardinality(String),
    experiment_key LowCardinality(String),
    phase          UInt16,
    day            Date,
    build_id       UInt64,
    variant_key    LowCardinality(String),
    latency_bucket UInt16,
    latency_count  UInt64,
    built_at       DateTime64(3, 'UTC')
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/echo/experiment_variant_latency_daily', '{replica}')
PARTITION BY toYYYYMM(day)
ORDER BY (project_id, experiment_key, phase, day, build_id, variant_key, latency_bucket)
TTL day + INTERVAL 729 DAY;

TRUNCATE TABLE IF EXISTS experiment_rollup_days ON CLUSTER 'echo';

TRUNCATE TABLE IF EXISTS experiment_user_daily_local ON CLUSTER 'echo';

DROP VIEW IF EXISTS refinement_dedupe_keys_mv ON CLUSTER 'echo';

TRUNCATE TABLE IF EXISTS refinement_dedupe_keys_local ON CLUSTER 'echo';

CREATE MATERIALIZED VIEW IF NOT EXISTS refinement_dedupe_keys_mv ON CLUSTER 'echo' TO refinement_dedupe_keys_local AS
SELECT project_id, reinterpretAsUInt64(reverse(unhex(substring(dedupe_key, 1, 16)))) AS key_hash, suggestion_id, user_id, refined_at
FROM refinement_samples_local
WHERE outcome IN ('kept', 'unchanged');

INSERT INTO refinement_dedupe_keys
SELECT project_id, reinterpretAsUInt64(reverse(unhex(substring(dedupe_key, 1, 16)))) AS key_hash, suggestion_id, user_id, refined_at
FROM refinement_samples FINAL
WHERE outcome IN ('kept', 'unchanged');

ALTER TABLE refinement_samples_local ON CLUSTER 'echo' DROP COLUMN IF EXISTS diff;

ALTER TABLE refinement_samples ON CLUSTER 'echo' DROP COLUMN IF EXISTS diff;

CREATE TABLE IF NOT EXISTS experiment_rollup_builds ON CLUSTER 'echo'
(
    project_id      LowCardinality(String),
    experiment_key  LowCardinality(String),
    phase           UInt16,
    day             Date,
    inserted_rows   UInt64,
    max_ingested_at DateTime64(3, 'UTC'),
    max_first_at    DateTime64(3, 'UTC'),
    users           UInt64,
    users_checksum  UInt64,
    build_id        UInt64,
    built_at        DateTime64(3, 'UTC')
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/echo/experiment_rollup_builds', '{replica}')
ORDER BY (project_id, experiment_key, phase, day, built_at)
TTL day + INTERVAL 729 DAY;

DROP TABLE IF EXISTS experiment_rollup_days ON CLUSTER 'echo' SYNC;

ALTER TABLE experiment_user_daily_local ON CLUSTER 'echo' ADD COLUMN IF NOT EXISTS latency_below_tail UInt64 DEFAULT 0 AFTER latency_counts,
    ADD COLUMN IF NOT EXISTS latency_tail_buckets Array(UInt16) DEFAULT latency_buckets AFTER latency_below_tail,
    ADD COLUMN IF NOT EXISTS latency_tail_counts Array(UInt32) DEFAULT latency_counts AFTER latency_tail_buckets;

ALTER TABLE experiment_user_daily ON CLUSTER 'echo' ADD COLUMN IF NOT EXISTS latency_below_tail UInt64 DEFAULT 0 AFTER latency_counts,
    ADD COLUMN IF NOT EXISTS latency_tail_buckets Array(UInt16) DEFAULT latency_buckets AFTER latency_below_tail,
    ADD COLUMN IF NOT EXISTS latency_tail_counts Array(UInt32) DEFAULT latency_counts AFTER latency_tail_buckets;

ALTER TABLE experiment_rollup_builds ON CLUSTER 'echo' ADD COLUMN IF NOT EXISTS latency_tail_from UInt16 DEFAULT 0 AFTER users_checksum;
