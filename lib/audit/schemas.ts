import { z } from "zod";

// Request and answer shapes of the audit log (GET /api/v1/audit), shared by the contract, the service and the page.

const isoDate = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO-8601 date or date-time")
  .transform((v) => new Date(v));
// PostgreSQL text cannot hold NUL: a filter with one could match nothing anyway, so it is refused as invalid.
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((v) => !v.includes("\0"), "must not contain NUL characters");

export const auditFilterSchema = z.strictObject({
  actor: text(320).optional().describe("Who acted: part of an email or an API key id (case-insensitive)"),
  action: text(100)
    .optional()
    .describe("An action (experiment.start), or a family without the dot (experiment: every experiment.* action)"),
  target: text(300).optional().describe("What was acted on (experiment:checkout-v2), or a kind (experiment: every experiment)"),
  from: isoDate.optional().describe("From this instant, inclusive"),
  to: isoDate.optional().describe("Before this instant, exclusive"),
});

export const auditQuerySchema = auditFilterSchema
  .extend({
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    format: z.enum(["json", "csv"]).default("json").describe("csv: every matching row (no paging) as a CSV download"),
  })
  .refine((f) => !f.from || !f.to || f.from < f.to, { message: "must be before to", path: ["from"] });

export type AuditFilter = z.output<typeof auditFilterSchema>;
export type AuditQuery = z.output<typeof auditQuerySchema>;

export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  reason: z.string().nullable(),
});

export const auditPageSchema = z.object({ items: z.array(auditEntrySchema), nextCursor: z.string().nullable() });

export type AuditEntry = z.output<typeof auditEntrySchema>;
export type AuditPage = z.output<typeof auditPageSchema>;
