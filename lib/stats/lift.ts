// Treatment-vs-control lift of ratio metrics between two independent groups of users.

import { assertRatioSummaryUsable, ratioEstimate, ratioVariance } from "./deltaMethod";
import { InsufficientDataError } from "./errors";
import type { LiftEstimate, RatioSummary } from "./types";

/**
 * Welch–Satterthwaite degrees of freedom (Welch 1947; Satterthwaite 1946) for the difference of two
 * independent estimators with variances vc, vt (already divided by their sample sizes):
 *   ν = (vc + vt)² / (vc²/(nc − 1) + vt²/(nt − 1)).
 * With both variances zero nothing is estimated, and the pooled nc + nt − 2 is returned.
 */
export function welchSatterthwaiteDf(
  varianceControl: number,
  usersControl: number,
  varianceTreatment: number,
  usersTreatment: number,
): number {
  const denominator =
    (varianceControl * varianceControl) / (usersControl - 1) + (varianceTreatment * varianceTreatment) / (usersTreatment - 1);
  if (denominator === 0) return usersControl + usersTreatment - 2;
  const total = varianceControl + varianceTreatment;
  return (total * total) / denominator;
}

/**
 * Delta-method variance of the relative lift Rt/Rc − 1 for independent groups:
 *   Var ≈ Var(Rt)/Rc² + Rt²·Var(Rc)/Rc⁴
 * (first-order Taylor expansion of the quotient: the percent-change case of Deng, Knoblich & Lu 2018).
 */
export function relativeLiftVariance(control: number, treatment: number, varianceControl: number, varianceTreatment: number): number {
  const control2 = control * control;
  return varianceTreatment / control2 + (treatment * treatment * varianceControl) / (control2 * control2);
}

/** Rejects a control value of zero, for which a relative lift does not exist. */
export function assertRelativeLiftDefined(control: number): void {
  if (control === 0) throw new InsufficientDataError("control metric is 0, so the relative lift is undefined");
}

/**
 * Absolute and relative lift of a ratio metric Σ X/Σ Y, with delta-method variances and Welch df.
 * Users are the independent units; each group's variance is its own (no pooling), as in Welch's test.
 */
export function estimateRatioLift(control: RatioSummary, treatment: RatioSummary): LiftEstimate {
  assertRatioSummaryUsable(control, "control");
  assertRatioSummaryUsable(treatment, "treatment");
  const controlValue = ratioEstimate(control);
  const treatmentValue = ratioEstimate(treatment);
  assertRelativeLiftDefined(controlValue);
  const varianceControl = ratioVariance(control);
  const varianceTreatment = ratioVariance(treatment);
  const absolute = treatmentValue - controlValue;
  return {
    control: controlValue,
    treatment: treatmentValue,
    absolute,
    relative: absolute / controlValue,
    varianceAbsolute: varianceControl + varianceTreatment,
    varianceRelative: relativeLiftVariance(controlValue, treatmentValue, varianceControl, varianceTreatment),
    df: welchSatterthwaiteDf(varianceControl, control.users, varianceTreatment, treatment.users),
    sampleSize: control.users + treatment.users,
  };
}
