import { z } from "zod";
import { DomainError, formatPath, type DomainErrorKind, type ErrorDetail } from "../errors";

export { formatPath, type ErrorDetail };

/** A failure the caller can act on; mapped to its HTTP status by the route wrapper. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Extra answer headers (Retry-After for 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details: ErrorDetail[] = [], code = "bad_request") => new ApiError(400, code, message, details);
export const unauthorized = (message = "Sign in or send an API key as 'Authorization: Bearer <key>'") =>
  new ApiError(401, "unauthorized", message);
export const forbidden = (message: string) => new ApiError(403, "forbidden", message);
export const payloadTooLarge = (message: string) => new ApiError(413, "payload_too_large", message);

const STATUS_OF_KIND: Record<DomainErrorKind, ApiError["status"]> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  unavailable: 503,
  rate_limited: 429,
};

/** The HTTP answer of a domain error: its kind decides the status, and names the code. */
export function fromDomainError(error: DomainError): ApiError {
  const code = error.kind === "invalid" ? "bad_request" : error.kind;
  const headers: Record<string, string> = error.retryAfterSeconds !== undefined ? { "retry-after": String(error.retryAfterSeconds) } : {};
  return new ApiError(STATUS_OF_KIND[error.kind], code, error.message, error.details, headers);
}

export function zodDetails(error: z.ZodError, prefix = ""): ErrorDetail[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path, prefix), message: issue.message }));
}

export function errorBody(error: ApiError) {
  return { error: { code: error.code, message: error.message, details: error.details } };
}

export const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })),
  }),
});
