// The metric registry: every metric Echo computes is one entry here, and everything else derives from
// it: the zod enums of the API, the dashboard's labels and lists, the SQL columns of the results
// queries, the experiment rollup and the model-version trends (lib/metrics/sql.ts), and the
// statistics' per-user numerator and denominator (lib/metrics/values.ts). Pure data: safe to import
// from the browser.
//
// Two levels of sums, as GrowthBook's fact metrics separate facts from metrics:
//   SUGGESTION_FACTS  helper columns computed per suggestion (one user's events with one suggestionId
//                     on one UTC day), used by the sums;
//   SUMS              one number per suggestion, summed per user and day, stored in the rollup.
// A metric is a ratio of per-user sums (numerator / denominator, or a per-user mean), or a quantile of
// the latencies of shown suggestions. Adding a ratio metric over existing sums is one METRICS entry;
// a new sum is one SUMS entry plus a migration adding its rollup column (see migration 0004).

/**
 * The only event types SUGGESTION_FACTS read. Every other event's part of every sum adds up event by
 * event (countIf, sumIf), which lets the sums' SQL group only these events by suggestion (lib/metrics/sql.ts).
 */
export const SUGGESTION_EVENT_TYPES = ["accepted", "refined"] as const;

/** Per-suggestion helper columns: SQL over the suggestion's events `e` of SUGGESTION_EVENT_TYPES. */
export const SUGGESTION_FACTS = {
  was_accepted: "countIf(e.type = 'accepted') > 0",
  was_refined: "countIf(e.type = 'refined' AND e.retained_chars IS NOT NULL) > 0",
  refined_retained: "maxIf(assumeNotNull(e.retained_chars), e.type = 'refined' AND e.retained_chars IS NOT NULL)",
  suggestion_accepted_chars: "maxIf(e.accepted_chars, e.type = 'accepted')",
} as const;

export interface SumDefinition {
  /** What one unit of the sum is, for documentation. */
  description: string;
  /** SQL of the per-suggestion value over the suggestion's events `e` and SUGGESTION_FACTS. */
  perSuggestion: string;
}

/** The per-suggestion sums, in the order of the rollup's columns and of every per-user sums array. */
export const SUMS = {
  requested: { description: "completion requests", perSuggestion: "countIf(e.type = 'requested')" },
  shown: { description: "suggestions shown", perSuggestion: "countIf(e.type = 'shown')" },
  accepted: { description: "suggestions accepted", perSuggestion: "countIf(e.type = 'accepted')" },
  ai_chars: {
    description: "AI-written characters kept: the refined event's retained characters once one exists, else the accepted characters",
    perSuggestion: "if(was_accepted, if(was_refined, refined_retained, suggestion_accepted_chars), 0)",
  },
  human_chars: { description: "characters the user typed (typed events)", perSuggestion: "sumIf(e.human_chars, e.type = 'typed')" },
  retained_chars: {
    description: "characters retained, over accepted suggestions with a refined event",
    perSuggestion: "if(was_accepted AND was_refined, refined_retained, 0)",
  },
  refined_accepted_chars: {
    description: "characters accepted, over accepted suggestions with a refined event",
    perSuggestion: "if(was_accepted AND was_refined, suggestion_accepted_chars, 0)",
  },
  shown_completion_chars: {
    description: "characters of the completions shown",
    perSuggestion: "sumIf(e.completion_chars, e.type = 'shown')",
  },
  accepted_completion_chars: {
    description: "characters accepted, over accepted suggestions",
    perSuggestion: "if(was_accepted, suggestion_accepted_chars, 0)",
  },
} as const satisfies Record<string, SumDefinition>;

export type SumKey = keyof typeof SUMS;
export const SUM_KEYS = Object.keys(SUMS) as SumKey[];

interface BaseMetric {
  label: string;
  /** The formula in words, as the API and the dashboard show it. */
  formula: string;
  /** Shown as a percentage (a rate) or as a plain number (per-user counts, milliseconds). */
  unit: "rate" | "count" | "ms";
  higherIsBetter: boolean;
  /** A guardrail of new experiments unless the creator lists others. */
  defaultGuardrail: boolean;
}

export interface RatioMetric extends BaseMetric {
  kind: "ratio";
  /** Per user: the sum of these sums … */
  numerator: readonly SumKey[];
  /** … over the sum of these, or 1 per exposed user for a per-user mean. */
  denominator: readonly SumKey[] | "per_user";
}

export interface QuantileMetric extends BaseMetric {
  kind: "quantile";
  /** The quantile of the latencies of shown suggestions after exposure. */
  p: number;
}

export type MetricDefinition = RatioMetric | QuantileMetric;

/** Every metric, in the order the dashboard lists them. */
export const METRICS = {
  acceptance_rate: {
    kind: "ratio",
    label: "Acceptance rate",
    formula: "accepted suggestions / shown suggestions",
    numerator: ["accepted"],
    denominator: ["shown"],
    unit: "rate",
    higherIsBetter: true,
    defaultGuardrail: false,
  },
  generation_rate: {
    kind: "ratio",
    label: "Generation rate",
    formula: "AI characters kept / (AI characters kept + human-typed characters); kept = retainedChars once refined, else acceptedChars",
    numerator: ["ai_chars"],
    denominator: ["ai_chars", "human_chars"],
    unit: "rate",
    higherIsBetter: true,
    defaultGuardrail: false,
  },
  char_acceptance_rate: {
    kind: "ratio",
    label: "Character acceptance rate",
    formula: "accepted characters / characters of the completions shown",
    numerator: ["accepted_completion_chars"],
    denominator: ["shown_completion_chars"],
    unit: "rate",
    higherIsBetter: true,
    defaultGuardrail: false,
  },
  show_rate: {
    kind: "ratio",
    label: "Show rate",
    formula: "shown suggestions / requested completions",
    numerator: ["shown"],
    denominator: ["requested"],
    unit: "rate",
    higherIsBetter: true,
    defaultGuardrail: true,
  },
  retention: {
    kind: "ratio",
    label: "Retention after refinement",
    formula: "retainedChars / acceptedChars, over accepted suggestions that have a refined event",
    numerator: ["retained_chars"],
    denominator: ["refined_accepted_chars"],
    unit: "rate",
    higherIsBetter: true,
    defaultGuardrail: false,
  },
  suggestions_per_user: {
    kind: "ratio",
    label: "Suggestions shown per user",
    formula: "shown suggestions per exposed user",
    numerator: ["shown"],
    denominator: "per_user",
    unit: "count",
    higherIsBetter: true,
    defaultGuardrail: false,
  },
  requests_per_user: {
    kind: "ratio",
    label: "Requests per user",
    formula: "requested completions per exposed user",
    numerator: ["requested"],
    denominator: "per_user",
    unit: "count",
    higherIsBetter: true,
    defaultGuardrail: false,
  },
  latency_p95: {
    kind: "quantile",
    label: "Latency p95",
    formula: "95th percentile of shown.latencyMs over suggestions",
    p: 0.95,
    unit: "ms",
    higherIsBetter: false,
    defaultGuardrail: true,
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;
export const METRIC_KEYS = Object.keys(METRICS) as [MetricKey, ...MetricKey[]];
export type RatioMetricKey = { [K in MetricKey]: (typeof METRICS)[K]["kind"] extends "ratio" ? K : never }[MetricKey];

export function metricDefinition(key: MetricKey): MetricDefinition {
  return METRICS[key];
}

export function isRatioMetric(key: MetricKey): key is RatioMetricKey {
  return METRICS[key].kind === "ratio";
}

export const DEFAULT_GUARDRAILS = METRIC_KEYS.filter((key) => METRICS[key].defaultGuardrail);
