// lib/stats: pure statistics for Echo's A/B results. Inputs are per-variant sufficient statistics
// over users (the randomization unit); outputs are plain objects. No I/O.
//
// Composition: an estimator turns summaries into a LiftEstimate (estimateRatioLift, estimateCupedLift,
// estimateQuantileLift); an inference turns a LiftEstimate into a result (fixedHorizonInference,
// sequentialInference, bayesianInference, guardrailInference). The compare* functions are the common
// pairings.

export * from "./types";
export * from "./defaults";
export { InsufficientDataError } from "./errors";

export { logGamma, logBeta, regularizedGammaP, regularizedGammaQ, regularizedBeta, regularizedBetaPair } from "./specialFunctions";
export {
  normalPdf,
  normalCdf,
  normalSf,
  normalQuantile,
  studentTPdf,
  studentTCdf,
  studentTSf,
  studentTQuantile,
  chiSquareCdf,
  chiSquareSf,
} from "./distributions";

export { sampleVarianceFromSums, sampleCovarianceFromSums } from "./moments";
export {
  type RatioMoments,
  type RateInterval,
  meanMetricSummary,
  assertRatioSummaryUsable,
  ratioMoments,
  deltaMethodRatioVariance,
  ratioEstimate,
  ratioVariance,
  rateInterval,
} from "./deltaMethod";
export { welchSatterthwaiteDf, relativeLiftVariance, estimateRatioLift } from "./lift";

export { type FrequentistOptions, tInterval, twoSidedPValue, fixedHorizonInference, compareFrequentist } from "./frequentist";
export {
  type SequentialOptions,
  confidenceSequenceRho,
  confidenceSequenceHalfWidth,
  confidenceSequencePValue,
  sequentialInference,
  compareSequential,
} from "./sequential";
export {
  type NormalPrior,
  type BayesianOptions,
  type BayesianResult,
  normalPosterior,
  chanceToWin,
  expectedLossOfTreatment,
  expectedLossOfControl,
  bayesianInference,
  compareBayesian,
} from "./bayesian";
export {
  type CupedLiftEstimate,
  type CupedComparisonResult,
  type CupedGroupMoments,
  cupedGroupMoments,
  cupedTheta,
  estimateCupedLift,
  compareCuped,
  cupedAdjustedTreatment,
} from "./cuped";
export {
  type QuantileSummary,
  type QuantileRanks,
  bracketRanks,
  quantileConfidenceIndices,
  quantileStandardErrorIid,
  quantileClusteringInflation,
  quantileStandardError,
  estimateQuantileLift,
  compareQuantiles,
} from "./quantile";
export {
  type GuardrailDirection,
  type GuardrailOptions,
  type GuardrailResult,
  oneSidedHarmPValue,
  guardrailInference,
  guardrailCheck,
} from "./guardrail";
export { type SrmResult, srmCheck } from "./srm";
export { type PValueAdjustment, holmAdjust, benjaminiHochbergAdjust, adjustPValues } from "./multipleComparisons";
export { DEFAULT_POWER, DEFAULT_TARGET_EFFECT, minimumDetectableEffect, usersNeededForEffect, daysRemaining } from "./power";
export { type HeterogeneityResult, cochranQ } from "./heterogeneity";
