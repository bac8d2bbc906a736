import { csvCell } from "../audit/csv";
import { METRIC_KEYS, type MetricKey } from "../metrics/registry";
import { daysRemaining, minimumDetectableEffect, usersNeededForEffect, type LiftEstimate } from "../stats";
import type { Scorecard } from "./schema";

// The scorecard's pure parts: which metrics in which order, decision support from lift estimates, and
// the CSV export.

export type MetricRole = "primary" | "secondary" | "guardrail";

/** Every metric of the registry: the primary first, then the secondary ones (registry order), then the guardrails. */
export function scorecardOrder(primary: MetricKey, guardrails: readonly MetricKey[]): { metric: MetricKey; role: MetricRole }[] {
  const guarded = guardrails.filter((g) => g !== primary);
  const secondary = METRIC_KEYS.filter((m) => m !== primary && !guarded.includes(m));
  return [
    { metric: primary, role: "primary" },
    ...secondary.map((metric) => ({ metric, role: "secondary" as const })),
    ...guarded.map((metric) => ({ metric, role: "guardrail" as const })),
  ];
}

export interface Traffic {
  /** Exposed users of all variants in the window. */
  usersSoFar: number;
  usersPerDay: number;
  running: boolean;
}

/**
 * Decision support of one metric from its treatments' lift estimates, on the relative scale the
 * target effect is stated in: the minimum detectable relative effect at the current sample (two-sided
 * α, 80% power), the users (all variants, at the current split) that 80% power at the target needs,
 * and the days to reach them at the current traffic (null once stopped or without traffic). With
 * several treatments the least powered one counts. Nulls without an estimate (too little data).
 */
export function decisionSupport(estimates: LiftEstimate[], targetEffect: number, alpha: number, traffic: Traffic) {
  const ses = estimates.map((e) => Math.sqrt(e.varianceRelative)).filter((se) => Number.isFinite(se));
  if (!ses.length || traffic.usersSoFar === 0) return { mde: null, usersSoFar: traffic.usersSoFar, usersNeeded: null, daysRemaining: null };
  const se = Math.max(...ses);
  const usersNeeded = usersNeededForEffect(se, traffic.usersSoFar, targetEffect, alpha);
  return {
    mde: minimumDetectableEffect(se, alpha),
    usersSoFar: traffic.usersSoFar,
    usersNeeded: Number.isFinite(usersNeeded) ? usersNeeded : null,
    daysRemaining: traffic.running ? daysRemaining(usersNeeded, traffic.usersSoFar, traffic.usersPerDay) : null,
  };
}

const CSV_COLUMNS = [
  "metric",
  "role",
  "unit",
  "variant",
  "model_version",
  "users",
  "value",
  "value_ci_low",
  "value_ci_high",
  "unadjusted_value",
  "absolute_change",
  "absolute_ci_low",
  "absolute_ci_high",
  "absolute_p_value",
  "relative_change",
  "relative_ci_low",
  "relative_ci_high",
  "p_value",
  "adjusted_p_value",
  "chance_to_win",
  "guardrail_one_sided_p_value",
  "guardrail_worse",
  "mde_relative",
  "users_so_far",
  "users_needed",
  "days_remaining",
  "note",
] as const;

/** Numbers as plain decimals (a negative number is data, not a formula); text through the audit export's safe cell. */
function cell(value: unknown): string {
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  return csvCell(value);
}

/** The scorecard as CSV (RFC 4180): one line per metric and variant, with the columns above. */
export function scorecardCsv(scorecard: Scorecard): string {
  const lines = [CSV_COLUMNS.join(",") + "\r\n"];
  for (const m of scorecard.metrics) {
    for (const v of m.variants) {
      const guardrail = m.guardrail?.find((g) => g.variant === v.key);
      const values: Record<(typeof CSV_COLUMNS)[number], unknown> = {
        metric: m.metric,
        role: m.role,
        unit: m.unit,
        variant: v.key,
        model_version: v.modelVersion,
        users: v.users,
        value: v.rate,
        value_ci_low: v.ci?.[0],
        value_ci_high: v.ci?.[1],
        unadjusted_value: v.unadjustedRate,
        absolute_change: v.lift?.absolute,
        absolute_ci_low: v.lift?.ciAbsolute[0],
        absolute_ci_high: v.lift?.ciAbsolute[1],
        absolute_p_value: v.lift?.pValueAbsolute,
        relative_change: v.lift?.relative,
        relative_ci_low: v.lift?.ciRelative[0],
        relative_ci_high: v.lift?.ciRelative[1],
        p_value: v.pValue,
        adjusted_p_value: v.adjustedPValue,
        chance_to_win: v.chanceToWin,
        guardrail_one_sided_p_value: guardrail?.pValue,
        guardrail_worse: guardrail ? String(guardrail.worse) : null,
        mde_relative: m.mde,
        users_so_far: m.usersSoFar,
        users_needed: m.usersNeeded,
        days_remaining: m.daysRemaining,
        note: v.note ?? guardrail?.note,
      };
      lines.push(CSV_COLUMNS.map((c) => cell(values[c])).join(",") + "\r\n");
    }
  }
  return lines.join("");
}
