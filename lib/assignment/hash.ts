/**
 * Deterministic hashing, bit-for-bit compatible with GrowthBook's SDKs
 * (`hashFnv32a` / `hash` in growthbook/packages/sdk-js/src/util.ts, verified against the
 * `hash` vectors of its cross-SDK test suite `packages/sdk-js/test/cases.json`).
 *
 * FNV-1a (Fowler–Noll–Vo, http://www.isthe.com/chongo/tech/comp/fnv/) runs over the UTF-16
 * code units of the string, exactly what `String.prototype.charCodeAt` yields, so astral
 * characters contribute their two surrogate halves — not UTF-8 bytes.
 *
 * FNV is a streaming hash: `fnv(a + b)` equals continuing the state of `fnv(a)` over `b`.
 * The hot path uses that to hash `seed + userId` without building the concatenated string.
 */
import type { HashVersion } from "./types";

export const FNV_OFFSET_BASIS = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** The offset basis as the int32 the state is kept in, so V8 sees small integers only (no heap numbers). */
export const FNV_INITIAL_STATE = FNV_OFFSET_BASIS | 0;

const CHAR_CODE_ZERO = 48;

/** One FNV-1a round: xor the code unit in, multiply by the prime modulo 2^32. Returns an int32 state. */
function fnvStep(state: number, codeUnit: number): number {
  return Math.imul(state ^ codeUnit, FNV_PRIME);
}

/** Continues an FNV-1a state over every UTF-16 code unit of `text`. Returns an int32 state. */
export function fnvContinue(state: number, text: string): number {
  let hash = state;
  for (let i = 0; i < text.length; i++) hash = fnvStep(hash, text.charCodeAt(i));
  return hash;
}

// Digits of a uint32 (at most 10), reused so hashing `String(n)` allocates nothing.
const decimalDigits = new Uint8Array(10);

/**
 * `Math.floor(value / 10)` for a uint32, via a multiplication (about 3x faster than dividing).
 * Exact for every uint32 — checked exhaustively over all 2^32 values — because the double 0.1
 * is slightly above 1/10, so the rounded product never falls below the true quotient, and
 * the fractional part (at most 0.9 plus ~1e-9) never rounds up to the next integer.
 */
function divideByTen(value: number): number {
  return Math.floor(value * 0.1);
}

/** Continues an FNV-1a state over the decimal representation of a uint32, i.e. over `String(value)`. */
export function fnvContinueDecimal(state: number, value: number): number {
  let count = 0;
  let rest = value;
  do {
    const quotient = divideByTen(rest);
    decimalDigits[count++] = rest - quotient * 10;
    rest = quotient;
  } while (rest > 0);
  let hash = state;
  for (let i = count - 1; i >= 0; i--) hash = fnvStep(hash, CHAR_CODE_ZERO + decimalDigits[i]);
  return hash;
}

/** FNV-1a 32-bit of the string's UTF-16 code units, as an unsigned integer. */
export function fnv1a32(text: string): number {
  return fnvContinue(FNV_INITIAL_STATE, text) >>> 0;
}

/** GrowthBook hash version 1: `fnv1a32(userId + seed) % 1000 / 1000` (1000 buckets; kept for old experiments). */
export function hashV1(seed: string, userId: string): number {
  const hash = fnvContinue(fnvContinue(FNV_INITIAL_STATE, userId), seed) >>> 0;
  return (hash % 1000) / 1000;
}

/**
 * GrowthBook hash version 2 (its current default): `fnv1a32(String(fnv1a32(seed + userId))) % 10000 / 10000`.
 * 10000 buckets honour weights and coverage to 0.01% instead of v1's 0.1%.
 */
export function hashV2(seed: string, userId: string): number {
  return hashV2FromSeedState(fnvContinue(FNV_INITIAL_STATE, seed), userId);
}

/** `hashV2` with the seed's FNV state precomputed (see `compileExperiment`). */
export function hashV2FromSeedState(seedState: number, userId: string): number {
  const inner = fnvContinue(seedState, userId) >>> 0;
  const outer = fnvContinueDecimal(FNV_INITIAL_STATE, inner) >>> 0;
  return (outer % 10000) / 10000;
}

/**
 * The user's position in `[0, 1)` for an experiment seed. Unknown versions give `null`
 * (GrowthBook then leaves the user out of the experiment) rather than guessing.
 */
export function hashValue(seed: string, userId: string, version: HashVersion): number | null {
  if (version === 2) return hashV2(seed, userId);
  if (version === 1) return hashV1(seed, userId);
  return null;
}
