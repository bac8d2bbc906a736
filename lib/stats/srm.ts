// Sample-ratio mismatch: are users split across variants in the configured proportions?

import { DEFAULT_SRM_THRESHOLD } from "./defaults";
import { chiSquareSf } from "./distributions";

export interface SrmResult {
  chiSquare: number;
  /** Degrees of freedom: number of variants with positive weight − 1. */
  df: number;
  pValue: number;
  /** pValue < threshold: the observed split is implausible under the configured weights. */
  mismatch: boolean;
  /** Users each variant should have received given the total and the normalized weights. */
  expected: number[];
}

/**
 * Pearson's chi-square goodness-of-fit test of exposed users per variant against the configured
 * weights (normalized to sum to 1): χ² = Σ (observed − expected)²/expected on k − 1 df, k counting
 * variants with positive weight (Fabijan et al. 2019, "Diagnosing Sample Ratio Mismatch in Online
 * Controlled Experiments", KDD). A variant with zero weight but some users is an unconditional mismatch.
 */
export function srmCheck(counts: readonly number[], weights: readonly number[], threshold: number = DEFAULT_SRM_THRESHOLD): SrmResult {
  if (counts.length !== weights.length) throw new RangeError("counts and weights must have the same length");
  if (weights.some((w) => !(w >= 0))) throw new RangeError("weights must be non-negative");
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  if (!(totalWeight > 0)) throw new RangeError("weights must not all be zero");
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = weights.map((w) => (total * w) / totalWeight);
  const df = weights.filter((w) => w > 0).length - 1;
  if (counts.some((count, i) => weights[i] === 0 && count > 0)) {
    return { chiSquare: Infinity, df, pValue: 0, mismatch: true, expected };
  }
  if (total === 0 || df === 0) return { chiSquare: 0, df, pValue: 1, mismatch: false, expected };
  let chiSquare = 0;
  for (let i = 0; i < counts.length; i++) {
    if (weights[i] === 0) continue;
    const deviation = counts[i] - expected[i];
    chiSquare += (deviation * deviation) / expected[i];
  }
  const pValue = chiSquareSf(chiSquare, df);
  return { chiSquare, df, pValue, mismatch: pValue < threshold, expected };
}
