// Ratio-of-means metrics over users and their delta-method variance.

import { DEFAULT_ALPHA } from "./defaults";
import { studentTQuantile } from "./distributions";
import { InsufficientDataError } from "./errors";
import { sampleCovarianceFromSums, sampleVarianceFromSums } from "./moments";
import type { Interval, RatioSummary } from "./types";

/** Per-user means, variances and covariance of a ratio metric's numerator X and denominator Y. */
export interface RatioMoments {
  users: number;
  meanX: number;
  meanY: number;
  varianceX: number;
  varianceY: number;
  covarianceXY: number;
}

/** A metric value with its standard error and two-sided confidence interval. */
export interface RateInterval {
  estimate: number;
  se: number;
  ci: Interval;
  df: number;
}

/**
 * The ratio summary of a per-user mean metric (e.g. requests per user): Y = 1 for every user, so
 * Σ Y = Σ Y² = users and Σ XY = Σ X, and the delta method reduces to the usual s²/n.
 */
export function meanMetricSummary(users: number, sum: number, sumOfSquares: number): RatioSummary {
  return { users, sumX: sum, sumY: users, sumX2: sumOfSquares, sumY2: users, sumXY: sum };
}

/** Rejects summaries that cannot carry a variance: fewer than two users, or no denominator at all. */
export function assertRatioSummaryUsable(summary: RatioSummary, label = "variant"): void {
  if (!(summary.users >= 2)) throw new InsufficientDataError(`${label} has ${summary.users} users; at least 2 are needed`);
  if (summary.sumY === 0) throw new InsufficientDataError(`${label} has a zero denominator (sumY = 0)`);
}

/** Sample moments of X and Y across users (variances and covariance with divisor n − 1). */
export function ratioMoments(summary: RatioSummary): RatioMoments {
  const n = summary.users;
  return {
    users: n,
    meanX: summary.sumX / n,
    meanY: summary.sumY / n,
    varianceX: sampleVarianceFromSums(summary.sumX, summary.sumX2, n),
    varianceY: sampleVarianceFromSums(summary.sumY, summary.sumY2, n),
    covarianceXY: sampleCovarianceFromSums(summary.sumX, summary.sumY, summary.sumXY, n),
  };
}

/**
 * Delta-method variance of R = X̄/Ȳ (Deng, Knoblich & Lu 2018, "Applying the Delta Method in Metric
 * Analytics", KDD 2018):
 *   Var(R) ≈ (1/n)·[σx²/μy² − 2·μx·σxy/μy³ + μx²·σy²/μy⁴].
 * Treating the user as the independent unit is what makes this valid when a user contributes many
 * correlated suggestions; the per-suggestion binomial variance ignores that and is far too small.
 */
export function deltaMethodRatioVariance(moments: RatioMoments): number {
  const { users, meanX, meanY, varianceX, varianceY, covarianceXY } = moments;
  const meanY2 = meanY * meanY;
  const variance =
    (varianceX / meanY2 - (2 * meanX * covarianceXY) / (meanY2 * meanY) + (meanX * meanX * varianceY) / (meanY2 * meanY2)) / users;
  return Math.max(0, variance);
}

/** The metric value Σ X / Σ Y. */
export function ratioEstimate(summary: RatioSummary): number {
  return summary.sumX / summary.sumY;
}

/** Delta-method variance of the metric value Σ X / Σ Y. */
export function ratioVariance(summary: RatioSummary): number {
  return deltaMethodRatioVariance(ratioMoments(summary));
}

/**
 * One variant's metric value with a t-interval on users − 1 degrees of freedom, using the
 * delta-method standard error.
 */
export function rateInterval(summary: RatioSummary, alpha: number = DEFAULT_ALPHA): RateInterval {
  assertRatioSummaryUsable(summary);
  const estimate = ratioEstimate(summary);
  const se = Math.sqrt(ratioVariance(summary));
  const df = summary.users - 1;
  const halfWidth = studentTQuantile(1 - alpha / 2, df) * se;
  return { estimate, se, ci: [estimate - halfWidth, estimate + halfWidth], df };
}
