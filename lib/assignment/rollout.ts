/**
 * Production ramps: which version a user outside every running experiment is served while a model
 * version is being promoted. The user's position is GrowthBook's hash version 2 under the promotion's
 * own seed, so it is independent of every experiment's split, and a user below the share at 5% stays
 * below it at 25%, 50% and 100%.
 */
import { FNV_INITIAL_STATE, fnvContinue, hashV2FromSeedState } from "./hash";
import type { RolloutConfig } from "./types";

/** A rollout with its seed's FNV state precomputed (see `compileConfig`). */
export interface CompiledRollout {
  readonly config: RolloutConfig;
  readonly seedState: number;
}

export function compileRollout(rollout: RolloutConfig | null | undefined): CompiledRollout | null {
  return rollout ? { config: rollout, seedState: fnvContinue(FNV_INITIAL_STATE, rollout.seed) } : null;
}

/** Whether the user falls inside the rollout's share: hash < share (so share 0 admits nobody, 1 everybody). */
export function inRollout(rollout: CompiledRollout, userId: string): boolean {
  return hashV2FromSeedState(rollout.seedState, userId) < rollout.config.share;
}

/** The version served to a user who is in no running experiment. */
export function servedOutsideExperiments(productionVersion: string | null, rollout: CompiledRollout | null, userId: string): string | null {
  return rollout && inRollout(rollout, userId) ? rollout.config.modelVersion : productionVersion;
}

/** The share of users a ramp step of `percent` serves (clamped to `[0, 1]`). */
export function rolloutShare(percent: number): number {
  if (!(percent > 0)) return 0;
  return percent >= 100 ? 1 : percent / 100;
}
