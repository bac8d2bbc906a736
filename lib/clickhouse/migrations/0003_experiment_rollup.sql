-- Per-user daily pre-aggregation of experiment results (lib/results/rollup.ts builds it; reads in
-- lib/results/queries.ts). The rollup is a cache that results check before trusting: a day of an
-- experiment is read from it only while the events of that day are unchanged since it was built,
-- and a user's rows only while the user's exposure (variant, first exposure) is the one it was built
-- with. Everything else is read from raw events, so results are exact with or without the rollup.

-- What has been inserted into events per project and UTC day: rows inserted (duplicates included) and
-- the latest ingested_at, which change with every insert and never otherwise, plus the time range of
-- the day's events. Results compare them with what a rollup build saw. Fed by the view below; the
-- INSERT backfills events stored before this migration.
CREATE TABLE IF NOT EXISTS event_day_stats
(
    project_id      LowCardinality(String),
    day             Date,
    inserted_rows   SimpleAggregateFunction(sum, UInt64),
    max_ingested_at SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    min_timestamp   SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    max_timestamp   SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (project_id, day)
-- gone a day before the events' TTL reaches the day, so that the day is then read raw
TTL day + INTERVAL 729 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS event_day_stats_mv TO event_day_stats AS
SELECT project_id, toDate(timestamp) AS day, count() AS inserted_rows, max(ingested_at) AS max_ingested_at,
       min(timestamp) AS min_timestamp, max(timestamp) AS max_timestamp
FROM events
GROUP BY project_id, day;

INSERT INTO event_day_stats
SELECT project_id, toDate(timestamp) AS day, count(), max(ingested_at), min(timestamp), max(timestamp)
FROM events
GROUP BY project_id, day;

-- One row per (experiment phase, day, exposed user, period, segment values): the sums every metric is
-- built from and the latencies of shown suggestions (exact quantiles need every value). period 'pre'
-- holds the user's events before the first exposure (CUPED's covariate), 'post' the rest. first_at
-- and variant_key are the exposure the row was built with. Every build of a day writes all of the
-- day's rows under a new build_id, and results read only the build that experiment_rollup_days
-- records (never a mix of builds); superseded builds are deleted once no request can still be
-- reading them.
CREATE TABLE IF NOT EXISTS experiment_user_daily
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
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (project_id, experiment_key, phase, day, build_id, user_id, period, language, ide, user_group)
TTL day + INTERVAL 729 DAY;

-- The latest build of each day (read with argMax by (built_at, build_id)): the event_day_stats it saw
-- and the exposures it covered, both taken before
-- reading the events. Covered: every user exposed at most lookback days after the day whose first
-- exposure was at or before max_first_at; users and users_checksum (sum of cityHash64(user, variant,
-- first exposure), wrapping) let results check that those users' exposures are still the same.
-- Anything that changes during or after the build makes the day (or the user) read raw events.
CREATE TABLE IF NOT EXISTS experiment_rollup_days
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
ENGINE = ReplacingMergeTree(built_at)
ORDER BY (project_id, experiment_key, phase, day)
TTL day + INTERVAL 729 DAY;
