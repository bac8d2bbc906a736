// Does an effect differ across cohorts? Heterogeneity of independent estimates, as in meta-analysis.

import { chiSquareSf } from "./distributions";

export interface HeterogeneityResult {
  /** Cohorts with a usable estimate (finite, positive variance). */
  k: number;
  /** Inverse-variance weighted mean of the estimates (the fixed-effect pooled estimate). */
  pooled: number;
  /** Cochran's Q = Σ wᵢ(θᵢ − θ̄)², wᵢ = 1/vᵢ. */
  q: number;
  df: number;
  /** P(χ²_{k−1} ≥ Q): small when the cohorts' effects differ by more than their noise explains. */
  pValue: number;
  /** I² = max(0, (Q − df)/Q): the share of the spread due to real differences (Higgins & Thompson 2002). */
  iSquared: number;
}

/**
 * Cochran's Q test of homogeneity (Cochran 1954, "The combination of estimates from different
 * experiments") with Higgins & Thompson's I² (2002, "Quantifying heterogeneity in a meta-analysis"),
 * over independent estimates θᵢ with sampling variances vᵢ. Estimates without a positive finite variance
 * are left out; null when fewer than two remain.
 */
export function cochranQ(estimates: readonly number[], variances: readonly number[]): HeterogeneityResult | null {
  if (estimates.length !== variances.length) throw new RangeError("one variance per estimate is needed");
  const usable = estimates
    .map((estimate, i) => ({ estimate, weight: 1 / variances[i] }))
    .filter((e) => Number.isFinite(e.estimate) && Number.isFinite(e.weight) && e.weight > 0);
  if (usable.length < 2) return null;
  const totalWeight = usable.reduce((s, e) => s + e.weight, 0);
  const pooled = usable.reduce((s, e) => s + e.weight * e.estimate, 0) / totalWeight;
  const q = usable.reduce((s, e) => s + e.weight * (e.estimate - pooled) ** 2, 0);
  const df = usable.length - 1;
  return { k: usable.length, pooled, q, df, pValue: chiSquareSf(q, df), iSquared: q > 0 ? Math.max(0, (q - df) / q) : 0 };
}
