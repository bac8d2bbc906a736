// Guardrails: one-sided tests that flag a treatment as harming a metric.

import { DEFAULT_ALPHA } from "./defaults";
import { studentTSf } from "./distributions";
import { estimateRatioLift } from "./lift";
import { estimateQuantileLift, type QuantileSummary } from "./quantile";
import type { LiftEstimate, RatioSummary } from "./types";

/** Which direction of change is harmful (latency: "higher_is_worse"; acceptance rate: "lower_is_worse"). */
export type GuardrailDirection = "higher_is_worse" | "lower_is_worse";

export interface GuardrailOptions {
  direction: GuardrailDirection;
  /** One-sided significance level. Default 0.05. */
  alpha?: number;
  /** Scale of the tested lift. Default "relative". */
  scale?: "relative" | "absolute";
}

export interface GuardrailResult {
  /** One-sided p-value of H0: "no harm" (lift ≤ 0 in the harmful direction). */
  pValue: number;
  /** pValue < alpha: the treatment is significantly worse on this metric. */
  worse: boolean;
  /** The lift tested, on `scale`. */
  estimate: number;
  se: number;
  scale: "relative" | "absolute";
}

/**
 * One-sided p-value P(T ≥ t) for H1 "the metric moved in the harmful direction", with t = estimate/se
 * oriented so that harm is positive.
 */
export function oneSidedHarmPValue(estimate: number, se: number, df: number, direction: GuardrailDirection): number {
  const harm = direction === "higher_is_worse" ? estimate : -estimate;
  if (se === 0) return harm > 0 ? 0 : 1;
  return studentTSf(harm / se, df);
}

/** One-sided t-test (normal when df = Infinity) of a lift estimate in the harmful direction. */
export function guardrailInference(estimate: LiftEstimate, options: GuardrailOptions): GuardrailResult {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const scale = options.scale ?? "relative";
  const value = scale === "relative" ? estimate.relative : estimate.absolute;
  const se = Math.sqrt(scale === "relative" ? estimate.varianceRelative : estimate.varianceAbsolute);
  const pValue = oneSidedHarmPValue(value, se, estimate.df, options.direction);
  return { pValue, worse: pValue < alpha, estimate: value, se, scale };
}

function isQuantileSummary(summary: RatioSummary | QuantileSummary): summary is QuantileSummary {
  return "quantile" in summary;
}

/**
 * Guardrail check of a ratio metric (delta method, Welch df) or of a quantile metric (order-statistic
 * standard errors with the clustering correction, normal reference).
 */
export function guardrailCheck(control: RatioSummary, treatment: RatioSummary, options: GuardrailOptions): GuardrailResult;
export function guardrailCheck(control: QuantileSummary, treatment: QuantileSummary, options: GuardrailOptions): GuardrailResult;
export function guardrailCheck(
  control: RatioSummary | QuantileSummary,
  treatment: RatioSummary | QuantileSummary,
  options: GuardrailOptions,
): GuardrailResult {
  if (isQuantileSummary(control) !== isQuantileSummary(treatment)) {
    throw new TypeError("guardrailCheck needs two ratio summaries or two quantile summaries");
  }
  const estimate = isQuantileSummary(control)
    ? estimateQuantileLift(control, treatment as QuantileSummary)
    : estimateRatioLift(control, treatment as RatioSummary);
  return guardrailInference(estimate, options);
}
