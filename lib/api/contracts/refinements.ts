import { z } from "zod";
import {
  labelRequestSchema,
  listSamplesQuerySchema,
  optOutRequestSchema,
  OUTCOMES,
  sampleFilterSchema,
  sampleListSchema,
  sampleSchema,
} from "../../refinements/schemas";
import { endpoint } from "../endpoint";

const suggestionParams = z.strictObject({ suggestionId: z.string().trim().min(1).max(256) });

export const listRefinements = endpoint({
  method: "GET",
  path: "/api/v1/refinements",
  summary: "Refinement samples (model proposal → the code the user kept), filtered, newest first or by edit ratio; keyset pages",
  tag: "Refinements",
  permission: "read",
  query: listSamplesQuerySchema,
  response: sampleListSchema,
});

export const refinementOutcomes = endpoint({
  method: "GET",
  path: "/api/v1/refinements/outcomes",
  summary: "How many samples a filter selects, per pipeline outcome",
  tag: "Refinements",
  permission: "read",
  query: sampleFilterSchema,
  response: z.object({ total: z.number().int(), outcomes: z.array(z.object({ outcome: z.enum(OUTCOMES), count: z.number().int() })) }),
});

export const getRefinement = endpoint({
  method: "GET",
  path: "/api/v1/refinements/{suggestionId}",
  summary: "One sample with its context, unified diff, measures, outcome and label (who and when)",
  tag: "Refinements",
  permission: "read",
  params: suggestionParams,
  response: sampleSchema,
});

export const labelRefinement = endpoint({
  method: "POST",
  path: "/api/v1/refinements/{suggestionId}/label",
  summary: "Label a sample good, bad or needs_review, with an optional note (audited)",
  tag: "Refinements",
  permission: "refinements:label",
  params: suggestionParams,
  body: labelRequestSchema,
  response: sampleSchema,
});

export const optOut = endpoint({
  method: "POST",
  path: "/api/v1/opt-outs",
  summary: "Stop keeping a user's code: no more samples, stored samples and code fields deleted, metrics kept",
  tag: "Refinements",
  permission: "ingest",
  body: optOutRequestSchema,
  response: z.object({ userId: z.string(), optedOut: z.literal(true) }),
});
