import { z } from "zod";
import { targetingSchema } from "../assignment/schema";
import { keySchema } from "../keys";
import { DEFAULT_GUARDRAILS } from "../metrics/registry";
import { metricKeySchema } from "../metrics/schema";

// Request and answer shapes of experiments (the public API), used by the route
// contracts, the OpenAPI document, the services and the dashboard's types.

export const experimentStatusSchema = z.enum(["draft", "running", "stopped"]);

const targetEffectSchema = z.number().gt(0, "must be above 0").max(10, "must be at most 10 (1000%)");

const unit = z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1");

export const variantInputSchema = z.strictObject({
  key: keySchema,
  modelVersion: keySchema,
  weight: z.number().min(0, "must be at least 0").max(1, "must be at most 1"),
});

export const namespaceInputSchema = z
  .strictObject({ name: keySchema, start: unit, end: unit })
  .refine((n) => n.start < n.end, { message: "start must be below end", path: ["end"] });

// A user attribute name. `__proto__` and its kin would vanish in a plain object (and the rule with
// them, targeting everyone): refused by name here, and a body naming `__proto__` is refused whole by
// the route wrapper (a record never sees that key).
const attributeName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, "must be an attribute name: a letter, then letters, digits, '_', '.' or '-' (at most 64)")
  .refine((name) => !["__proto__", "constructor", "prototype"].includes(name), "is not an attribute name");

export const targetingInputSchema = z.record(attributeName, targetingSchema.valueType);

function checkVariants(variants: { key: string; weight: number }[], ctx: z.RefinementCtx) {
  const seen = new Set<string>();
  variants.forEach((variant, index) => {
    if (seen.has(variant.key))
      ctx.addIssue({ code: "custom", path: ["variants", index, "key"], message: `duplicate variant key '${variant.key}'` });
    seen.add(variant.key);
  });
  const sum = variants.reduce((s, v) => s + v.weight, 0);
  if (Math.abs(sum - 1) > 0.01)
    ctx.addIssue({ code: "custom", path: ["variants"], message: `weights must sum to 1 (±0.01); they sum to ${Number(sum.toFixed(4))}` });
}

export const createExperimentSchema = z
  .strictObject({
    key: keySchema,
    name: z.string().trim().min(1, "must not be empty").max(200),
    hypothesis: z.string().trim().max(5000).optional(),
    variants: z.array(variantInputSchema).min(2, "needs at least two variants (the first is the control)").max(10),
    coverage: unit.default(1),
    seed: z.string().trim().min(1).max(200).optional(),
    hashVersion: z.union([z.literal(1), z.literal(2)]).default(2),
    namespace: namespaceInputSchema.optional(),
    targeting: targetingInputSchema.optional(),
    primaryMetric: metricKeySchema.default("acceptance_rate"),
    guardrailMetrics: z
      .array(metricKeySchema)
      .max(10)
      .default([...DEFAULT_GUARDRAILS]),
    /** Relative lift the experiment should detect with 80% power (0.02 = 2%); default 2%. */
    targetEffect: targetEffectSchema.optional(),
  })
  .superRefine((input, ctx) => checkVariants(input.variants, ctx));

export const updateExperimentSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    hypothesis: z.string().trim().max(5000).nullable().optional(),
    variants: z.array(variantInputSchema).min(2).max(10).optional(),
    coverage: unit.optional(),
    seed: z.string().trim().min(1).max(200).optional(),
    namespace: namespaceInputSchema.nullable().optional(),
    targeting: targetingInputSchema.nullable().optional(),
    primaryMetric: metricKeySchema.optional(),
    guardrailMetrics: z.array(metricKeySchema).max(10).optional(),
    /** null returns to the default 2%. */
    targetEffect: targetEffectSchema.nullable().optional(),
    /** Required to change allocation of a running experiment: users are reshuffled under a new seed. */
    newPhase: z.boolean().optional(),
    reason: z.string().trim().max(1000).optional(),
  })
  .superRefine((input, ctx) => input.variants && checkVariants(input.variants, ctx));

export const experimentSchema = z.object({
  key: z.string(),
  name: z.string(),
  hypothesis: z.string().nullable(),
  status: experimentStatusSchema,
  coverage: z.number(),
  seed: z.string(),
  hashVersion: z.union([z.literal(1), z.literal(2)]),
  phase: z.number().int(),
  variants: z.array(z.object({ key: z.string(), modelVersion: z.string(), weight: z.number() })),
  namespace: z.object({ name: z.string(), start: z.number(), end: z.number() }).nullable(),
  targeting: targetingSchema.nullable(),
  primaryMetric: metricKeySchema,
  guardrailMetrics: z.array(metricKeySchema),
  /** Relative lift the experiment is sized for (the default 2% unless set). */
  targetEffect: z.number(),
  startedAt: z.string().nullable(),
  stoppedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const stopReasonSchema = z.strictObject({ reason: z.string().trim().max(1000).optional() });

export type CreateExperiment = z.infer<typeof createExperimentSchema>;
export type UpdateExperiment = z.infer<typeof updateExperimentSchema>;
export type ExperimentView = z.infer<typeof experimentSchema>;
