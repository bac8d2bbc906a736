// Always-valid inference: asymptotic confidence sequences, safe under continuous monitoring.

import { DEFAULT_ALPHA, DEFAULT_SEQUENTIAL_TUNING_USERS } from "./defaults";
import { estimateRatioLift } from "./lift";
import type { ComparisonResult, Interval, LiftEstimate, RatioSummary } from "./types";

export interface SequentialOptions {
  /** Two-sided level; the sequence covers the true effect at all sample sizes simultaneously with probability ≥ 1 − alpha. Default 0.05. */
  alpha?: number;
  /** Total users (both arms) at which the sequence is tightest. Default 5000 (GrowthBook's default). */
  tuningUsers?: number;
}

/**
 * Mixing parameter ρ that makes the normal-mixture boundary tightest at N* = `tuningUsers`
 * (Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas, "Time-uniform central limit theory and asymptotic
 * confidence sequences", arXiv:2103.06476 v7, eq. 161; the form GrowthBook uses):
 *   ρ = sqrt( (−2·ln α + ln(−2·ln α + 1)) / N* ).
 */
export function confidenceSequenceRho(alpha: number, tuningUsers: number): number {
  const logAlpha = Math.log(alpha);
  return Math.sqrt((-2 * logAlpha + Math.log(-2 * logAlpha + 1)) / tuningUsers);
}

/**
 * Half-width of the two-sided asymptotic confidence sequence of Waudby-Smith et al. (arXiv:2103.06476
 * v7, eq. 9) after N units with per-unit standard deviation σ̂:
 *   σ̂ · sqrt( 2(Nρ² + 1)/(N²ρ²) · ln( sqrt(Nρ² + 1)/α ) ).
 */
export function confidenceSequenceHalfWidth(perUnitSd: number, sampleSize: number, rho: number, alpha: number): number {
  const nRho2 = sampleSize * rho * rho;
  return perUnitSd * Math.sqrt(((2 * (nRho2 + 1)) / (nRho2 * sampleSize)) * Math.log(Math.sqrt(nRho2 + 1) / alpha));
}

/**
 * Always-valid p-value: the smallest α whose confidence sequence (at fixed ρ) excludes 0. Setting the
 * half-width above equal to |estimate| and solving for α gives the closed form
 *   p = min(1, sqrt(Nρ² + 1) · exp(−estimate²·N²ρ² / (2σ̂²·(Nρ² + 1)))).
 * ρ stays fixed at the design value so that the sequences are nested in α, which is what makes
 * {p ≤ a} imply "the level-a sequence excluded 0" and hence P(ever p ≤ a) ≤ a.
 */
export function confidenceSequencePValue(estimate: number, perUnitSd: number, sampleSize: number, rho: number): number {
  if (perUnitSd === 0) return estimate === 0 ? 1 : 0;
  const nRho2 = sampleSize * rho * rho;
  const exponent = -(estimate * estimate * nRho2 * sampleSize) / (2 * perUnitSd * perUnitSd * (nRho2 + 1));
  return Math.min(1, Math.sqrt(nRho2 + 1) * Math.exp(exponent));
}

/**
 * Sequential inference on a lift estimate: the confidence sequence above applied to the difference
 * estimator, whose per-unit variance is σ̂² = Var(estimate)·N with N the total users of both arms
 * (as in GrowthBook's SequentialTwoSidedTTest). Intervals are normal-based, so `df` is Infinity.
 */
export function sequentialInference(estimate: LiftEstimate, options: SequentialOptions = {}): ComparisonResult {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const rho = confidenceSequenceRho(alpha, options.tuningUsers ?? DEFAULT_SEQUENTIAL_TUNING_USERS);
  const n = estimate.sampleSize;
  const se = Math.sqrt(estimate.varianceAbsolute);
  const seRelative = Math.sqrt(estimate.varianceRelative);
  const perUnitSd = se * Math.sqrt(n);
  const interval = (center: number, sd: number): Interval => {
    const halfWidth = sd === 0 ? 0 : confidenceSequenceHalfWidth(sd, n, rho, alpha);
    return [center - halfWidth, center + halfWidth];
  };
  return {
    absolute: estimate.absolute,
    relative: estimate.relative,
    ciAbsolute: interval(estimate.absolute, perUnitSd),
    ciRelative: interval(estimate.relative, seRelative * Math.sqrt(n)),
    pValue: confidenceSequencePValue(estimate.absolute, perUnitSd, n, rho),
    // the relative sequence's own always-valid p-value, nested with ciRelative as pValue is with ciAbsolute
    pValueRelative: confidenceSequencePValue(estimate.relative, seRelative * Math.sqrt(n), n, rho),
    se,
    seRelative,
    df: Infinity,
  };
}

/** Sequential (peeking-safe) comparison of a ratio metric between two variants; same shape as `compareFrequentist`. */
export function compareSequential(control: RatioSummary, treatment: RatioSummary, options: SequentialOptions = {}): ComparisonResult {
  return sequentialInference(estimateRatioLift(control, treatment), options);
}
