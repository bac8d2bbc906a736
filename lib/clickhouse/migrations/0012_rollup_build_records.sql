-- A record of every rollup build, not only of each day's latest: experiment_rollup_days was a
-- ReplacingMergeTree by day, so a background merge could drop the record of a build that a request had
-- planned with, and the maintenance pass, no longer knowing which build was the day's latest ten minutes
-- ago, could delete it under that request. Readers take each day's latest with argMax by
-- (built_at, build_id), as they did; the maintenance pass deletes the records of superseded builds with
-- their rows (lib/results/sql.ts, supersededRows). Columns as in 0003_experiment_rollup.sql.
CREATE TABLE IF NOT EXISTS experiment_rollup_builds
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
ENGINE = MergeTree
ORDER BY (project_id, experiment_key, phase, day, built_at)
TTL day + INTERVAL 729 DAY;

-- The builds the old records named are forgotten (the rollup is a cache: results read raw events until
-- the background job has rebuilt it). Every statement can run twice.
TRUNCATE TABLE IF EXISTS experiment_user_daily;

TRUNCATE TABLE IF EXISTS experiment_variant_latency_daily;

DROP TABLE IF EXISTS experiment_rollup_days;
