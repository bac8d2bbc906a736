import { z } from "zod";

export interface ErrorDetail {
  path: string;
  message: string;
}

/** A failure the caller can act on; mapped to its HTTP status by the route wrapper. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details: ErrorDetail[] = [], code = "bad_request") => new ApiError(400, code, message, details);
export const unauthorized = (message = "Sign in or send an API key as 'Authorization: Bearer <key>'") => new ApiError(401, "unauthorized", message);
export const forbidden = (message: string) => new ApiError(403, "forbidden", message);
export const notFound = (message: string) => new ApiError(404, "not_found", message);
export const conflict = (message: string, details: ErrorDetail[] = []) => new ApiError(409, "conflict", message, details);
export const payloadTooLarge = (message: string) => new ApiError(413, "payload_too_large", message);
export const unprocessable = (message: string, details: ErrorDetail[] = []) => new ApiError(422, "unprocessable", message, details);

/** `events[3].timestamp` from zod's ["events", 3, "timestamp"]. */
export function formatPath(path: readonly PropertyKey[], prefix = ""): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "(root)";
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
