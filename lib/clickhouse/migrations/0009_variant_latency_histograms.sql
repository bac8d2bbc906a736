-- Per rollup build and variant, the histogram of the latencies after exposure of the users the build
-- covered (the sum of their experiment_user_daily histograms; lib/results/rollup.ts writes it with the
-- build, before the build's record). Results take a clean day's latency histograms from here (a few
-- hundred rows) instead of adding up every user's (lib/results/sql.ts latencyQuantilesSql); the users'
-- own histograms still give each user's count at or below the p95.
CREATE TABLE IF NOT EXISTS experiment_variant_latency_daily
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
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (project_id, experiment_key, phase, day, build_id, variant_key, latency_bucket)
TTL day + INTERVAL 729 DAY;

-- Builds made before have no such histograms: forget every build (its record first, so that no read takes
-- a day as fresh meanwhile), as migrations 0004 and 0008 did. Results read raw events until the
-- background job has rebuilt the rollup.
TRUNCATE TABLE IF EXISTS experiment_rollup_days;

TRUNCATE TABLE IF EXISTS experiment_user_daily;
