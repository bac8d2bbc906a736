// Non-inferiority: is the treatment not worse than the control by more than a margin?

import { DEFAULT_ALPHA } from "./defaults";
import { studentTQuantile, studentTSf } from "./distributions";
import type { GuardrailDirection } from "./guardrail";
import type { LiftEstimate } from "./types";

export interface NonInferiorityResult {
  /** The difference on the tested scale, oriented so that positive is better (treatment − control for "lower_is_worse"). */
  estimate: number;
  se: number;
  /** One-sided (1 − α) lower confidence bound of the oriented difference. */
  lowerBound: number;
  /** One-sided p-value of H0 "worse by at least the margin". */
  pValue: number;
  /** pValue < α, equivalently lowerBound > −margin: non-inferiority is shown. */
  nonInferior: boolean;
  margin: number;
}

/**
 * One-sided non-inferiority test of a lift estimate (Wellek, "Testing Statistical Hypotheses of
 * Equivalence and Noninferiority", 2nd ed., ch. 2): with the difference d oriented so that positive is
 * better, H0: d ≤ −margin against H1: d > −margin, t = (d + margin)/se on the estimate's df (normal
 * when df = Infinity), p = P(T ≥ t). Non-inferior when p < α, which is the same as the one-sided
 * (1 − α) lower bound d − t(1−α, df)·se lying above −margin. The margin is on `scale` (absolute:
 * percentage points as a fraction, e.g. 0.01 for one point of acceptance rate).
 */
export function nonInferiorityTest(
  estimate: LiftEstimate,
  options: { margin: number; direction: GuardrailDirection; alpha?: number; scale?: "absolute" | "relative" },
): NonInferiorityResult {
  if (!(options.margin >= 0)) throw new RangeError(`margin must be non-negative, got ${options.margin}`);
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const scale = options.scale ?? "absolute";
  const raw = scale === "absolute" ? estimate.absolute : estimate.relative;
  const se = Math.sqrt(scale === "absolute" ? estimate.varianceAbsolute : estimate.varianceRelative);
  const oriented = options.direction === "lower_is_worse" ? raw : -raw;
  const shifted = oriented + options.margin;
  const pValue = se === 0 ? (shifted > 0 ? 0 : 1) : studentTSf(shifted / se, estimate.df);
  const lowerBound = se === 0 ? oriented : oriented - studentTQuantile(1 - alpha, estimate.df) * se;
  return { estimate: oriented, se, lowerBound, pValue, nonInferior: pValue < alpha, margin: options.margin };
}
