/**
 * Cohort assignment: which experiment variant (and so which model version) a user gets.
 *
 * Per experiment the order is GrowthBook's: eligibility (targeting), namespace, then the
 * seeded hash picks a bucket range. Across experiments Echo adds one rule GrowthBook leaves to
 * namespaces: a user is in at most one running experiment, the earliest started one, so every
 * completion is served by exactly one model version and experiments never contaminate each other.
 *
 * Everything here is pure and deterministic: the server and every SDK compute the same answer.
 */
import { bucketRanges, chooseVariant } from "./buckets";
import { FNV_INITIAL_STATE, fnvContinue, hashV1, hashV2FromSeedState } from "./hash";
import { namespaceHashWithSuffix, namespaceSuffix } from "./namespace";
import { type CompiledRollout, compileRollout, servedOutsideExperiments } from "./rollout";
import { type CompiledCondition, compileTargeting, matchesCompiledTargeting } from "./targeting";
import type {
  Assignment,
  AssignmentConfig,
  AssignmentReason,
  AssignResult,
  BucketRange,
  ExperimentConfig,
  ExposureCheck,
  UserAttributes,
} from "./types";

/**
 * An experiment with everything that does not depend on the user precomputed (bucket ranges,
 * the seed's FNV state, the namespace suffix), so assigning a user allocates only the result.
 * The source config must not be mutated afterwards; compile again instead.
 */
export class CompiledExperiment {
  readonly ranges: readonly BucketRange[];
  readonly seedState: number;
  readonly namespaceSuffix: string | null;
  readonly targeting: readonly CompiledCondition[];

  constructor(readonly config: ExperimentConfig) {
    const weights = config.variants.map((variant) => variant.weight);
    this.ranges = bucketRanges(config.variants.length, config.coverage, weights);
    this.seedState = fnvContinue(FNV_INITIAL_STATE, config.seed);
    this.namespaceSuffix = config.namespace ? namespaceSuffix(config.namespace.name) : null;
    this.targeting = compileTargeting(config.targeting);
  }
}

export interface CompiledAssignmentConfig {
  readonly productionVersion: string | null;
  readonly experiments: readonly CompiledExperiment[];
  readonly rollout: CompiledRollout | null;
}

export function compileExperiment(experiment: ExperimentConfig | CompiledExperiment): CompiledExperiment {
  return experiment instanceof CompiledExperiment ? experiment : new CompiledExperiment(experiment);
}

function isCompiledConfig(config: AssignmentConfig | CompiledAssignmentConfig): config is CompiledAssignmentConfig {
  const rolloutCompiled = config.rollout == null || "seedState" in config.rollout;
  return rolloutCompiled && config.experiments.every((experiment) => experiment instanceof CompiledExperiment);
}

/** Precomputes every experiment of a config; pass the result to `assignUser` on hot paths. */
export function compileConfig(config: AssignmentConfig | CompiledAssignmentConfig): CompiledAssignmentConfig {
  if (isCompiledConfig(config)) return { ...config, rollout: config.rollout ?? null };
  return {
    productionVersion: config.productionVersion,
    experiments: config.experiments.map(compileExperiment),
    rollout: compileRollout(config.rollout),
  };
}

/** The user's position in `[0, 1)` for this experiment's seed, or null for an unsupported hash version. */
function experimentHash(compiled: CompiledExperiment, userId: string): number | null {
  const version = compiled.config.hashVersion;
  if (version === 2) return hashV2FromSeedState(compiled.seedState, userId);
  if (version === 1) return hashV1(compiled.config.seed, userId);
  return null;
}

function isInNamespace(compiled: CompiledExperiment, userId: string): boolean {
  const namespace = compiled.config.namespace;
  if (!namespace || compiled.namespaceSuffix === null) return true;
  const position = namespaceHashWithSuffix(userId, compiled.namespaceSuffix);
  return position >= namespace.start && position < namespace.end;
}

function notInExperiment(
  experimentKey: string,
  reason: Exclude<AssignmentReason, "assigned">,
  hashValue: number | null,
  productionVersion: string | null,
): Assignment {
  return { experimentKey, variantKey: null, modelVersion: productionVersion, inExperiment: false, hashValue, reason };
}

/** Targeting is skipped only when the caller cannot know the attributes (see `checkExposure`). */
function evaluate(
  compiled: CompiledExperiment,
  userId: string,
  attributes: UserAttributes | null | undefined,
  productionVersion: string | null,
  skipTargeting: boolean,
): Assignment {
  const { key, variants } = compiled.config;
  if (!skipTargeting && !matchesCompiledTargeting(compiled.targeting, attributes)) {
    return notInExperiment(key, "not_targeted", null, productionVersion);
  }
  if (!isInNamespace(compiled, userId)) return notInExperiment(key, "not_in_namespace", null, productionVersion);
  const n = experimentHash(compiled, userId);
  if (n === null) return notInExperiment(key, "not_in_coverage", null, productionVersion);
  const index = chooseVariant(n, compiled.ranges);
  if (index < 0) return notInExperiment(key, "not_in_coverage", n, productionVersion);
  const variant = variants[index];
  return {
    experimentKey: key,
    variantKey: variant.key,
    modelVersion: variant.modelVersion,
    inExperiment: true,
    hashValue: n,
    reason: "assigned",
  };
}

/**
 * Assigns a user to one experiment in isolation (ignores the one-experiment-per-user rule,
 * which needs the whole config: use `assignUser` for that). `productionVersion` is what a user
 * outside the experiment is served.
 */
export function assignExperiment(
  experiment: ExperimentConfig | CompiledExperiment,
  userId: string,
  attributes?: UserAttributes | null,
  productionVersion: string | null = null,
): Assignment {
  return evaluate(compileExperiment(experiment), userId, attributes, productionVersion, false);
}

/** The config's rollout compiled (once per call only for a plain config: hot paths pass a compiled one). */
function rolloutOf(config: AssignmentConfig | CompiledAssignmentConfig): CompiledRollout | null {
  const rollout = config.rollout;
  if (!rollout) return null;
  return "seedState" in rollout ? rollout : compileRollout(rollout);
}

/** A user the experiment would take, who is already in an earlier experiment. */
function displacedByEarlierExperiment(assignment: Assignment, productionVersion: string | null): Assignment {
  return notInExperiment(assignment.experimentKey, "in_other_experiment", assignment.hashValue, productionVersion);
}

/**
 * Assigns a user across all running experiments. Experiments are evaluated in config order
 * (start order); the first one that takes the user keeps them, and later experiments that would
 * also take them report `in_other_experiment`. The served model version is the winning
 * variant's or, when the user is in no experiment, the production version — or the version being
 * promoted, when the user falls inside the production ramp's share (see ./rollout.ts).
 */
export function assignUser(
  config: AssignmentConfig | CompiledAssignmentConfig,
  userId: string,
  attributes?: UserAttributes | null,
): AssignResult {
  const { experiments } = config;
  const rollout = rolloutOf(config);
  const productionVersion = servedOutsideExperiments(config.productionVersion, rollout, userId);
  const assignments: Assignment[] = [];
  let winner: Assignment | null = null;
  for (const experiment of experiments) {
    const assignment = evaluate(compileExperiment(experiment), userId, attributes, productionVersion, false);
    if (!assignment.inExperiment) assignments.push(assignment);
    else if (winner) assignments.push(displacedByEarlierExperiment(assignment, productionVersion));
    else assignments.push((winner = assignment));
  }
  return { modelVersion: winner ? winner.modelVersion : productionVersion, assignments };
}

/**
 * Whether a client-reported exposure agrees with the deterministic assignment, so the server
 * can reject exposures from buggy or stale clients instead of polluting the analysis.
 * Without `attributes` targeting is not checked (the server may not know them); the hash,
 * namespace and coverage always are. `expected` is the variant the user should have (null: none).
 * Checks one experiment only: the one-experiment-per-user rule needs `assignUser`.
 */
export function checkExposure(
  experiment: ExperimentConfig | CompiledExperiment,
  userId: string,
  variantKey: string | null,
  attributes?: UserAttributes | null,
): ExposureCheck {
  const skipTargeting = attributes === undefined;
  const expected = evaluate(compileExperiment(experiment), userId, attributes, null, skipTargeting).variantKey;
  return expected === variantKey ? { ok: true } : { ok: false, expected };
}
