import {
  estimateQuantileLift,
  estimateRatioLift,
  guardrailInference,
  InsufficientDataError,
  srmCheck,
  type QuantileSummary,
  type RatioSummary,
} from "../stats";
import { nonInferiorityTest } from "../stats/nonInferiority";
import type { GuardrailCheck, StepEvaluation } from "./schemas";

// The checks a ramp step must pass, from live data: the promoted version's users against the current
// production version's users outside experiments since the step began. Pure: the numbers come from
// ./queries.ts, the statistics from lib/stats.

/** One arm of a ramp (the promoted version, or production) over the step's window. */
export interface ArmData {
  users: number;
  /** Per user: accepted / shown suggestions. */
  acceptance: RatioSummary;
  /** Per user: shown suggestions / requested completions. */
  showRate: RatioSummary;
  /** p95 of shown latencies with its order statistics and clustering sums; null without enough latencies. */
  latency: QuantileSummary | null;
}

export interface GuardrailOptions {
  /** Acceptance-rate non-inferiority margin, absolute (0.01 = one percentage point). */
  margin: number;
  /** One-sided α of the non-inferiority and "significantly worse" tests. */
  alpha: number;
  /** SRM p-value below which the split is a mismatch. */
  srmThreshold: number;
  /** Users each arm needs before a check decides anything. */
  minUsers: number;
}

export const DEFAULT_GUARDRAIL_OPTIONS: GuardrailOptions = { margin: 0.01, alpha: 0.05, srmThreshold: 0.001, minUsers: 30 };

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const pp = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v * 100).toFixed(2)} pp`;
const ms = (v: number) => `${Math.round(v)} ms`;
const signedMs = (v: number) => `${v >= 0 ? "+" : "−"}${ms(Math.abs(v))}`;
const pText = (p: number) => (p < 0.0001 ? p.toExponential(1) : p.toFixed(4));
/** "one-sided p = 0.012 < 0.05" */
const oneSided = (p: number, worse: boolean, alpha: number) => `one-sided p = ${p.toFixed(3)}${worse ? ` < ${alpha}` : ""}`;

function rate(summary: RatioSummary): number | null {
  return summary.sumY > 0 ? summary.sumX / summary.sumY : null;
}

function insufficient(
  check: GuardrailCheck["check"],
  threshold: number,
  why: string,
  baseline: number | null = null,
  candidate: number | null = null,
) {
  return {
    check,
    status: "insufficient" as const,
    summary: why,
    baseline,
    candidate,
    difference: null,
    lowerBound: null,
    pValue: null,
    threshold,
  };
}

/**
 * Acceptance rate: the promoted version must be shown not worse than production by more than the
 * margin (one-sided non-inferiority on the absolute difference, delta method over users).
 */
export function acceptanceCheck(baseline: ArmData, candidate: ArmData, options: GuardrailOptions): GuardrailCheck {
  const b = rate(baseline.acceptance);
  const c = rate(candidate.acceptance);
  if (baseline.users < options.minUsers || candidate.users < options.minUsers || b === null || c === null) {
    return insufficient("acceptance_rate", options.margin, `needs ${options.minUsers} users with shown suggestions in each version`, b, c);
  }
  try {
    const test = nonInferiorityTest(estimateRatioLift(baseline.acceptance, candidate.acceptance), {
      margin: options.margin,
      direction: "lower_is_worse",
      alpha: options.alpha,
      scale: "absolute",
    });
    const passed = test.nonInferior;
    const relation = passed ? ">" : "≤";
    return {
      check: "acceptance_rate",
      status: passed ? "pass" : "fail",
      summary:
        `acceptance ${pct(c)} vs ${pct(b)} in production (${pp(test.estimate)}; one-sided ${Math.round((1 - options.alpha) * 100)}% ` +
        `lower bound ${pp(test.lowerBound)} ${relation} −${(options.margin * 100).toFixed(2)} pp margin)`,
      baseline: b,
      candidate: c,
      difference: test.estimate,
      lowerBound: test.lowerBound,
      pValue: test.pValue,
      threshold: options.margin,
    };
  } catch (error) {
    if (error instanceof InsufficientDataError) return insufficient("acceptance_rate", options.margin, error.message, b, c);
    throw error;
  }
}

/** Show rate: fails when the promoted version's is significantly lower (one-sided test, delta method). */
export function showRateCheck(baseline: ArmData, candidate: ArmData, options: GuardrailOptions): GuardrailCheck {
  const b = rate(baseline.showRate);
  const c = rate(candidate.showRate);
  if (baseline.users < options.minUsers || candidate.users < options.minUsers || b === null || c === null) {
    return insufficient("show_rate", options.alpha, `needs ${options.minUsers} users with requests in each version`, b, c);
  }
  try {
    const result = guardrailInference(estimateRatioLift(baseline.showRate, candidate.showRate), {
      direction: "lower_is_worse",
      alpha: options.alpha,
      scale: "absolute",
    });
    return {
      check: "show_rate",
      status: result.worse ? "fail" : "pass",
      summary: `show rate ${pct(c)} vs ${pct(b)} (${pp(c - b)}; ${oneSided(result.pValue, result.worse, options.alpha)})`,
      baseline: b,
      candidate: c,
      difference: c - b,
      lowerBound: null,
      pValue: result.pValue,
      threshold: options.alpha,
    };
  } catch (error) {
    if (error instanceof InsufficientDataError) return insufficient("show_rate", options.alpha, error.message, b, c);
    throw error;
  }
}

/** Latency p95: fails when the promoted version's is significantly higher (order statistics with the clustering correction). */
export function latencyCheck(baseline: ArmData, candidate: ArmData, options: GuardrailOptions): GuardrailCheck {
  const b = baseline.latency?.quantile ?? null;
  const c = candidate.latency?.quantile ?? null;
  if (!baseline.latency || !candidate.latency || baseline.users < options.minUsers || candidate.users < options.minUsers) {
    return insufficient("latency_p95", options.alpha, `needs ${options.minUsers} users with latencies in each version`, b, c);
  }
  try {
    const result = guardrailInference(estimateQuantileLift(baseline.latency, candidate.latency), {
      direction: "higher_is_worse",
      alpha: options.alpha,
      scale: "absolute",
    });
    return {
      check: "latency_p95",
      status: result.worse ? "fail" : "pass",
      summary: `p95 latency ${ms(c!)} vs ${ms(b!)} (${signedMs(c! - b!)}; ${oneSided(result.pValue, result.worse, options.alpha)})`,
      baseline: b,
      candidate: c,
      difference: c! - b!,
      lowerBound: null,
      pValue: result.pValue,
      threshold: options.alpha,
    };
  } catch (error) {
    if (error instanceof InsufficientDataError || error instanceof RangeError) {
      return insufficient("latency_p95", options.alpha, (error as Error).message, b, c);
    }
    throw error;
  }
}

/** Sample ratio mismatch: the users of each version against the step's share (chi-square goodness of fit). */
export function srmRampCheck(baseline: ArmData, candidate: ArmData, share: number, options: GuardrailOptions): GuardrailCheck {
  const total = baseline.users + candidate.users;
  const observedShare = total > 0 ? candidate.users / total : null;
  if (total < 2 * options.minUsers || share >= 1) {
    return insufficient("srm", options.srmThreshold, `needs ${2 * options.minUsers} users in all`, share, observedShare);
  }
  const result = srmCheck([baseline.users, candidate.users], [1 - share, share], options.srmThreshold);
  return {
    check: "srm",
    status: result.mismatch ? "fail" : "pass",
    summary:
      `${candidate.users} of ${total} users on the promoted version (${pct(observedShare!)}, expected ${pct(share)}; ` +
      `χ² p = ${pText(result.pValue)}${result.mismatch ? ` < ${options.srmThreshold}` : ""})`,
    baseline: share,
    candidate: observedShare,
    difference: observedShare! - share,
    lowerBound: null,
    pValue: result.pValue,
    threshold: options.srmThreshold,
  };
}

/** Every check of a step; without a production version to compare with, each is skipped. */
export function evaluateStep(
  input: { step: number; percent: number; from: Date; at: Date; baseline: ArmData | null; candidate: ArmData },
  options: GuardrailOptions = DEFAULT_GUARDRAIL_OPTIONS,
): StepEvaluation {
  const { baseline, candidate } = input;
  const share = Math.min(1, input.percent / 100);
  const checks: GuardrailCheck[] = baseline
    ? [
        acceptanceCheck(baseline, candidate, options),
        latencyCheck(baseline, candidate, options),
        showRateCheck(baseline, candidate, options),
        srmRampCheck(baseline, candidate, share, options),
      ]
    : (["acceptance_rate", "latency_p95", "show_rate", "srm"] as const).map((check) => ({
        check,
        status: "skipped" as const,
        summary: "no production version to compare with",
        baseline: null,
        candidate: null,
        difference: null,
        lowerBound: null,
        pValue: null,
        threshold: 0,
      }));
  return {
    at: input.at.toISOString(),
    step: input.step,
    percent: input.percent,
    from: input.from.toISOString(),
    users: { baseline: baseline?.users ?? 0, candidate: candidate.users },
    verdict: verdictOf(checks),
    checks,
  };
}

/** fail if any check fails; else insufficient if any lacks data; else pass. */
export function verdictOf(checks: readonly GuardrailCheck[]): StepEvaluation["verdict"] {
  if (checks.some((c) => c.status === "fail")) return "fail";
  if (checks.some((c) => c.status === "insufficient")) return "insufficient";
  return "pass";
}

/** "latency_p95: p95 latency 260 ms vs 180 ms (…)" for each failing check. */
export function failureText(evaluation: StepEvaluation): string {
  return evaluation.checks
    .filter((c) => c.status === "fail")
    .map((c) => `${c.check}: ${c.summary}`)
    .join("; ");
}
