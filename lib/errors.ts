// Domain errors: what a service throws when the caller asked for something it cannot have. They carry
// no HTTP status; the route wrapper (lib/api/handler.ts) maps each kind to one.

export interface ErrorDetail {
  path: string;
  message: string;
}

export type DomainErrorKind = "invalid" | "not_found" | "conflict" | "unprocessable" | "unavailable" | "rate_limited";

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** For rate_limited: when the caller may try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const invalid = (message: string, details: ErrorDetail[] = []) => new DomainError("invalid", message, details);
export const notFound = (message: string) => new DomainError("not_found", message);
export const conflict = (message: string, details: ErrorDetail[] = []) => new DomainError("conflict", message, details);
export const unprocessable = (message: string, details: ErrorDetail[] = []) => new DomainError("unprocessable", message, details);
/** A dependency (storage, the ingestion log) cannot serve the request now; the caller should retry. */
export const unavailable = (message: string) => new DomainError("unavailable", message);

/** Too many attempts: try again after `seconds`. */
export const rateLimited = (message: string, seconds: number) => new DomainError("rate_limited", message, [], seconds);

/** `events[3].timestamp` from zod's ["events", 3, "timestamp"]. */
export function formatPath(path: readonly PropertyKey[], prefix = ""): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "(root)";
}
