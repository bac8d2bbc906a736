-- The experiment rollup keeps a histogram of each row's latencies (lib/stats/histogramQuantile.ts:
-- logarithmic buckets, each spanning a factor of 1.01) instead of every latency: results read far fewer
-- values, and every order statistic of the latency quantile is still within 1% of the exact one. Raw reads
-- build the same histograms, so results are the same with or without the rollup.
--
-- Builds made before hold no histogram: forget every build (its record first, so no read takes a day as
-- fresh meanwhile), as migration 0004 did. Results read raw events until the background job has rebuilt
-- the rollup.
TRUNCATE TABLE IF EXISTS experiment_rollup_days;

ALTER TABLE experiment_user_daily
    ADD COLUMN IF NOT EXISTS latency_buckets Array(UInt16) AFTER accepted_completion_chars,
    ADD COLUMN IF NOT EXISTS latency_counts Array(UInt32) AFTER latency_buckets,
    DROP COLUMN IF EXISTS latencies;

TRUNCATE TABLE IF EXISTS experiment_user_daily;
