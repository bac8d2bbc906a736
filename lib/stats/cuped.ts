// CUPED / regression adjustment of ratio metrics with the same metric's pre-exposure value.

import { assertRatioSummaryUsable, deltaMethodRatioVariance, ratioMoments } from "./deltaMethod";
import { fixedHorizonInference, type FrequentistOptions } from "./frequentist";
import { assertRelativeLiftDefined, welchSatterthwaiteDf } from "./lift";
import { sampleCovarianceFromSums } from "./moments";
import type { ComparisonResult, CupedRatioSummary, LiftEstimate } from "./types";

/** A lift estimate after regression adjustment, with the adjustment's coefficient and effect. */
export interface CupedLiftEstimate extends LiftEstimate {
  /** Coefficient θ of the pre-exposure ratio; 0 when no pre-exposure data is usable. */
  theta: number;
  /** 1 − Var(adjusted difference)/Var(unadjusted difference); 0 without adjustment. */
  varianceReduction: number;
}

export type CupedComparisonResult = ComparisonResult & { theta: number; varianceReduction: number };

/**
 * One group's post-exposure ratio R = X̄/Ȳ and pre-exposure ratio R0 = X̄0/Ȳ0 with the delta-method
 * variances of both and their covariance, all for the group's estimators (already divided by n).
 */
export interface CupedGroupMoments {
  users: number;
  post: number;
  pre: number;
  variancePost: number;
  variancePre: number;
  covariancePostPre: number;
  hasPreData: boolean;
}

/**
 * Delta-method moments of (R, R0) for one group. With gradients ∇R = (1/μY, −μX/μY²) in (X, Y) and
 * ∇R0 = (1/μY0, −μX0/μY0²) in (X0, Y0), Cov(R, R0) = ∇Rᵀ·Cov[(X, Y), (X0, Y0)]·∇R0 / n — the 4×4
 * "lambda matrix" construction of GrowthBook's RegressionAdjustedRatioStatistic.
 */
export function cupedGroupMoments(summary: CupedRatioSummary): CupedGroupMoments {
  const n = summary.users;
  const postMoments = ratioMoments(summary);
  const post = summary.sumX / summary.sumY;
  const variancePost = deltaMethodRatioVariance(postMoments);
  if (summary.sumY0 === 0) {
    return { users: n, post, pre: 0, variancePost, variancePre: 0, covariancePostPre: 0, hasPreData: false };
  }
  const preMoments = ratioMoments({
    users: n,
    sumX: summary.sumX0,
    sumY: summary.sumY0,
    sumX2: summary.sumX02,
    sumY2: summary.sumY02,
    sumXY: summary.sumX0Y0,
  });
  const gradX = 1 / postMoments.meanY;
  const gradY = -postMoments.meanX / (postMoments.meanY * postMoments.meanY);
  const gradX0 = 1 / preMoments.meanY;
  const gradY0 = -preMoments.meanX / (preMoments.meanY * preMoments.meanY);
  const cov = (sumA: number, sumB: number, sumAB: number) => sampleCovarianceFromSums(sumA, sumB, sumAB, n);
  const covariancePostPre =
    (gradX * gradX0 * cov(summary.sumX, summary.sumX0, summary.sumXX0) +
      gradX * gradY0 * cov(summary.sumX, summary.sumY0, summary.sumXY0) +
      gradY * gradX0 * cov(summary.sumY, summary.sumX0, summary.sumYX0) +
      gradY * gradY0 * cov(summary.sumY, summary.sumY0, summary.sumYY0)) /
    n;
  return {
    users: n,
    post,
    pre: summary.sumX0 / summary.sumY0,
    variancePost,
    variancePre: deltaMethodRatioVariance(preMoments),
    covariancePostPre,
    hasPreData: true,
  };
}

/**
 * θ minimizing Var[(Rt − Rc) − θ·(R0t − R0c)] = Σ_g [Var(Rg) − 2θ·Cov(Rg, R0g) + θ²·Var(R0g)] for
 * independent groups: θ = Σ_g Cov(Rg, R0g) / Σ_g Var(R0g) (Deng, Xu, Kohavi & Walker 2013, "Improving
 * the Sensitivity of Online Controlled Experiments by Utilizing Pre-Experiment Data", WSDM 2013, with
 * group-level delta-method moments). GrowthBook pools per-user variances instead, which is the same
 * θ when the arms are equally sized.
 */
export function cupedTheta(control: CupedGroupMoments, treatment: CupedGroupMoments): number {
  if (!control.hasPreData || !treatment.hasPreData) return 0;
  const variancePre = control.variancePre + treatment.variancePre;
  if (variancePre === 0) return 0;
  return (control.covariancePostPre + treatment.covariancePostPre) / variancePre;
}

/** Var(R − θ·R0) of one group's adjusted estimator. */
function adjustedVariance(group: CupedGroupMoments, theta: number): number {
  return Math.max(0, group.variancePost - 2 * theta * group.covariancePostPre + theta * theta * group.variancePre);
}

/**
 * Regression-adjusted lift of a ratio metric (CUPED, Deng et al. 2013, for ratios via the delta
 * method as in GrowthBook's RegressionAdjustedRatioStatistic):
 *   absolute = (Rt − Rc) − θ·(R0t − R0c),   relative = absolute / Rc   (Rc unadjusted).
 * The relative variance is the delta method for D/Rc including Cov(D, Rc) = −(Var(Rc) − θ·Cov(Rc, R0c)):
 *   Var(D)/Rc² + D²·Var(Rc)/Rc⁴ + 2·D·(Var(Rc) − θ·Cov(Rc, R0c))/Rc³,
 * which reduces to `relativeLiftVariance` when θ = 0. θ is treated as known (its estimation error is
 * O(1/n) and ignored, as is standard for CUPED).
 */
export function estimateCupedLift(control: CupedRatioSummary, treatment: CupedRatioSummary): CupedLiftEstimate {
  assertRatioSummaryUsable(control, "control");
  assertRatioSummaryUsable(treatment, "treatment");
  const c = cupedGroupMoments(control);
  const t = cupedGroupMoments(treatment);
  assertRelativeLiftDefined(c.post);
  const theta = cupedTheta(c, t);
  const absolute = t.post - c.post - theta * (t.pre - c.pre);
  const varianceControl = adjustedVariance(c, theta);
  const varianceTreatment = adjustedVariance(t, theta);
  const varianceAbsolute = varianceControl + varianceTreatment;
  const varianceUnadjusted = c.variancePost + t.variancePost;
  const control2 = c.post * c.post;
  const varianceRelative = Math.max(
    0,
    varianceAbsolute / control2 +
      (absolute * absolute * c.variancePost) / (control2 * control2) +
      (2 * absolute * (c.variancePost - theta * c.covariancePostPre)) / (control2 * c.post),
  );
  return {
    control: c.post,
    treatment: t.post,
    absolute,
    relative: absolute / c.post,
    varianceAbsolute,
    varianceRelative,
    df: welchSatterthwaiteDf(varianceControl, c.users, varianceTreatment, t.users),
    sampleSize: c.users + t.users,
    theta,
    varianceReduction: varianceUnadjusted > 0 ? 1 - varianceAbsolute / varianceUnadjusted : 0,
  };
}

/**
 * Fixed-horizon comparison with CUPED. For peeking-safe CUPED use
 * `sequentialInference(estimateCupedLift(control, treatment), options)`.
 */
export function compareCuped(
  control: CupedRatioSummary,
  treatment: CupedRatioSummary,
  options: FrequentistOptions = {},
): CupedComparisonResult {
  const estimate = estimateCupedLift(control, treatment);
  return { ...fixedHorizonInference(estimate, options), theta: estimate.theta, varianceReduction: estimate.varianceReduction };
}

/**
 * A treatment's CUPED-adjusted metric value, centred on the control's pre-exposure value:
 *   Rt − θ·(R0t − R0c),
 * so that adjusted value − control value is exactly the adjusted absolute lift of `estimateCupedLift`
 * and adjusted value / control value − 1 its relative lift. The control sits at the centre and keeps
 * its value. The variance is the treatment's own part of the lift's variance, Var(Rt − θ·R0t).
 */
export function cupedAdjustedTreatment(control: CupedRatioSummary, treatment: CupedRatioSummary): { value: number; variance: number } {
  assertRatioSummaryUsable(control, "control");
  assertRatioSummaryUsable(treatment, "treatment");
  const c = cupedGroupMoments(control);
  const t = cupedGroupMoments(treatment);
  const theta = cupedTheta(c, t);
  return { value: t.post - theta * (t.pre - c.pre), variance: adjustedVariance(t, theta) };
}
