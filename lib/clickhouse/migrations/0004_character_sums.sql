-- Two per-suggestion sums of the metric registry (lib/metrics/registry.ts) for the character
-- acceptance rate: characters of the completions shown, and characters accepted.
ALTER TABLE experiment_user_daily
    ADD COLUMN IF NOT EXISTS shown_completion_chars UInt64 AFTER refined_accepted_chars,
    ADD COLUMN IF NOT EXISTS accepted_completion_chars UInt64 AFTER shown_completion_chars;

-- Builds made before these columns existed hold zeros in them: forget every build (its record first,
-- so no read can take a day as fresh meanwhile). Results read raw events until the background job
-- has rebuilt the rollup, which changes their speed, never their answers.
TRUNCATE TABLE IF EXISTS experiment_rollup_days;
TRUNCATE TABLE IF EXISTS experiment_user_daily;
