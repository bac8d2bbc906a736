-- The refinement pipeline's duplicate lookups name each key by a 64-bit number the pipeline computes
-- itself: the first 16 hex digits of the key (a SHA-256, so as evenly spread as any hash of it), read as
-- an unsigned integer. Lookups then bind thousands of 8-byte numbers instead of 64-character keys (whose
-- binding cost more than the lookup), and compare the whole keys of the few samples found.
DROP VIEW IF EXISTS refinement_dedupe_keys_mv;

TRUNCATE TABLE IF EXISTS refinement_dedupe_keys;

CREATE MATERIALIZED VIEW IF NOT EXISTS refinement_dedupe_keys_mv TO refinement_dedupe_keys AS
SELECT project_id, reinterpretAsUInt64(reverse(unhex(substring(dedupe_key, 1, 16)))) AS key_hash, suggestion_id, user_id, refined_at
FROM refinement_samples
WHERE outcome IN ('kept', 'unchanged');

INSERT INTO refinement_dedupe_keys
SELECT project_id, reinterpretAsUInt64(reverse(unhex(substring(dedupe_key, 1, 16)))) AS key_hash, suggestion_id, user_id, refined_at
FROM refinement_samples FINAL
WHERE outcome IN ('kept', 'unchanged');
