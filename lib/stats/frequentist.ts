// Fixed-horizon (look once) frequentist inference on a lift estimate: Welch t-test and t-intervals.

import { DEFAULT_ALPHA } from "./defaults";
import { studentTQuantile, studentTSf } from "./distributions";
import { estimateRatioLift } from "./lift";
import type { ComparisonResult, Interval, LiftEstimate, RatioSummary } from "./types";

export interface FrequentistOptions {
  /** Two-sided significance level; intervals have coverage 1 − alpha. Default 0.05. */
  alpha?: number;
}

/** Two-sided t-interval estimate ± t_{1−α/2, df}·se (normal quantile when df = Infinity). */
export function tInterval(estimate: number, se: number, df: number, alpha: number): Interval {
  const halfWidth = se === 0 ? 0 : studentTQuantile(1 - alpha / 2, df) * se;
  return [estimate - halfWidth, estimate + halfWidth];
}

/**
 * Two-sided p-value of H0: effect = 0 from the statistic estimate/se on df degrees of freedom,
 * 2·P(T ≥ |t|), taken from the survival function so that tiny p-values keep their digits.
 * A zero standard error gives 1 for a zero estimate and 0 otherwise.
 */
export function twoSidedPValue(estimate: number, se: number, df: number): number {
  if (se === 0) return estimate === 0 ? 1 : 0;
  return Math.min(1, 2 * studentTSf(Math.abs(estimate / se), df));
}

/**
 * Welch's unequal-variance t-test (Welch 1947) on a lift estimate, on both scales: `pValue` tests the
 * absolute difference (its interval `ciAbsolute`), `pValueRelative` the relative lift with its
 * delta-method standard error (its interval `ciRelative`), on the same df, as gbstats does for relative
 * lift. The two can disagree about significance when the control value itself is very uncertain, so a
 * view shows each interval with its own p-value.
 */
export function fixedHorizonInference(estimate: LiftEstimate, options: FrequentistOptions = {}): ComparisonResult {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const se = Math.sqrt(estimate.varianceAbsolute);
  const seRelative = Math.sqrt(estimate.varianceRelative);
  return {
    absolute: estimate.absolute,
    relative: estimate.relative,
    ciAbsolute: tInterval(estimate.absolute, se, estimate.df, alpha),
    ciRelative: tInterval(estimate.relative, seRelative, estimate.df, alpha),
    pValue: twoSidedPValue(estimate.absolute, se, estimate.df),
    pValueRelative: twoSidedPValue(estimate.relative, seRelative, estimate.df),
    se,
    seRelative,
    df: estimate.df,
  };
}

/**
 * Fixed-horizon comparison of a ratio metric between two variants: delta-method variances (Deng,
 * Knoblich & Lu 2018) and Welch–Satterthwaite df. Valid for a single look at a pre-planned sample
 * size; use `compareSequential` when results are watched while the experiment runs.
 */
export function compareFrequentist(control: RatioSummary, treatment: RatioSummary, options: FrequentistOptions = {}): ComparisonResult {
  return fixedHorizonInference(estimateRatioLift(control, treatment), options);
}
