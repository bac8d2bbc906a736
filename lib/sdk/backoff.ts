/**
 * Retry policy for event delivery: which failures are worth retrying and how long to wait.
 * Pure functions; the client supplies the clock and the random source.
 */

export interface BackoffOptions {
  /** Delay before the first retry (before jitter). */
  initialMs: number;
  /** Upper bound of any single delay, including a server's Retry-After. */
  maxMs: number;
}

/**
 * Transient failures: rate limiting (429) and server errors (5xx). Any other 4xx means the
 * request itself is wrong and would fail again identically.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Exponential growth capped at `maxMs`: initialMs · 2^attempt (attempt 0 is the first retry). */
export function exponentialDelayMs(attempt: number, backoff: BackoffOptions): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt);
}

/**
 * "Equal jitter" (AWS Architecture Blog, "Exponential Backoff and Jitter", 2015): half the
 * exponential delay plus a random half, so clients that failed together do not retry in lockstep
 * while every client still waits at least half the nominal delay.
 */
export function jitteredDelayMs(attempt: number, backoff: BackoffOptions, random: () => number): number {
  const nominal = exponentialDelayMs(attempt, backoff);
  return nominal / 2 + random() * (nominal / 2);
}

/**
 * The wait a `Retry-After` header asks for (RFC 9110 §10.2.3: delay-seconds or an HTTP date),
 * or null when absent or unreadable.
 */
export function parseRetryAfterMs(header: string | null, nowMs: number): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** The delay before retry number `attempt`: jittered backoff, but never shorter than the server asked (capped at maxMs). */
export function retryDelayMs(attempt: number, backoff: BackoffOptions, retryAfterMs: number | null, random: () => number): number {
  const jittered = jitteredDelayMs(attempt, backoff, random);
  return retryAfterMs === null ? jittered : Math.max(jittered, Math.min(retryAfterMs, backoff.maxMs));
}
