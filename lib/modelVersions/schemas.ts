import { z } from "zod";
import { experimentStatusSchema } from "../experiments/schemas";
import { keySchema } from "../keys";
import { isoDateParam } from "../results/schema";

// Request and answer shapes of model versions (the public API: extended compatibly, never renamed), used by the route contracts, the
// OpenAPI document, the service and the dashboard's types.

export const modelVersionStatusSchema = z.enum(["draft", "candidate", "production", "retired"]);

export const createModelVersionSchema = z.strictObject({
  key: keySchema,
  name: z.string().trim().min(1, "must not be empty").max(200),
  baseModel: z.string().trim().max(200).optional(),
  trainedOnDatasetId: z.string().trim().max(100).optional(),
  status: z.enum(["draft", "candidate"]).optional(),
});

export const updateModelVersionSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  baseModel: z.string().trim().max(200).nullable().optional(),
  status: modelVersionStatusSchema.optional(),
  reason: z.string().trim().max(1000).optional(),
  trainedOnDatasetId: z.string().trim().max(100).nullable().optional(),
});

export const modelVersionSchema = z.object({
  key: z.string(),
  name: z.string(),
  baseModel: z.string().nullable(),
  trainedOnDatasetId: z.string().nullable(),
  status: modelVersionStatusSchema,
  lineage: z.object({ baseModel: z.string().nullable(), trainedOnDatasetId: z.string().nullable() }),
  experiments: z.array(z.object({ key: z.string(), status: experimentStatusSchema, variantKey: z.string() })),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export type CreateModelVersion = z.infer<typeof createModelVersionSchema>;
export type UpdateModelVersion = z.infer<typeof updateModelVersionSchema>;
export type ModelVersionView = z.infer<typeof modelVersionSchema>;

// ---------------------------------------------------------------- trends over all traffic

const cohortValue = z.string().trim().min(1).max(100);

export const trendsQuerySchema = z.strictObject({
  from: isoDateParam.optional(),
  to: isoDateParam.optional(),
  language: cohortValue.optional().describe("Only events of this language (as in results' segments)"),
  ide: cohortValue.optional().describe("Only events from this IDE"),
  userGroup: cohortValue.optional().describe("Only events of this user group"),
});

const interval = z.tuple([z.number(), z.number()]).nullable();

const trendValues = {
  users: z.number().int().describe("Distinct users with any completion event"),
  shown: z.number(),
  accepted: z.number(),
  acceptanceRate: z.number().nullable(),
  acceptanceRateCi: interval.describe("95% delta-method interval over users (null with fewer than 2 users or nothing shown)"),
  aiChars: z.number(),
  humanChars: z.number(),
  generationRate: z.number().nullable(),
  generationRateCi: interval.describe("95% delta-method interval over users (null with fewer than 2 users or no characters)"),
};

export const trendsSchema = z.object({
  from: z.string(),
  to: z.string(),
  filter: z.object({ language: z.string().nullable(), ide: z.string().nullable(), userGroup: z.string().nullable() }),
  items: z.array(z.object({ date: z.string(), modelVersion: z.string(), ...trendValues })),
  versions: z
    .array(
      z.object({
        modelVersion: z.string(),
        name: z.string().nullable().describe("null for a version seen in events but never registered"),
        status: modelVersionStatusSchema.nullable(),
        hasTraffic: z.boolean().describe("false for a registered version without events in the range (and cohort)"),
        ...trendValues,
      }),
    )
    .describe("Every registered version and every version seen in events, with its totals over the range"),
  segmentValues: z
    .object({ language: z.array(z.string()), ide: z.array(z.string()), userGroup: z.array(z.string()) })
    .describe("The cohorts seen in the range, whatever the filter"),
});

export type TrendsQuery = z.output<typeof trendsQuerySchema>;
export type Trends = z.infer<typeof trendsSchema>;
export type TrendValues = Omit<Trends["items"][number], "date" | "modelVersion">;
