// Input and output shapes of lib/stats. Inputs are per-variant sufficient statistics computed by
// ClickHouse over randomization units (users); nothing here ever sees per-event rows.

/**
 * Sufficient statistics of a ratio metric over the users of one variant: X is the user's numerator
 * (e.g. accepted suggestions), Y the user's denominator (e.g. shown suggestions). The metric is
 * Σ X / Σ Y. A per-user mean metric is the special case Y = 1 (see `meanMetricSummary`).
 */
export interface RatioSummary {
  users: number;
  sumX: number;
  sumY: number;
  sumX2: number;
  sumY2: number;
  sumXY: number;
}

/**
 * A ratio summary plus the same user's pre-exposure values X0, Y0 of the same metric (0 when the user
 * has no pre-exposure data) and the cross products CUPED needs.
 */
export interface CupedRatioSummary extends RatioSummary {
  sumX0: number;
  sumY0: number;
  sumX02: number;
  sumY02: number;
  sumX0Y0: number;
  sumXX0: number;
  sumXY0: number;
  sumYX0: number;
  sumYY0: number;
}

export type Interval = [lower: number, upper: number];

/**
 * A treatment-vs-control effect with its sampling variance, on both the absolute and the relative
 * scale: what every estimator (plain ratio, CUPED, quantile) produces and every inference
 * (fixed-horizon, sequential, Bayesian, guardrail) consumes.
 */
export interface LiftEstimate {
  /** Control metric value (never regression-adjusted). */
  control: number;
  /** Treatment metric value (never regression-adjusted). */
  treatment: number;
  /** Treatment − control (regression-adjusted when the estimator is CUPED). */
  absolute: number;
  /** absolute / control. */
  relative: number;
  varianceAbsolute: number;
  varianceRelative: number;
  /** Reference t degrees of freedom; Infinity means a normal reference distribution. */
  df: number;
  /** Total sample size N of both arms, the "time" of a confidence sequence. */
  sampleSize: number;
}

/** Result of a two-sided comparison; the shape shared by the fixed-horizon and sequential tests. */
export interface ComparisonResult {
  /** Treatment − control. */
  absolute: number;
  /** Treatment / control − 1. */
  relative: number;
  ciAbsolute: Interval;
  ciRelative: Interval;
  /** Two-sided p-value for absolute = 0: consistent with `ciAbsolute` (p < α ⇔ it excludes 0). */
  pValue: number;
  /**
   * Two-sided p-value for relative = 0 from the statistic relative/seRelative on the same reference
   * distribution as `ciRelative` (GrowthBook's gbstats tests relative lift this way): p < α ⇔ the
   * relative interval excludes 0.
   */
  pValueRelative: number;
  /** Standard error of `absolute`. */
  se: number;
  /** Standard error of `relative`. */
  seRelative: number;
  /** Degrees of freedom of the reference distribution; Infinity for normal-based results. */
  df: number;
}
