import { z } from "zod";
import { assignmentConfigSchema, experimentConfigSchema } from "../../assignment/schema";
import { eventsRequestDocSchema, eventsRequestSchema, eventsResponseSchema, MAX_EVENTS_BODY_BYTES } from "../../events/schema";
import { endpoint } from "../endpoint";
import { errorSchema } from "../errors";

const logUnavailable = {
  description: "The ingestion log cannot be written (e.g. a read-only or full disk): nothing was stored; retry later with the same body",
  schema: errorSchema,
};

const attributeValue = z.string().max(200).nullable();

export const assignRequestSchema = z.strictObject({
  userId: z.string().trim().min(1, "must not be empty").max(256),
  attributes: z
    .strictObject({
      language: attributeValue.optional(),
      ide: attributeValue.optional(),
      userGroup: attributeValue.optional(),
      plan: attributeValue.optional(),
    })
    .catchall(attributeValue)
    .optional(),
});

export const assignmentSchema = z.object({
  experimentKey: z.string(),
  variantKey: z.string().nullable(),
  modelVersion: z.string().nullable(),
  inExperiment: z.boolean(),
  hashValue: z.number().nullable(),
  reason: z.enum(["assigned", "not_targeted", "not_in_namespace", "not_in_coverage", "in_other_experiment"]),
});

export const assign = endpoint({
  method: "POST",
  path: "/api/v1/assign",
  summary: "Which model version a user gets; records the user's exposures before answering",
  tag: "Ingestion",
  permission: "ingest",
  body: assignRequestSchema,
  response: z.object({ modelVersion: z.string().nullable(), assignments: z.array(assignmentSchema) }),
  otherStatuses: { 503: logUnavailable },
});

export const config = endpoint({
  method: "GET",
  path: "/api/v1/config",
  summary: "Running experiments and the production version, for local assignment by the SDK",
  tag: "Ingestion",
  permission: "ingest",
  response: assignmentConfigSchema.extend({ experiments: z.array(experimentConfigSchema), generatedAt: z.string() }),
});

export const events = endpoint({
  method: "POST",
  path: "/api/v1/events",
  summary: "Ingest up to 5,000 events (5 MB); answered after they are stored",
  description:
    "Each event is validated on its own. 200: all stored (or duplicates of stored ones). 207: some rejected, the rest stored; " +
    "`rejected` names each bad event by index and field. 400: none valid. eventId is the idempotency key: retries are counted in " +
    "`duplicates` and never stored twice.",
  tag: "Ingestion",
  permission: "ingest",
  body: eventsRequestSchema,
  documentedBody: eventsRequestDocSchema,
  // Parsed by lib/events (prepare.ts), in a worker thread when large.
  rawBody: true,
  maxBodyBytes: MAX_EVENTS_BODY_BYTES,
  response: eventsResponseSchema,
  otherStatuses: {
    207: { description: "Some events were rejected; the others were stored", schema: eventsResponseSchema },
    400: {
      description: "Every event was rejected: the error format plus the per-event list",
      schema: errorSchema.extend(eventsResponseSchema.shape),
    },
    503: logUnavailable,
  },
});
