-- A record of every rollup build, not only of each day's latest: experiment_rollup_days was a
-- ReplacingMergeTree by day, so a background merge could drop the record of a build that a request had
-- planned with, and the maintenance pass, no longer knowing which build was the day's latest ten minutes
-- ago, could delete it under that request. Readers take each day's latest with argMax by
-- (built_at, build_id), as they did; the maintenance pass deletes the records of superseded builds with
-- their rows (lib/results/sql.ts, SUPERSEDED). Columns as in 0003_experiment_rollup.sql.
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

-- The old records go, and with them what they said: results read raw events until the background job has
-- built each day again (the rollup is a cache). The old builds' rows stay until a pass deletes them as
-- superseded, like any build no record names; nothing reads them meanwhile (reads take only recorded
-- builds). Nothing is truncated, so the migration can run twice, or in two processes at once, and never
-- leaves a record without its rows.
DROP TABLE IF EXISTS experiment_rollup_days;
