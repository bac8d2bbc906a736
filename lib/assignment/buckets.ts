/**
 * Variant bucket ranges over the unit hash space, as GrowthBook's `getBucketRanges` /
 * `chooseVariation` (growthbook/packages/sdk-js/src/util.ts).
 *
 * Each variant owns the slice `[start, start + coverage * weight)` where `start` is the sum of
 * the earlier weights. Shrinking coverage therefore only trims slice ends: a user who stays
 * covered keeps their variant, which is what makes ramp-ups safe.
 */
import type { BucketRange } from "./types";

/** How far weights may drift from summing to 1 before they are considered invalid (GrowthBook's ±0.01). */
export const WEIGHT_SUM_TOLERANCE = 0.01;

/** Coverage outside `[0, 1]` is a configuration error; clamping is GrowthBook's forgiving behaviour. */
export function clampCoverage(coverage: number): number {
  if (!(coverage > 0)) return 0; // also maps NaN to 0: an unreadable coverage admits nobody
  return coverage > 1 ? 1 : coverage;
}

/** `n` variants sharing traffic equally. */
export function equalWeights(numVariants: number): number[] {
  return numVariants > 0 ? new Array<number>(numVariants).fill(1 / numVariants) : [];
}

/** Weights are usable when there is one per variant and they sum to 1 within the tolerance. */
export function areWeightsValid(numVariants: number, weights: readonly number[] | null | undefined): weights is readonly number[] {
  if (!weights || weights.length !== numVariants) return false;
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  return total >= 1 - WEIGHT_SUM_TOLERANCE && total <= 1 + WEIGHT_SUM_TOLERANCE;
}

/** The weights actually used: the given ones when valid, otherwise an equal split (GrowthBook's fallback). */
export function effectiveWeights(numVariants: number, weights: readonly number[] | null | undefined): readonly number[] {
  return areWeightsValid(numVariants, weights) ? weights : equalWeights(numVariants);
}

/** Cumulative `[start, start + coverage * weight)` slices, one per variant. */
export function bucketRanges(numVariants: number, coverage: number, weights?: readonly number[] | null): BucketRange[] {
  const covered = clampCoverage(coverage);
  let cumulative = 0;
  return effectiveWeights(numVariants, weights).map((weight): BucketRange => {
    const start = cumulative;
    cumulative += weight;
    return [start, start + covered * weight];
  });
}

/** Index of the range containing `n` (half-open), or -1 when `n` falls in no range (outside coverage). */
export function chooseVariant(n: number, ranges: readonly (readonly [number, number])[]): number {
  for (let i = 0; i < ranges.length; i++) {
    if (n >= ranges[i][0] && n < ranges[i][1]) return i;
  }
  return -1;
}
