/**
 * Settings of the refinement pipeline (lib/refinements), with their defaults. Pure data: every function of
 * the pipeline takes a `RefinementConfig`, and `refinementConfig()` completes and checks a partial one.
 */

export interface RefinementConfig {
  /** A sample whose edit ratio (edit distance / longer text) is above this is noise: the user rewrote it. */
  noiseEditRatio: number;
  /** A final longer than this (characters) is noise: a paste or a whole-file rewrite, not a refinement. */
  maxFinalChars: number;
  /** A final with more lines than this is noise, for the same reason. */
  maxFinalLines: number;
  /** Lines of context around each hunk of the sample's unified diff. */
  diffContextLines: number;
  /**
   * Work budget of the exact `retainedChars` (the LCS of proposal and target), in character pairs
   * |proposal| · |target|; the bit-parallel LCS costs a 32nd of that in word operations. Beyond it the
   * count falls back to a lower bound (see measures.ts). A count, not a time, so the result stays
   * deterministic; the default keeps every pair of texts up to maxFinalChars exact (a few milliseconds).
   */
  retainedDiffBudget: number;
}

export const DEFAULT_REFINEMENT_CONFIG: Readonly<RefinementConfig> = Object.freeze({
  noiseEditRatio: 0.8,
  maxFinalChars: 8_192,
  maxFinalLines: 400,
  diffContextLines: 3,
  retainedDiffBudget: 67_108_864,
});

/** The defaults overridden by `overrides`; throws a RangeError naming the first setting out of range. */
export function refinementConfig(overrides: Partial<RefinementConfig> = {}): RefinementConfig {
  const config = { ...DEFAULT_REFINEMENT_CONFIG, ...overrides };
  if (!(config.noiseEditRatio >= 0 && config.noiseEditRatio <= 1)) throw new RangeError("noiseEditRatio must lie in [0, 1]");
  for (const key of ["maxFinalChars", "maxFinalLines", "diffContextLines", "retainedDiffBudget"] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 0) throw new RangeError(`${key} must be a whole number ≥ 0`);
  }
  return config;
}
