import { z } from "zod";
import { modelVersionSchema } from "../modelVersions/schemas";

// Request and answer shapes of release management (ship, promotions, rollback, the production
// timeline): the public API, used by the route contracts, the OpenAPI document, the service and the
// dashboard's types.

const reasonSchema = z.string().trim().min(1, "must not be empty").max(1000);

export const rampStepSchema = z.strictObject({
  percent: z.number().gt(0, "must be above 0").max(100, "must be at most 100"),
  minHours: z
    .number()
    .min(0, "must not be negative")
    .max(24 * 90, "must be at most 90 days"),
});

export const rampStepsSchema = z
  .array(rampStepSchema)
  .min(1, "needs at least one step")
  .max(10, "at most 10 steps")
  .superRefine((steps, context) => {
    for (let i = 1; i < steps.length; i++) {
      if (!(steps[i].percent > steps[i - 1].percent)) {
        context.addIssue({ code: "custom", path: [i, "percent"], message: "must be above the previous step's percent" });
      }
    }
    if (steps.length && steps[steps.length - 1].percent !== 100) {
      context.addIssue({ code: "custom", path: [steps.length - 1, "percent"], message: "the last step must be 100" });
    }
  });

export const startPromotionSchema = z.strictObject({ steps: rampStepsSchema.optional(), reason: reasonSchema.optional() });

export const promotionActionSchema = z.strictObject({ reason: reasonSchema });
export const pauseSchema = z.strictObject({ reason: reasonSchema.optional() });

export const shipSchema = z.strictObject({
  variantKey: z.string().trim().min(1, "must not be empty").max(100),
  reason: reasonSchema,
  override: z.strictObject({ reason: reasonSchema }).optional(),
  steps: rampStepsSchema.optional(),
});

export const rollbackSchema = z.strictObject({ reason: reasonSchema });

export const checkNameSchema = z.enum(["acceptance_rate", "latency_p95", "show_rate", "srm"]);
export const checkStatusSchema = z.enum(["pass", "fail", "insufficient", "skipped"]);

export const guardrailCheckSchema = z.object({
  check: checkNameSchema,
  status: checkStatusSchema,
  /** One line with the numbers, e.g. "acceptance 31.2% vs 30.8% (−0.4 pp, lower bound −1.6 pp < −1 pp)". */
  summary: z.string(),
  baseline: z.number().nullable(),
  candidate: z.number().nullable(),
  /** candidate − baseline (absolute; for SRM the candidate's observed share of users). */
  difference: z.number().nullable(),
  /** Acceptance: the one-sided lower bound of the difference; latency/show rate: null. */
  lowerBound: z.number().nullable(),
  pValue: z.number().nullable(),
  /** The margin (acceptance), α (latency, show rate) or SRM threshold the check used. */
  threshold: z.number(),
});

export const stepEvaluationSchema = z.object({
  at: z.string(),
  step: z.number().int(),
  percent: z.number(),
  from: z.string(),
  users: z.object({ baseline: z.number().int(), candidate: z.number().int() }),
  verdict: z.enum(["pass", "fail", "insufficient"]),
  checks: z.array(guardrailCheckSchema),
});

export const shipEvidenceSchema = z.object({
  experimentKey: z.string(),
  variantKey: z.string(),
  modelVersion: z.string(),
  metric: z.string(),
  metricLabel: z.string(),
  unit: z.enum(["rate", "count", "ms"]),
  control: z.object({ key: z.string(), rate: z.number().nullable(), users: z.number().int() }),
  treatment: z.object({ rate: z.number().nullable(), users: z.number().int() }),
  lift: z
    .object({
      absolute: z.number(),
      relative: z.number(),
      ciAbsolute: z.tuple([z.number(), z.number()]),
      ciRelative: z.tuple([z.number(), z.number()]),
    })
    .nullable(),
  pValue: z.number().nullable(),
  significant: z.boolean().nullable(),
  guardrails: z.array(
    z.object({
      metric: z.string(),
      worse: z.boolean(),
      pValue: z.number().nullable(),
      relativeChange: z.number().nullable(),
      note: z.string().nullable(),
    }),
  ),
  srm: z.object({ pValue: z.number(), mismatch: z.boolean() }),
  /** What needs an override: each failing guardrail and SRM, in words. */
  problems: z.array(z.string()),
  computedAt: z.string(),
});

export const promotionStatusSchema = z.enum(["running", "paused", "completed", "rolled_back"]);

export const promotionSchema = z.object({
  id: z.string(),
  modelVersion: z.string(),
  baselineVersion: z.string().nullable(),
  status: promotionStatusSchema,
  steps: z.array(z.object({ percent: z.number(), minHours: z.number() })),
  currentStep: z.number().int(),
  currentPercent: z.number(),
  stepStartedAt: z.string(),
  /** When the current step's minimum duration ends (null once the ramp ended). */
  stepDueAt: z.string().nullable(),
  seed: z.string(),
  reason: z.string().nullable(),
  experimentKey: z.string().nullable(),
  variantKey: z.string().nullable(),
  evidence: shipEvidenceSchema.extend({ override: z.object({ reason: z.string() }).nullable() }).nullable(),
  checks: stepEvaluationSchema.nullable(),
  pausedReason: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  endedAt: z.string().nullable(),
});

export const productionChangeSchema = z.object({
  id: z.string(),
  at: z.string(),
  /** When the next change replaced it (null: serving now). */
  until: z.string().nullable(),
  modelVersion: z.string(),
  previousVersion: z.string().nullable(),
  /** ramp_stopped: a rollback that ended a ramp before 100%; production stayed the same version. */
  kind: z.enum(["promotion", "rollback", "ramp_stopped", "manual"]),
  promotionId: z.string().nullable(),
  reason: z.string().nullable(),
  actor: z.string(),
});

export const rollbackResultSchema = modelVersionSchema.extend({
  rollback: z.object({ from: z.string(), promotionId: z.string().nullable(), kind: z.enum(["ramp_stopped", "previous_version"]) }),
});

export type RampStep = z.infer<typeof rampStepSchema>;
export type StartPromotion = z.infer<typeof startPromotionSchema>;
export type Ship = z.infer<typeof shipSchema>;
export type GuardrailCheck = z.infer<typeof guardrailCheckSchema>;
export type StepEvaluation = z.infer<typeof stepEvaluationSchema>;
export type ShipEvidence = z.infer<typeof shipEvidenceSchema>;
export type PromotionView = z.infer<typeof promotionSchema>;
export type ProductionChangeView = z.infer<typeof productionChangeSchema>;
export type RollbackResult = z.infer<typeof rollbackResultSchema>;
