-- Frozen dataset versions (lib/datasets): the exact samples of each dataset, in the order a download
-- renders them (position, from refined_at then suggestion_id), with each sample's split (validation
-- when cityHash64(suggestion_id) % 10000 falls below the dataset's share) and its label when frozen, so
-- relabeling a sample later does not change a version's bytes. Written once, by one INSERT … SELECT,
-- when the dataset is created; the code itself stays in refinement_samples (an opted-out user's samples
-- leave downloads with them).
CREATE TABLE IF NOT EXISTS dataset_samples
(
    project_id    LowCardinality(String),
    dataset_id    String,
    position      UInt32,
    suggestion_id String,
    split         Enum8('train' = 1, 'validation' = 2),
    label         LowCardinality(String)
)
ENGINE = MergeTree
ORDER BY (project_id, dataset_id, position);
