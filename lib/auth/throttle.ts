import { ExpiringCache } from "./expiringCache";

// Sign-in throttling: a guessed password costs the guesser more with every failure. Each account, and
// each client address when a proxy reports one, gets a few free failures; after that every further
// attempt must wait a delay that doubles with each failure, up to a quarter of an hour, and is refused
// without checking the password (so a flood costs no hashing). A success clears the account.

const WINDOW_MS = 15 * 60_000;
const MAX_DELAY_MS = 15 * 60_000;

export interface ThrottlePolicy {
  /** Failures allowed before delays start. */
  freeFailures: number;
}

export const ACCOUNT_POLICY: ThrottlePolicy = { freeFailures: 5 };
export const ADDRESS_POLICY: ThrottlePolicy = { freeFailures: 20 };

interface Record {
  failures: number;
  lastFailureAt: number;
}

/** The wait after `failures` failures: none within the free ones, then 1 s, 2 s, 4 s … up to 15 minutes. */
export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  const over = failures - policy.freeFailures;
  return over <= 0 ? 0 : Math.min(MAX_DELAY_MS, 1000 * 2 ** (over - 1));
}

export class SignInThrottle {
  private readonly records = new ExpiringCache<Record>(WINDOW_MS, 10_000);

  constructor(private readonly policy: ThrottlePolicy) {}

  /** Milliseconds to wait before `key` may try again (0: now). */
  waitFor(key: string, now = Date.now()): number {
    const record = this.records.get(key, now)?.value;
    if (!record) return 0;
    return Math.max(0, record.lastFailureAt + delayAfter(record.failures, this.policy) - now);
  }

  failure(key: string, now = Date.now()) {
    const failures = (this.records.get(key, now)?.value.failures ?? 0) + 1;
    this.records.set(key, { failures, lastFailureAt: now }, now);
  }

  success(key: string) {
    this.records.delete(key);
  }
}
