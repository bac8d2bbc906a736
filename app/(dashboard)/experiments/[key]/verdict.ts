// What a variant's result means and how the results' values read: pure functions of the answers.

import { integer, percent, pValue, signedPercent, signedPoints } from "@/app/components/format";
import type { ExperimentResults, Scorecard } from "@/lib/client/hooks";

export type Variant = ExperimentResults["variants"][number];
export type Lift = NonNullable<Variant["lift"]>;
export type Unit = ExperimentResults["unit"];
export type ScorecardMetric = Scorecard["metrics"][number];
/** What a verdict depends on besides the variant: the metric's direction and the method. */
export interface VerdictContext {
  higherIsBetter: boolean;
  method: ExperimentResults["method"];
}

/** A metric's value in its unit: a percentage, milliseconds or a plain number; "—" when missing. */
export function formatValue(v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined) return "—";
  if (unit === "rate") return percent(v, 1);
  if (unit === "ms") return `${Math.round(v)} ms`;
  return v.toFixed(2);
}

/** An absolute change in its unit: percentage points for rates, milliseconds for latency. */
export function formatChange(v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  if (unit === "rate") return signedPoints(v, 2);
  const sign = v > 0 ? "+" : v < 0 ? "−" : "";
  return unit === "ms" ? `${sign}${Math.abs(v).toFixed(1)} ms` : `${sign}${Math.abs(v).toFixed(2)}`;
}

/** An interval of changes, as "−0.4 pp to +2.1 pp". */
export function formatChangeInterval(ci: [number, number], unit: Unit): string {
  return `${formatChange(ci[0], unit)} to ${formatChange(ci[1], unit)}`;
}

/** "p = 0.042" or "p < 0.001": a p-value after its letter. */
export function pEquals(p: number | null | undefined): string {
  const text = pValue(p);
  return text.startsWith("<") ? `p ${text}` : `p = ${text}`;
}

/**
 * The chance that the treatment is better: the API's chanceToWin is P(lift > 0), which for a metric
 * where lower is better (latency) is the chance that it is worse.
 */
export function chanceBetter(chanceToWin: number | null | undefined, higherIsBetter: boolean): number | null {
  if (chanceToWin === null || chanceToWin === undefined) return null;
  return higherIsBetter ? chanceToWin : 1 - chanceToWin;
}

/** Expected loss of shipping the treatment, in the metric's good direction (E[max(0, −lift)], or E[max(0, lift)] when lower is better). */
export function shippingLoss(loss: { treatment: number; control: number } | null, higherIsBetter: boolean): number | null {
  if (!loss) return null;
  return higherIsBetter ? loss.treatment : loss.control;
}

/** User counts per variant, as "120 / 118". */
export function joinCounts(counts: number[]): string {
  return counts.map((n) => integer(n)).join(" / ");
}

/** A relative lift with its interval, as "+4.1% (+1.2% to +7.0%)". */
export function liftWithInterval(lift: Lift): string {
  return `${signedPercent(lift.relative)} (${signedPercent(lift.ciRelative[0])} to ${signedPercent(lift.ciRelative[1])})`;
}

/** Whether a significant lift goes the way the metric wants; null when there is none or it is not significant. */
export function significantImprovement(v: Variant, context: VerdictContext): boolean | null {
  return v.lift && v.significant ? v.lift.relative > 0 === context.higherIsBetter : null;
}

/** The badge of a variant's row: winning or losing when significant, else why there is no verdict. */
export function verdict(v: Variant, context: VerdictContext): { label: string; tone: "good" | "bad" | "" } {
  if (!v.lift) return { label: v.users === 0 ? "no data yet" : v.note ? "not enough data" : "", tone: "" };
  if (!v.significant) return { label: context.method === "bayesian" ? "inconclusive" : "not significant", tone: "" };
  const better = significantImprovement(v, context);
  return { label: better ? "winning" : "losing", tone: better ? "good" : "bad" };
}

/** The interval's name under each method. */
export function intervalName(method: ExperimentResults["method"], alpha: number): string {
  const level = `${Math.round((1 - alpha) * 100)}%`;
  if (method === "bayesian") return `${level} credible interval`;
  if (method === "sequential") return `${level} always-valid confidence interval`;
  return `${level} confidence interval`;
}

/** How the rows were computed, in one line under the scorecard's title. */
export function methodNote(card: { method: ExperimentResults["method"]; alpha: number; correction: ExperimentResults["correction"] }) {
  const method =
    card.method === "bayesian"
      ? "Bayesian: normal posterior of the relative lift (flat prior); credible intervals, chance to win, expected loss"
      : card.method === "sequential"
        ? "Sequential: always-valid confidence sequences, safe to read every day; p-values of the relative change"
        : "Frequentist: Welch t-test, delta method on per-user sums; each p-value belongs to the interval beside it";
  const correction =
    card.method === "bayesian" || card.correction === "none"
      ? ""
      : ` · p-values ${card.correction === "holm" ? "Holm" : "Benjamini–Hochberg"}-adjusted per metric with its guardrails; ` +
        "intervals unadjusted";
  return method + correction;
}
