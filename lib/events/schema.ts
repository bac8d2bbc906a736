import { z } from "zod";
import { DAY_MS } from "../time";
import { compileDiscriminatedUnion } from "./compiledSchema";

// One element of POST /api/v1/events (the public API). Each event is validated on its own so a bad
// one is named by index and field while the good ones of the same batch are stored.

export const MAX_EVENTS_PER_REQUEST = 5_000;
export const MAX_EVENTS_BODY_BYTES = 5 * 1024 * 1024;
const MAX_CODE_CHARS = 64 * 1024;
// The events table keeps 730 days (its TTL); an older event would be acknowledged and then dropped at
// the next merge, so it is refused instead.
const RETENTION_DAYS = 729;
const FUTURE_TOLERANCE_MS = 24 * 3_600_000;

const id = (what: string) => z.string().trim().min(1, `${what} must not be empty`).max(256, `${what} must be at most 256 characters`);
const label = z.string().trim().max(100, "must be at most 100 characters");
const count = z.number().int("must be a whole number").min(0, "must be at least 0").max(10_000_000, "is implausibly large");
const code = z.string().max(MAX_CODE_CHARS, `must be at most ${MAX_CODE_CHARS} characters`);

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * The timestamp rule, one function for zod's transform below and the compiled fast path
 * (compiledSchema.ts): epoch milliseconds, or which way the value is wrong.
 */
export function timestampMs(value: string | number): number | "format" | "range" {
  // A date-time without a zone would be read in the server's time zone: the zone is required.
  const ms = typeof value === "number" ? value : ISO_WITH_ZONE.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) return "format";
  const now = Date.now();
  if (ms < now - RETENTION_DAYS * DAY_MS || ms > now + FUTURE_TOLERANCE_MS) return "range";
  return Math.trunc(ms);
}

/** ISO-8601 string or epoch milliseconds → epoch milliseconds, within the retention and at most a day ahead. */
export const timestampSchema = z
  .union([z.string(), z.number()], { error: "must be an ISO-8601 string or epoch milliseconds" })
  .transform((value, ctx) => {
    const ms = timestampMs(value);
    if (ms === "format") {
      ctx.addIssue({
        code: "custom",
        message: "must be an ISO-8601 date-time with a zone (e.g. 2026-11-24T10:00:00Z or …+01:00) or epoch milliseconds",
      });
      return z.NEVER;
    }
    if (ms === "range") {
      ctx.addIssue({
        code: "custom",
        message: `must lie within the last ${RETENTION_DAYS} days (the retention) and at most one day ahead`,
      });
      return z.NEVER;
    }
    return ms;
  });

const common = {
  eventId: z.uuid("must be a UUID"),
  timestamp: timestampSchema,
  userId: id("userId"),
  modelVersion: id("modelVersion"),
  experimentKey: id("experimentKey").optional(),
  variantKey: id("variantKey").optional(),
  language: label.optional(),
  ide: label.optional(),
  userGroup: label.optional(),
};
const suggestion = { ...common, suggestionId: id("suggestionId") };

export const eventSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ ...suggestion, type: z.literal("requested") }),
    z.strictObject({
      ...suggestion,
      type: z.literal("shown"),
      completionChars: count,
      completionLines: count.optional(),
      latencyMs: count,
    }),
    z.strictObject({ ...suggestion, type: z.literal("accepted"), acceptedChars: count, acceptedLines: count.optional() }),
    z.strictObject({ ...suggestion, type: z.literal("rejected"), reason: label.optional() }),
    z.strictObject({
      ...suggestion,
      type: z.literal("refined"),
      windowSeconds: count,
      proposal: code,
      final: code,
      prefix: code.optional(),
      suffix: code.optional(),
      retainedChars: count.optional(),
    }),
    z.strictObject({ ...common, type: z.literal("typed"), humanChars: count }),
    z.strictObject({ ...common, type: z.literal("exposure"), experimentKey: id("experimentKey"), variantKey: id("variantKey") }),
  ],
  { error: "must be one of requested, shown, accepted, rejected, refined, typed, exposure" },
);

/**
 * The event schema's fast path (compiledSchema.ts): zod's output for the elements it is sure are valid,
 * undefined for the others (ask eventSchema, whose errors name the field).
 */
export const compiledEventSchema = compileDiscriminatedUnion(
  eventSchema,
  new Map([
    [
      timestampSchema,
      (value: unknown) => {
        if (typeof value !== "string" && typeof value !== "number") return undefined;
        const ms = timestampMs(value);
        return typeof ms === "number" ? ms : undefined;
      },
    ],
  ]),
);

export type IngestEvent = z.output<typeof eventSchema>;
export type EventType = IngestEvent["type"];

/** The request envelope: the array's elements are validated one by one (see validateEvents). */
export const eventsRequestSchema = z.strictObject({
  events: z
    .array(z.unknown())
    .min(1, "must contain at least one event")
    .max(MAX_EVENTS_PER_REQUEST, `must contain at most ${MAX_EVENTS_PER_REQUEST} events; split the batch`),
});

export const rejectionSchema = z.object({
  index: z.number().int(),
  eventId: z.string().nullable(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })),
});

export const eventsResponseSchema = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(rejectionSchema),
});

/** The documented event shape for the OpenAPI document (the route parses elements one by one). */
export const eventsRequestDocSchema = z.object({ events: z.array(eventSchema).min(1).max(MAX_EVENTS_PER_REQUEST) });
