-- Each rollup row also keeps the upper part of its latency histogram: the buckets from the bucket its
-- build picked on (latency_tail_buckets, latency_tail_counts; the build records the bucket as
-- latency_tail_from) and how many latencies lie below them (latency_below_tail). Results need, per user,
-- only the count below a window of buckets around the variant's p95 and the counts inside it
-- (lib/results/latencyWindow.ts); when every build they read starts its tails at or below every
-- variant's window, they read the tails instead of the whole histograms, which hold about twice as many
-- buckets (lib/results/queries.ts latencyHistograms). A full build starts its tails at the median of the
-- experiment's earlier days (rollupTailFromSql); any bucket gives the same answers, only the speed of
-- results depends on it.
--
-- Rows and records written before hold tails equal to their whole histograms (bucket 0), which serve
-- every window: nothing needs rebuilding, and each day's next full build writes real tails.
ALTER TABLE experiment_user_daily
    ADD COLUMN IF NOT EXISTS latency_below_tail UInt64 DEFAULT 0 AFTER latency_counts,
    ADD COLUMN IF NOT EXISTS latency_tail_buckets Array(UInt16) DEFAULT latency_buckets AFTER latency_below_tail,
    ADD COLUMN IF NOT EXISTS latency_tail_counts Array(UInt32) DEFAULT latency_counts AFTER latency_tail_buckets;

ALTER TABLE experiment_rollup_builds
    ADD COLUMN IF NOT EXISTS latency_tail_from UInt16 DEFAULT 0 AFTER users_checksum;
