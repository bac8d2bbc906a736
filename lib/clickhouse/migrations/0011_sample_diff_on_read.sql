-- A sample's unified diff follows from its proposal and target: the API computes it when a sample is
-- shown (lib/refinements/measures.ts unifiedDiff) instead of the pipeline writing it with every sample,
-- where it was about a third of a sample row's bytes.
ALTER TABLE refinement_samples DROP COLUMN IF EXISTS diff;
