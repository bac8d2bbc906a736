import { Rng } from "../demo/rng";
import { pickRefinement, type EditMix, type Refinement } from "../demo/templates";
import { LANGUAGE_ODDS, LANGUAGES, PEAK_HOURS } from "../demo/users";

// The traffic simulator's scenarios and user model (pure: no I/O). A scenario fixes the true rates of
// each arm and user group; every random quantity is drawn so that the rates the results API computes
// (ratios of per-user sums over users) have exactly these expectations:
//
// - acceptance: each user accepts each shown suggestion with a personal propensity p ~ Beta with mean
//   rate(group, arm) × languageFactor, where the language factors average 1 over the language mix and
//   activity is independent of p, so Σ accepted / Σ shown → rate(group, arm);
// - generation rate: kept AI characters per shown suggestion are rate × (r·R + (1 − r)·C) (r: share of
//   suggestions refined, R: mean retained characters of the refinement pool, C: mean length of a plain
//   completion) and human-typed characters per shown suggestion are the same in both arms; the typing
//   rate is calibrated on the external control figure and the treatment's completion length on the
//   external treatment figure (the published generation lift is much smaller than the acceptance lift:
//   the treatment's completions are shorter);
// - user groups: a third of the users are internal (employees dogfooding the plugin) and twice as active,
//   so each group makes half of the shown suggestions, and the internal rates are whatever makes the
//   overall figures hold: internal = (overall − s·external) / (1 − s), s the external share of suggestions.

export const SCENARIOS = ["default", "aa", "srm"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
export type Arm = "control" | "treatment";
export type UserGroup = "external" | "internal";
export const USER_GROUPS: readonly UserGroup[] = ["external", "internal"];

export interface ArmPair {
  control: number;
  treatment: number;
}

/** The published figures the default scenario reproduces. */
export const PUBLISHED = {
  acceptance: { control: 0.257, treatment: 0.357 },
  externalAcceptance: { control: 0.2501, treatment: 0.3755 },
  externalGeneration: { control: 0.3605, treatment: 0.4058 },
} as const satisfies Record<string, ArmPair>;

export interface ScenarioOptions {
  /** default: the published lift; aa: both arms behave as the control; srm: the published lift with 55/45 exposures. */
  scenario?: ScenarioName;
  /** Acceptance rate over all users (default 25.7% → 35.7%). */
  acceptance?: ArmPair;
  /** Acceptance rate of external users (default 25.01% → 37.55%). */
  externalAcceptance?: ArmPair;
  /** Generation rate of external users (default 36.05% → 40.58%). */
  externalGeneration?: ArmPair;
  /** Share of users who are internal (default 1/3). */
  internalShare?: number;
  /** How many times as many completions an internal user requests as an external one (default 2). */
  internalActivity?: number;
  /** The srm scenario's share of exposures in the control arm of a 50/50 experiment (default 0.55). */
  srmControlShare?: number;
  /** Mean completion requests per user and day (default 5; per user heavy-tailed, lognormal σ = 1). */
  requestsPerDay?: number;
  /** Days of activity (default 7). */
  days?: number;
}

/** Fixed parts of the model. */
export const MODEL = {
  /** Share of requests that produce a shown completion (the show rate). */
  showProbability: 0.9,
  /** Share of requests followed by the user typing code themselves (a typed event). */
  typedProbability: 0.35,
  /** Beta concentration of the users' acceptance propensities (sd ≈ 0.1 around 0.3). */
  propensityConcentration: 20,
  /** Lognormal σ of a user's activity (mean-preserving): a few users make most requests. */
  activitySigma: 1,
  /** Gamma shape of a user's typing factor (mean 1). */
  typingShape: 2,
  /** Mean length of a control completion that will not be refined (characters). */
  controlPlainChars: 90,
  /** Shortest plain completion (characters); lengths are this plus a geometric number. */
  minCompletionChars: 12,
  /** Share of shown suggestions whose editor reports a refinement when accepted, per arm. */
  refineProbability: { control: 0.4, treatment: 0.37 },
  /** How users refine each arm's completions (lib/demo/templates.ts EDIT_MIX). */
  editMix: { control: "production", treatment: "refined" } as Record<Arm, EditMix>,
  /** Median latency of each arm's completions (ms, lognormal σ 0.35, times the IDE's factor). */
  latencyMedianMs: { control: 180, treatment: 170 },
  latencySigma: 0.35,
  /** The refinement window the editor reports (s). */
  refineWindowSeconds: 60,
  /** Refinements drawn per language and edit mix (the pool's means enter the true generation rate). */
  refinementPoolSize: 2_048,
} as const;

/** IDEs and their latency factor (the plugin's own overhead): Java developers mostly use JetBrains IDEs. */
export const IDES = [
  ["vscode", 0.64],
  ["jetbrains", 0.26],
  ["neovim", 0.1],
] as const;
export const JAVA_IDES = [
  ["jetbrains", 0.7],
  ["vscode", 0.27],
  ["neovim", 0.03],
] as const;
export const IDE_LATENCY_FACTOR: Record<string, number> = { vscode: 1, jetbrains: 1.12, neovim: 0.92 };

/** Acceptance factors by language (lib/demo/users.ts LANGUAGE_ODDS), scaled to average 1 over the language mix. */
export const LANGUAGE_FACTOR: Record<string, number> = (() => {
  const mean = LANGUAGES.reduce((s, [language, weight]) => s + weight * LANGUAGE_ODDS[language], 0);
  return Object.fromEntries(LANGUAGES.map(([language]) => [language, LANGUAGE_ODDS[language] / mean]));
})();

export type Segmented<T> = Record<"overall" | UserGroup, T>;

export interface ArmModel {
  /** Mean acceptance propensity of each user group. */
  acceptance: Record<UserGroup, number>;
  editMix: EditMix;
  refineProbability: number;
  /** Mean length of a completion that will not be refined (characters, at least minCompletionChars + 1). */
  plainChars: number;
  latencyMedianMs: number;
}

export interface Truth {
  /** The expected acceptance rate (accepted / shown) of each arm, overall and per user group. */
  acceptance: Segmented<ArmPair>;
  /** The expected generation rate (AI kept / (AI kept + human typed)) of each arm, overall and per user group. */
  generation: Segmented<ArmPair>;
  /** Expected share of exposed users in each arm (a 50/50 experiment). */
  exposureShare: ArmPair;
}

export interface Scenario {
  name: ScenarioName;
  days: number;
  requestsPerDay: number;
  groups: Record<UserGroup, { userShare: number; activity: number; suggestionShare: number }>;
  arms: Record<Arm, ArmModel>;
  /** Typed events: probability per request and mean characters of one (before the user's typing factor). */
  typing: { probability: number; meanChars: number };
  /** srm: the share of treatment users whose exposure is recorded (the rest are lost). */
  treatmentExposureKept: number;
  truth: Truth;
}

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScenarioError";
  }
}

function checkRate(name: string, value: number, max = 0.95) {
  if (!(value > 0 && value < max)) throw new ScenarioError(`${name} must lie between 0 and ${max} (got ${value})`);
}

/** A refinement pool's mean retained characters. */
function meanRetained(language: string, mix: EditMix): number {
  const pool = refinementPool(language, mix);
  return pool.reduce((s, r) => s + r.retainedChars, 0) / pool.length;
}

/** Mean retained characters of an arm's refinements, weighted by language share × acceptance factor (who accepts them). */
function acceptedRetained(mix: EditMix): number {
  return LANGUAGES.reduce((s, [language, weight]) => s + weight * LANGUAGE_FACTOR[language] * meanRetained(language, mix), 0);
}

/** Resolves a scenario's options into the rates of each arm and group, calibrated as the header explains, and its truth. */
export function resolveScenario(options: ScenarioOptions = {}): Scenario {
  const name = options.scenario ?? "default";
  if (!SCENARIOS.includes(name)) throw new ScenarioError(`unknown scenario '${name}' (one of ${SCENARIOS.join(", ")})`);
  const days = options.days ?? 7;
  if (!(days > 0 && days <= 700)) throw new ScenarioError(`days must lie in (0, 700] (the events' retention is 729 days); got ${days}`);
  const requestsPerDay = options.requestsPerDay ?? 5;
  if (!(requestsPerDay > 0 && requestsPerDay <= 10_000)) throw new ScenarioError(`requestsPerDay must lie in (0, 10000]`);
  const internalShare = options.internalShare ?? 1 / 3;
  if (!(internalShare >= 0 && internalShare < 1)) throw new ScenarioError(`internalShare must lie in [0, 1)`);
  const internalActivity = options.internalActivity ?? 2;
  if (!(internalActivity > 0 && internalActivity <= 100)) throw new ScenarioError(`internalActivity must lie in (0, 100]`);
  const srmControlShare = options.srmControlShare ?? 0.55;
  if (!(srmControlShare >= 0.5 && srmControlShare < 1)) throw new ScenarioError(`srmControlShare must lie in [0.5, 1)`);

  const acceptance = { ...PUBLISHED.acceptance, ...options.acceptance };
  const external = { ...PUBLISHED.externalAcceptance, ...options.externalAcceptance };
  const generation = { ...PUBLISHED.externalGeneration, ...options.externalGeneration };
  if (name === "aa") {
    acceptance.treatment = acceptance.control;
    external.treatment = external.control;
    generation.treatment = generation.control;
  }

  // Expected share of shown suggestions made by external users.
  const weightExternal = 1 - internalShare;
  const weightInternal = internalShare * internalActivity;
  const s = weightExternal / (weightExternal + weightInternal);
  const internalRate = (arm: Arm) => (internalShare === 0 ? external[arm] : (acceptance[arm] - s * external[arm]) / (1 - s));
  const maxFactor = Math.max(...Object.values(LANGUAGE_FACTOR));
  const accept: Record<Arm, Record<UserGroup, number>> = {
    control: { external: external.control, internal: internalRate("control") },
    treatment: { external: external.treatment, internal: internalRate("treatment") },
  };
  for (const arm of ["control", "treatment"] as const) {
    for (const group of USER_GROUPS) {
      const rate = accept[arm][group];
      if (!(rate > 0 && rate * maxFactor < 0.95)) {
        throw new ScenarioError(
          `the ${group} ${arm} acceptance rate comes out at ${rate.toFixed(4)} (from the overall and external rates and the user mix); ` +
            `it must lie between 0 and ${(0.95 / maxFactor).toFixed(3)}`,
        );
      }
    }
    checkRate(`${arm} generation rate of external users`, generation[arm]);
  }

  // Generation rate: calibrate typing on the external control arm, the treatment's completion length on its arm.
  const editMix: Record<Arm, EditMix> = name === "aa" ? { control: "production", treatment: "production" } : MODEL.editMix;
  const refine: ArmPair =
    name === "aa"
      ? { control: MODEL.refineProbability.control, treatment: MODEL.refineProbability.control }
      : { ...MODEL.refineProbability };
  const retained: ArmPair = { control: acceptedRetained(editMix.control), treatment: acceptedRetained(editMix.treatment) };
  const keptPerAccept = (arm: Arm, plainChars: number) => refine[arm] * retained[arm] + (1 - refine[arm]) * plainChars;
  const controlKept = accept.control.external * keptPerAccept("control", MODEL.controlPlainChars);
  const humanPerShown = (controlKept * (1 - generation.control)) / generation.control;
  const treatmentKeptPerAccept = (humanPerShown * generation.treatment) / (1 - generation.treatment) / accept.treatment.external;
  const treatmentPlainChars =
    name === "aa" ? MODEL.controlPlainChars : (treatmentKeptPerAccept - refine.treatment * retained.treatment) / (1 - refine.treatment);
  if (!(treatmentPlainChars >= MODEL.minCompletionChars + 1)) {
    throw new ScenarioError(
      `the external generation rates ask for treatment completions of ${treatmentPlainChars.toFixed(1)} characters on average; ` +
        `at least ${MODEL.minCompletionChars + 1} are needed (raise the treatment generation rate or lower its acceptance rate)`,
    );
  }
  const plainChars: ArmPair = { control: MODEL.controlPlainChars, treatment: treatmentPlainChars };
  const typing = { probability: MODEL.typedProbability, meanChars: (humanPerShown * MODEL.showProbability) / MODEL.typedProbability };

  const arms = {} as Record<Arm, ArmModel>;
  for (const arm of ["control", "treatment"] as const) {
    arms[arm] = {
      acceptance: accept[arm],
      editMix: editMix[arm],
      refineProbability: refine[arm],
      plainChars: plainChars[arm],
      latencyMedianMs: name === "aa" ? MODEL.latencyMedianMs.control : MODEL.latencyMedianMs[arm],
    };
  }

  const groupShare: Record<UserGroup, number> = { external: s, internal: 1 - s };
  const kept = (arm: Arm, group: UserGroup) => accept[arm][group] * keptPerAccept(arm, plainChars[arm]);
  const pair = (f: (arm: Arm) => number): ArmPair => ({ control: f("control"), treatment: f("treatment") });
  const overallKept = (arm: Arm) => USER_GROUPS.reduce((sum, g) => sum + groupShare[g] * kept(arm, g), 0);
  const truth: Truth = {
    acceptance: {
      overall: pair((arm) => USER_GROUPS.reduce((sum, g) => sum + groupShare[g] * accept[arm][g], 0)),
      external: pair((arm) => accept[arm].external),
      internal: pair((arm) => accept[arm].internal),
    },
    generation: {
      overall: pair((arm) => overallKept(arm) / (overallKept(arm) + humanPerShown)),
      external: pair((arm) => kept(arm, "external") / (kept(arm, "external") + humanPerShown)),
      internal: pair((arm) => kept(arm, "internal") / (kept(arm, "internal") + humanPerShown)),
    },
    exposureShare: name === "srm" ? { control: srmControlShare, treatment: 1 - srmControlShare } : { control: 0.5, treatment: 0.5 },
  };

  return {
    name,
    days,
    requestsPerDay,
    groups: {
      external: { userShare: 1 - internalShare, activity: 1, suggestionShare: s },
      internal: { userShare: internalShare, activity: internalActivity, suggestionShare: 1 - s },
    },
    arms,
    typing,
    treatmentExposureKept: name === "srm" ? (1 - srmControlShare) / srmControlShare : 1,
    truth,
  };
}

// ---- Seeds and draws ------------------------------------------------------------------------------

/** A 32-bit seed from several numbers (murmur3's finalizer over each), for independent per-user streams. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    // Numbers beyond 32 bits (timestamps) contribute both halves.
    for (const word of [part >>> 0, Math.floor(part / 4_294_967_296) >>> 0]) {
      h = Math.imul(h ^ word, 0x9e3779b1);
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
    }
  }
  return h >>> 0;
}

/** Geometric on {0, 1, …} with the given mean: P(k) = (1 − q)·q^k, q = mean / (1 + mean). */
export function geometric(rng: Rng, mean: number): number {
  if (!(mean > 0)) return 0;
  const q = mean / (1 + mean);
  return Math.floor(Math.log(1 - rng.next()) / Math.log(q));
}

/** Poisson with the given mean (exact: Knuth's product method on slices of at most 30). */
export function poisson(rng: Rng, mean: number): number {
  let n = 0;
  for (let left = mean; left > 0; left -= 30) {
    const limit = Math.exp(-Math.min(left, 30));
    let product = rng.next();
    while (product > limit) {
      n++;
      product *= rng.next();
    }
  }
  return n;
}

// ---- Users ----------------------------------------------------------------------------------------

export interface SimulatedUser {
  index: number;
  id: string;
  language: string;
  ide: string;
  userGroup: UserGroup;
  /** Completion requests over the period: Poisson around a heavy-tailed personal mean. */
  requests: number;
  /** Mean of the typed characters of this user relative to everyone's (mean 1). */
  typingFactor: number;
  /** The UTC hour the user's working day peaks. */
  peakHour: number;
  latencyFactor: number;
}

/** The id of the index-th user (0-based) under a prefix. */
export function simulatedUserId(prefix: string, index: number): string {
  return `${prefix}-${String(index + 1).padStart(6, "0")}`;
}

/** The index-th user of a run: drawn from its own stream, so users can be made in any order and alone. */
export function simulatedUser(scenario: Scenario, seed: number, index: number, prefix: string): SimulatedUser {
  const rng = new Rng(mixSeed(seed, index, 1));
  const language = rng.pick(LANGUAGES);
  const ide = rng.pick(language === "java" ? JAVA_IDES : IDES);
  const userGroup: UserGroup = rng.chance(scenario.groups.internal.userShare) ? "internal" : "external";
  const sigma = MODEL.activitySigma;
  const personalMean =
    scenario.days * scenario.requestsPerDay * scenario.groups[userGroup].activity * Math.exp(sigma * rng.normal() - (sigma * sigma) / 2);
  return {
    index,
    id: simulatedUserId(prefix, index),
    language,
    ide,
    userGroup,
    requests: poisson(rng, personalMean),
    typingFactor: rng.gamma(MODEL.typingShape) / MODEL.typingShape,
    peakHour: rng.pick(PEAK_HOURS) + rng.normal() * 1.2,
    latencyFactor: IDE_LATENCY_FACTOR[ide] ?? 1,
  };
}

// ---- Refinements ------------------------------------------------------------------------------------

const pools = new Map<string, Refinement[]>();

/**
 * The refinements users make of a language's completions under an edit mix: a fixed pool drawn once from
 * the demo's templates (lib/demo/templates.ts) with a fixed seed, so its means, and the true generation
 * rate, are the same whatever the run's seed.
 */
export function refinementPool(language: string, mix: EditMix): Refinement[] {
  const key = `${mix}:${language}`;
  let pool = pools.get(key);
  if (!pool) {
    const rng = new Rng(mixSeed(0x5eed, ...[...key].map((c) => c.charCodeAt(0))));
    pool = Array.from({ length: MODEL.refinementPoolSize }, () => pickRefinement(rng, language, mix));
    pools.set(key, pool);
  }
  return pool;
}
