import { z } from "zod";
import { experimentStatusSchema } from "../experiments/schemas";
import { keySchema } from "../keys";

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
