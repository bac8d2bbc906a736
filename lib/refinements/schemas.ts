import { z } from "zod";

// Request and answer shapes of refinement samples, labels and opt-outs (the public API, extended
// compatibly), used by the route contracts, the OpenAPI document, the service and the dashboard.

export const OUTCOMES = ["kept", "unchanged", "noise", "duplicate", "secret", "syntax_error", "opted_out"] as const;
export const LABELS = ["good", "bad", "needs_review"] as const;
export const SORTS = ["recent", "most_edited", "typical"] as const;

export const outcomeSchema = z.enum(OUTCOMES);
export const labelSchema = z.enum(LABELS);

const isoDate = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO-8601 date or date-time")
  .transform((v) => new Date(v));
const text = (max: number) => z.string().trim().min(1).max(max);
const ratio = z.coerce.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1");

/** The filter of the browser, of GET /api/v1/refinements and of a dataset. */
export const sampleFilterSchema = z.strictObject({
  experimentKey: text(100).optional(),
  variantKey: text(100).optional(),
  modelVersion: text(100).optional(),
  language: text(50).optional(),
  outcome: outcomeSchema.optional(),
  label: z.enum([...LABELS, "unlabeled"]).optional(),
  q: text(200).optional(),
  minEditRatio: ratio.optional(),
  maxEditRatio: ratio.optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});

export const listSamplesQuerySchema = sampleFilterSchema
  .extend({
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    sort: z.enum(SORTS).default("recent"),
  })
  .refine((f) => f.minEditRatio === undefined || f.maxEditRatio === undefined || f.minEditRatio <= f.maxEditRatio, {
    message: "must not exceed maxEditRatio",
    path: ["minEditRatio"],
  });

export type SampleFilter = z.output<typeof sampleFilterSchema>;
export type ListSamplesQuery = z.output<typeof listSamplesQuerySchema>;

const labelFields = {
  label: labelSchema.nullable(),
  labelNote: z.string().nullable(),
  labeledBy: z.string().nullable(),
  labeledAt: z.string().nullable(),
};

export const sampleSummarySchema = z.object({
  suggestionId: z.string(),
  modelVersion: z.string(),
  experimentKey: z.string(),
  variantKey: z.string(),
  language: z.string(),
  proposal: z.string(),
  final: z.string(),
  target: z.string(),
  editDistance: z.number().int(),
  editRatio: z.number(),
  outcome: outcomeSchema,
  reasons: z.array(z.string()),
  refinedAt: z.string(),
  ...labelFields,
});

export const sampleSchema = sampleSummarySchema.extend({
  userId: z.string(),
  ide: z.string(),
  userGroup: z.string(),
  prefix: z.string(),
  suffix: z.string(),
  diff: z.string(),
  linesAdded: z.number().int(),
  linesRemoved: z.number().int(),
  retainedChars: z.number().int(),
  syntax: z.string(),
  windowSeconds: z.number().int(),
  acceptedAt: z.string(),
});

export const sampleListSchema = z.object({ items: z.array(sampleSummarySchema), nextCursor: z.string().nullable() });

export const labelRequestSchema = z.strictObject({ label: labelSchema, note: z.string().trim().max(2000).optional() });
export const optOutRequestSchema = z.strictObject({ userId: text(256) });

export type SampleSummary = z.output<typeof sampleSummarySchema>;
export type Sample = z.output<typeof sampleSchema>;
