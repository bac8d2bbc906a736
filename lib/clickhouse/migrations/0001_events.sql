-- One row per client event, exactly as the plugin reported it (after validation and redaction).
--
-- Engine: ReplacingMergeTree keyed on the whole sorting key, which ends in event_id. A client retry
-- resends the same event (same project, timestamp, user and event_id), so duplicates collapse at merge
-- time; until then every query reads with FINAL (or groups by event_id), so nothing is counted twice.
-- The ingestion path also skips event_ids it already stored, which makes duplicates rare to begin with.
--
-- Partitioning: by month of the event time. Results queries always carry a time range (the experiment's
-- window), so whole months are pruned, and TTL drops whole parts at once.
--
-- Sorting key: (project_id, day, user_id, event_id). Queries filter by project and time first and then
-- aggregate per user (the unit of randomization) and day, which this order serves directly; per-user
-- daily pre-aggregation reads in key order. experiment_key is not in the key because the server fills
-- it from the assignment and a key column must never change between a send and its retry; a set
-- index on it skips granules of other experiments instead.
--
-- TTL: raw events are kept for two years, long enough for year-over-year comparisons and for
-- rebuilding training datasets; aggregates and datasets outlive them.
CREATE TABLE IF NOT EXISTS events
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
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (project_id, toDate(timestamp), user_id, event_id)
TTL toDateTime(timestamp) + INTERVAL 730 DAY
SETTINGS index_granularity = 8192;
