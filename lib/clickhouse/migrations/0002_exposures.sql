-- Who was exposed to which variant of which experiment, and when first and last.
--
-- Engine: AggregatingMergeTree with min/max columns. An exposure is recorded on every assignment and
-- every SDK exposure event; min and max are idempotent, so retries and repeated assignments change
-- nothing, and a read with min()/max() ... GROUP BY is exact before and after merges. The table holds
-- one row per (experiment, user, variant) after merges, so it stays as small as the experiment.
--
-- Sorting key: (project_id, experiment_key, phase, user_id, variant_key): results read one phase of
-- one experiment (a new phase reshuffles users, so earlier phases never mix in) and join to events by
-- user; a user seen in two variants (a multiple exposure) shows up as two rows.
CREATE TABLE IF NOT EXISTS exposures
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
ENGINE = AggregatingMergeTree
ORDER BY (project_id, experiment_key, phase, user_id, variant_key);
