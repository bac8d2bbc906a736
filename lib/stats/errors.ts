/**
 * Thrown when a summary cannot support inference (fewer than two users, a zero denominator, a
 * control value of zero for a relative lift). Callers typically render "not enough data" for it.
 */
export class InsufficientDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InsufficientDataError";
  }
}
