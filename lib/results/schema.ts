import { z } from "zod";
import { metricKeySchema } from "../metrics/schema";

// GET /api/v1/experiments/{key}/results: query and answer (the public API, extended compatibly).

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
// A date (UTC midnight) or a date-time with a zone: without one, a date-time would be read in the
// server's time zone. Years 1970–2299: what ClickHouse's DateTime64 holds.
const ISO_DATE_OR_DATE_TIME = /^(19[7-9]\d|2[0-2]\d\d)-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/** An ISO-8601 date or date-time (with a zone) query parameter, as a Date. */
export const isoDateParam = z
  .string()
  .refine(
    (v) => ISO_DATE_OR_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)),
    "must be an ISO-8601 date (2026-11-24) or date-time with a zone (2026-11-24T10:00:00Z), in the years 1970–2299",
  )
  .transform((v) => new Date(v));

export const resultsQuerySchema = z.strictObject({
  metric: metricKeySchema.default("acceptance_rate"),
  method: z.enum(["frequentist", "sequential", "bayesian"]).default("frequentist"),
  segment: z.enum(["language", "ide", "userGroup"]).optional(),
  cuped: bool.default(false),
  from: isoDateParam.optional(),
  to: isoDateParam.optional(),
  alpha: z.coerce.number().gt(0).lt(0.5).default(0.05),
  correction: z.enum(["none", "holm", "benjamini_hochberg"]).default("none"),
  lookbackDays: z.coerce.number().int().min(1).max(90).default(14),
  /** Proper normal prior on relative lift for the Bayesian view, as its standard deviation (e.g. 0.3). */
  priorSd: z.coerce.number().positive().max(10).optional(),
});

export type ResultsQuery = z.output<typeof resultsQuerySchema>;

const interval = z.tuple([z.number(), z.number()]);
const nullableInterval = interval.nullable();

export const liftSchema = z.object({
  absolute: z.number(),
  relative: z.number(),
  ciAbsolute: interval,
  ciRelative: interval,
  /**
   * Two-sided p-value of the absolute change, the one consistent with ciAbsolute (the variant's
   * `pValue` tests the relative lift, consistent with ciRelative); null for the Bayesian method.
   */
  pValueAbsolute: z.number().nullable().optional(),
});

export const variantResultSchema = z.object({
  key: z.string(),
  modelVersion: z.string(),
  users: z.number().int(),
  numerator: z.number(),
  denominator: z.number(),
  rate: z.number().nullable(),
  ci: nullableInterval,
  lift: liftSchema.nullable(),
  pValue: z.number().nullable(),
  adjustedPValue: z.number().nullable(),
  chanceToWin: z.number().nullable(),
  expectedLoss: z.object({ treatment: z.number(), control: z.number() }).nullable(),
  significant: z.boolean().nullable(),
  cupedVarianceReduction: z.number().nullable(),
  note: z.string().nullable(),
  /** With CUPED, `rate` and `ci` are the regression-adjusted value (centred on the control's pre-exposure value); this is the raw value. */
  unadjustedRate: z.number().nullable().optional(),
});

export const heterogeneitySchema = z.object({
  variant: z.string(),
  cohorts: z.number().int(),
  pooledRelative: z.number(),
  q: z.number(),
  df: z.number().int(),
  pValue: z.number(),
  iSquared: z.number(),
});

export const resultsSchema = z.object({
  experimentKey: z.string(),
  phase: z.number().int(),
  metric: z.string(),
  metricLabel: z.string(),
  metricFormula: z.string(),
  unit: z.enum(["rate", "count", "ms"]),
  higherIsBetter: z.boolean(),
  method: z.enum(["frequentist", "sequential", "bayesian"]),
  alpha: z.number(),
  correction: z.enum(["none", "holm", "benjamini_hochberg"]),
  cuped: z.boolean(),
  from: z.string(),
  to: z.string(),
  srm: z.object({
    pValue: z.number(),
    mismatch: z.boolean(),
    chiSquare: z.number(),
    expected: z.array(z.number()),
    observed: z.array(z.number()),
  }),
  health: z.object({
    exposedUsers: z.number().int(),
    multipleExposures: z.number().int(),
    exposuresPerDay: z.array(z.object({ date: z.string(), variant: z.string(), newUsers: z.number().int() })),
  }),
  variants: z.array(variantResultSchema),
  guardrails: z.array(
    z.object({
      metric: z.string(),
      variant: z.string(),
      pValue: z.number().nullable(),
      adjustedPValue: z.number().nullable(),
      worse: z.boolean(),
      relativeChange: z.number().nullable(),
      note: z.string().nullable(),
    }),
  ),
  series: z.array(
    z.object({
      date: z.string(),
      variant: z.string(),
      rate: z.number().nullable(),
      cumulativeLift: z.number().nullable(),
      ciRelative: nullableInterval,
    }),
  ),
  segments: z
    .array(
      z.object({
        segment: z.string(),
        value: z.string(),
        variants: z.array(
          z.object({
            key: z.string(),
            users: z.number().int(),
            rate: z.number().nullable(),
            /** The variant's value interval in this cohort. */
            ci: nullableInterval.optional(),
            lift: liftSchema.nullable(),
            pValue: z.number().nullable(),
            /** pValue Holm-adjusted across the cohorts of the segment (per treatment). */
            adjustedPValue: z.number().nullable().optional(),
            chanceToWin: z.number().nullable(),
            note: z.string().nullable().optional(),
          }),
        ),
      }),
    )
    .optional(),
  /** With a segment: per treatment, whether the relative lift differs across cohorts (Cochran's Q, I²); null below two usable cohorts. */
  heterogeneity: z.array(heterogeneitySchema).optional(),
  /** With a segment and no rows, or a metric segments do not cover: why the table is empty. */
  segmentsNote: z.string().nullable().optional(),
});

export type ExperimentResults = z.output<typeof resultsSchema>;

// GET /api/v1/experiments/{key}/scorecard: every metric at once.

export const scorecardQuerySchema = resultsQuerySchema.omit({ metric: true }).extend({
  format: z.enum(["json", "csv"]).default("json"),
  /** Compute again now instead of answering with the same query's computation of the last 30 seconds. */
  refresh: bool.default(false),
});

export type ScorecardQuery = z.output<typeof scorecardQuerySchema>;

const guardrailRowSchema = resultsSchema.shape.guardrails.element;

export const scorecardMetricSchema = z.object({
  metric: metricKeySchema,
  role: z.enum(["primary", "secondary", "guardrail"]),
  label: z.string(),
  formula: z.string(),
  unit: z.enum(["rate", "count", "ms"]),
  higherIsBetter: z.boolean(),
  /** As in /results for this metric: value and interval, absolute and relative change each with interval and p-value. */
  variants: z.array(variantResultSchema),
  /** For a guarded metric: per treatment the one-sided test for harm (a different test from the two-sided p-value). */
  guardrail: z.array(guardrailRowSchema).optional(),
  /** Minimum detectable relative effect at the current sample (two-sided alpha, 80% power); null without an estimate. */
  mde: z.number().nullable().optional(),
  /** Exposed users of all variants in the window. */
  usersSoFar: z.number().int().optional(),
  /** Users (all variants, current split) for 80% power at the experiment's target effect. */
  usersNeeded: z.number().nullable().optional(),
  /** Days until usersNeeded at the current traffic: 0 once reached; null when stopped, without traffic or without an estimate. */
  daysRemaining: z.number().nullable().optional(),
  segments: resultsSchema.shape.segments,
  heterogeneity: resultsSchema.shape.heterogeneity,
  segmentsNote: resultsSchema.shape.segmentsNote,
});

export const scorecardSchema = z.object({
  experimentKey: z.string(),
  phase: z.number().int(),
  status: z.enum(["draft", "running", "stopped"]),
  primaryMetric: metricKeySchema,
  // When it was computed. A running experiment's kept default view is computed again only once new
  // events may change it, so an old time with no new events is still the current answer.
  computedAt: z.string(),
  method: resultsSchema.shape.method,
  alpha: z.number(),
  correction: resultsSchema.shape.correction,
  cuped: z.boolean(),
  from: z.string(),
  to: z.string(),
  /** Relative lift the experiment is sized for. */
  targetEffect: z.number(),
  power: z.number(),
  srm: resultsSchema.shape.srm,
  health: resultsSchema.shape.health,
  metrics: z.array(scorecardMetricSchema),
});

export type Scorecard = z.output<typeof scorecardSchema>;
