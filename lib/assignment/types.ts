/**
 * Shapes shared by the server (which stores and serves experiment configs) and the SDK
 * (which evaluates them locally). Field semantics follow GrowthBook's experiment model so
 * the same user lands in the same variant whichever side evaluates.
 */

/** Hash algorithm generation, as in GrowthBook: 1 = legacy `fnv(userId + seed) % 1000`, 2 = double FNV `% 10000`. */
export type HashVersion = 1 | 2;

/**
 * Attribute-based eligibility: every listed attribute must satisfy its condition.
 * `in` admits only the listed values; `notIn` excludes the listed values.
 */
export type Targeting = Record<string, { in?: string[]; notIn?: string[] }>;

/** User attributes targeting can look at; any other string attribute is allowed too. Null counts as missing. */
export interface UserAttributes {
  language?: string | null;
  ide?: string | null;
  userGroup?: string | null;
  plan?: string | null;
  [attribute: string]: string | null | undefined;
}

export interface Variant {
  key: string;
  modelVersion: string;
  weight: number;
}

/** A GrowthBook-style namespace slice: experiments in disjoint slices of one namespace never share users. */
export interface Namespace {
  name: string;
  start: number;
  end: number;
}

export interface ExperimentConfig {
  key: string;
  seed: string;
  hashVersion: HashVersion;
  coverage: number;
  /** Informational: a new phase comes with a new seed, so the phase itself is not hashed. */
  phase: number;
  /** The first variant is the control. */
  variants: Variant[];
  namespace: Namespace | null;
  targeting: Targeting | null;
}

/**
 * A production ramp: users outside running experiments whose hash under `seed` (hash version 2) falls
 * below `share` get `modelVersion` instead of the production version. Raising `share` only adds users,
 * so a user who got the version at 5% keeps it at 25%.
 */
export interface RolloutConfig {
  modelVersion: string;
  seed: string;
  /** Fraction of users in `[0, 1]`. */
  share: number;
}

export interface AssignmentConfig {
  productionVersion: string | null;
  /** Running experiments in start order: earlier experiments win users (see `assignUser`). */
  experiments: ExperimentConfig[];
  /** The production ramp in progress, if any (absent from older servers' configs). */
  rollout?: RolloutConfig | null;
}

export type AssignmentReason = "assigned" | "not_targeted" | "not_in_namespace" | "not_in_coverage" | "in_other_experiment";

export interface Assignment {
  experimentKey: string;
  variantKey: string | null;
  modelVersion: string | null;
  inExperiment: boolean;
  hashValue: number | null;
  reason: AssignmentReason;
}

export interface AssignResult {
  modelVersion: string | null;
  assignments: Assignment[];
}

/** Half-open interval `[start, end)` of the unit hash space. */
export type BucketRange = [start: number, end: number];

export type ExposureCheck = { ok: true } | { ok: false; expected: string | null };
