-- Which samples have a dedupe key, by a 64-bit hash of the key, for the refinement pipeline's duplicate
-- lookups (lib/refinements/queries.ts seenDedupeKeys). A pass looks up thousands of keys per slice: over
-- refinement_samples (ordered by suggestion) each lookup read every sample's 64-character key (a bloom
-- filter prunes nothing for thousands of keys at once); here it reads 8 bytes a sample and then only the
-- samples found, by their primary key. Only clean samples (kept, or a plain accept) can be a key's first.
-- Written by the view below with every insert of samples. Rows of a sample later rewritten (another
-- final, so another key or outcome) or deleted stay until an opt-out deletes its user's: a lookup takes
-- the key, outcome and time from refinement_samples itself, so such a row only names a sample to check.
CREATE TABLE IF NOT EXISTS refinement_dedupe_keys
(
    project_id    LowCardinality(String),
    key_hash      UInt64,
    suggestion_id String,
    user_id       String,
    refined_at    DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (project_id, key_hash, suggestion_id)
TTL toDateTime(refined_at) + INTERVAL 730 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS refinement_dedupe_keys_mv TO refinement_dedupe_keys AS
SELECT project_id, cityHash64(dedupe_key) AS key_hash, suggestion_id, user_id, refined_at
FROM refinement_samples
WHERE outcome IN ('kept', 'unchanged');

INSERT INTO refinement_dedupe_keys
SELECT project_id, cityHash64(dedupe_key) AS key_hash, suggestion_id, user_id, refined_at
FROM refinement_samples FINAL
WHERE outcome IN ('kept', 'unchanged');
