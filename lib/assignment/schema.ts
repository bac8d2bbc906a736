/**
 * Runtime validation of assignment configs that cross a trust boundary (the SDK reading
 * `GET /api/v1/config`, the server reading stored experiments). Pure: parses values only.
 * Deliberately lenient where GrowthBook is (coverage is clamped, bad weights fall back to an
 * equal split at assignment time) and strict where a bad value would crash assignment.
 */
import { z } from "zod";

const unitInterval = z.number().min(0).max(1);

export const targetingSchema = z.record(
  z.string(),
  z.object({ in: z.array(z.string()).optional(), notIn: z.array(z.string()).optional() }),
);

export const variantSchema = z.object({
  key: z.string().min(1),
  modelVersion: z.string().min(1),
  weight: z.number().min(0),
});

export const namespaceSchema = z
  .object({ name: z.string().min(1), start: unitInterval, end: unitInterval })
  .refine((namespace) => namespace.start <= namespace.end, { message: "namespace start must not exceed end" });

export const experimentConfigSchema = z.object({
  key: z.string().min(1),
  seed: z.string(),
  hashVersion: z.union([z.literal(1), z.literal(2)]),
  coverage: z.number(),
  phase: z.number().int(),
  variants: z.array(variantSchema).min(1),
  namespace: namespaceSchema.nullable(),
  targeting: targetingSchema.nullable(),
});

export const rolloutConfigSchema = z.object({ modelVersion: z.string().min(1), seed: z.string(), share: unitInterval });

export const assignmentConfigSchema = z.object({
  productionVersion: z.string().nullable(),
  experiments: z.array(experimentConfigSchema),
  rollout: rolloutConfigSchema.nullable().optional(),
});
