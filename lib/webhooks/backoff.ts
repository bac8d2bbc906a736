// When a failed webhook delivery is tried again: exponential backoff from 30 s, doubling up to one hour
// between attempts, 10 attempts in all (about 3 hours) before the delivery is given up as failed. No
// jitter: one instance delivers (a single-instance job), so receivers never see a synchronized herd.

export const FIRST_RETRY_MS = 30_000;
export const LONGEST_RETRY_MS = 60 * 60_000;
export const MAX_ATTEMPTS = 10;

/** The wait after the `attempts`-th failed attempt (1-based), or null when no attempt is left. */
export function retryDelayMs(attempts: number): number | null {
  if (attempts >= MAX_ATTEMPTS) return null;
  return Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), LONGEST_RETRY_MS);
}
