// Bayesian summary of a lift: Gaussian likelihood on the linear lift, conjugate normal prior.

import { DEFAULT_ALPHA } from "./defaults";
import { normalCdf, normalPdf, normalQuantile } from "./distributions";
import { estimateRatioLift } from "./lift";
import type { Interval, LiftEstimate, RatioSummary } from "./types";

/** Normal prior on the lift (relative lift by default: 0.1 means +10%). */
export interface NormalPrior {
  /** Default 0: no lift expected a priori. */
  mean?: number;
  variance: number;
}

export interface BayesianOptions {
  /** Proper normal prior; omitted means the improper flat prior (posterior = likelihood). */
  prior?: NormalPrior;
  /** Credible interval has probability 1 − alpha. Default 0.05. */
  alpha?: number;
  /**
   * Scale of the lift δ. "relative" (default): δ = Rt/Rc − 1 on the linear (not log) scale, with the
   * delta-method variance, as GrowthBook's effect-based Bayesian test does. "absolute": δ = Rt − Rc.
   */
  scale?: "relative" | "absolute";
}

export interface BayesianResult {
  scale: "relative" | "absolute";
  posteriorMean: number;
  posteriorVariance: number;
  /** P(δ > 0): probability the treatment has the larger metric (invert it for lower-is-better metrics). */
  chanceToWin: number;
  /** Expected lift given up by each choice, E[max(0, −δ)] for treatment and E[max(0, δ)] for control. */
  expectedLoss: { treatment: number; control: number };
  /** Equal-tailed posterior interval. */
  credibleInterval: Interval;
}

/**
 * Conjugate normal–normal update (e.g. Gelman et al., Bayesian Data Analysis, §2.5): with likelihood
 * δ̂ ~ N(δ, v) and prior δ ~ N(m₀, v₀), the posterior precision is 1/v₀ + 1/v and the posterior mean
 * the precision-weighted average. Without a prior (flat), the posterior is N(δ̂, v).
 */
export function normalPosterior(estimate: number, variance: number, prior?: NormalPrior): { mean: number; variance: number } {
  if (!prior) return { mean: estimate, variance };
  if (!(prior.variance > 0)) throw new RangeError(`prior variance must be positive, got ${prior.variance}`);
  const priorMean = prior.mean ?? 0;
  if (variance === 0) return { mean: estimate, variance: 0 };
  const precision = 1 / prior.variance + 1 / variance;
  return { mean: (priorMean / prior.variance + estimate / variance) / precision, variance: 1 / precision };
}

/** P(δ > 0) = Φ(μ/σ) for δ ~ N(μ, σ²). */
export function chanceToWin(mean: number, sd: number): number {
  if (sd === 0) return mean > 0 ? 1 : mean < 0 ? 0 : 0.5;
  return normalCdf(mean / sd);
}

/**
 * Expected loss of shipping the treatment, E[max(0, −δ)] for δ ~ N(μ, σ²), in closed form
 * (mean of a normal truncated at 0): σ·φ(μ/σ) − μ·Φ(−μ/σ).
 */
export function expectedLossOfTreatment(mean: number, sd: number): number {
  if (sd === 0) return Math.max(0, -mean);
  const z = mean / sd;
  return Math.max(0, sd * normalPdf(z) - mean * normalCdf(-z));
}

/** Expected loss of keeping the control, E[max(0, δ)] = σ·φ(μ/σ) + μ·Φ(μ/σ). */
export function expectedLossOfControl(mean: number, sd: number): number {
  return expectedLossOfTreatment(-mean, sd);
}

/** Bayesian summary of a lift estimate; see `BayesianOptions.scale` for the scale of δ. */
export function bayesianInference(estimate: LiftEstimate, options: BayesianOptions = {}): BayesianResult {
  const scale = options.scale ?? "relative";
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const posterior =
    scale === "relative"
      ? normalPosterior(estimate.relative, estimate.varianceRelative, options.prior)
      : normalPosterior(estimate.absolute, estimate.varianceAbsolute, options.prior);
  const sd = Math.sqrt(posterior.variance);
  const halfWidth = sd * normalQuantile(1 - alpha / 2);
  return {
    scale,
    posteriorMean: posterior.mean,
    posteriorVariance: posterior.variance,
    chanceToWin: chanceToWin(posterior.mean, sd),
    expectedLoss: {
      treatment: expectedLossOfTreatment(posterior.mean, sd),
      control: expectedLossOfControl(posterior.mean, sd),
    },
    credibleInterval: [posterior.mean - halfWidth, posterior.mean + halfWidth],
  };
}

/** Bayesian comparison of a ratio metric between two variants (Gaussian approximation of the lift). */
export function compareBayesian(control: RatioSummary, treatment: RatioSummary, options: BayesianOptions = {}): BayesianResult {
  return bayesianInference(estimateRatioLift(control, treatment), options);
}
