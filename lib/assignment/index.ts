/**
 * Deterministic, GrowthBook-compatible cohort assignment for Echo experiments.
 * Pure functions only (no I/O): shared by the server and the client SDK.
 */
export type {
  Assignment,
  AssignmentConfig,
  AssignmentReason,
  AssignResult,
  BucketRange,
  ExperimentConfig,
  ExposureCheck,
  HashVersion,
  RolloutConfig,
  Namespace,
  Targeting,
  UserAttributes,
  Variant,
} from "./types";
export { FNV_OFFSET_BASIS, FNV_PRIME, fnv1a32, hashV1, hashV2, hashValue } from "./hash";
export {
  WEIGHT_SUM_TOLERANCE,
  areWeightsValid,
  bucketRanges,
  chooseVariant,
  clampCoverage,
  effectiveWeights,
  equalWeights,
} from "./buckets";
export { inNamespace, namespaceHash } from "./namespace";
export { matchesCondition, matchesTargeting } from "./targeting";
export {
  CompiledExperiment,
  assignExperiment,
  assignUser,
  checkExposure,
  compileConfig,
  compileExperiment,
  type CompiledAssignmentConfig,
} from "./assign";
export { compileRollout, inRollout, rolloutShare, type CompiledRollout } from "./rollout";
export {
  assignmentConfigSchema,
  rolloutConfigSchema,
  experimentConfigSchema,
  namespaceSchema,
  targetingSchema,
  variantSchema,
} from "./schema";
