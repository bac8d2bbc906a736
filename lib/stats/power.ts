// Decision support: what an experiment can detect now, and how many users it needs for what it wants
// to detect. Normal approximation of a two-sided test at level α (the one-sided power of the far tail,
// below 1e-3 at 80% power, is left out, as in the usual sample-size formula).

import { DEFAULT_ALPHA } from "./defaults";
import { normalQuantile } from "./distributions";

/** Power the sample-size figures aim for unless the caller passes one. */
export const DEFAULT_POWER = 0.8;

/** Relative lift an experiment is sized for when its creator gave none (2%). */
export const DEFAULT_TARGET_EFFECT = 0.02;

/**
 * Minimum detectable effect at the current sample: the true effect a two-sided level-α test detects
 * with probability `power`, given the estimator's standard error se (on the effect's scale):
 *   MDE = (z_{1−α/2} + z_{power}) · se.
 */
export function minimumDetectableEffect(se: number, alpha: number = DEFAULT_ALPHA, power: number = DEFAULT_POWER): number {
  if (!(se >= 0)) throw new RangeError(`standard error must be non-negative, got ${se}`);
  if (!(power > 0 && power < 1)) throw new RangeError(`power must be in (0, 1), got ${power}`);
  return (normalQuantile(1 - alpha / 2) + normalQuantile(power)) * se;
}

/**
 * Users (both arms, at the current split) needed to detect `effect` with probability `power`, from
 * the current standard error se over `users` users. The standard error of a per-user estimator falls
 * as 1/√N, so N = users · (MDE(se) / effect)², rounded up; it is below `users` once the experiment has
 * enough. Infinity when the standard error is unknown (non-finite).
 */
export function usersNeededForEffect(
  se: number,
  users: number,
  effect: number,
  alpha: number = DEFAULT_ALPHA,
  power: number = DEFAULT_POWER,
): number {
  if (!(effect > 0)) throw new RangeError(`target effect must be positive, got ${effect}`);
  if (!Number.isFinite(se)) return Infinity;
  const ratio = minimumDetectableEffect(se, alpha, power) / effect;
  return Math.ceil(users * ratio * ratio);
}

/**
 * Whole days until `usersNeeded` is reached at `usersPerDay` new users a day: 0 when already reached,
 * null when no traffic arrives (it never will be).
 */
export function daysRemaining(usersNeeded: number, usersSoFar: number, usersPerDay: number): number | null {
  if (usersSoFar >= usersNeeded) return 0;
  if (!(usersPerDay > 0) || !Number.isFinite(usersNeeded)) return null;
  return Math.ceil((usersNeeded - usersSoFar) / usersPerDay);
}
