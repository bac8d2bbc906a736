// What a variant's result means and how the results' values read: pure functions of the results answer.

import { integer, percent, signedPercent } from "@/app/components/format";
import type { ExperimentResults } from "@/lib/client/hooks";

export type Variant = ExperimentResults["variants"][number];
export type Lift = NonNullable<Variant["lift"]>;

/** A metric's value in its unit: a percentage, milliseconds or a plain number; "—" when missing. */
export function formatValue(v: number | null | undefined, unit: ExperimentResults["unit"]): string {
  if (v === null || v === undefined) return "—";
  if (unit === "rate") return percent(v, 1);
  if (unit === "ms") return `${Math.round(v)} ms`;
  return v.toFixed(2);
}

/** User counts per variant, as "120 / 118". */
export function joinCounts(counts: number[]): string {
  return counts.map((n) => integer(n)).join(" / ");
}

/** The counts behind a variant's value: its events for a latency, else numerator / denominator. */
export function countsLabel(v: Variant, unit: ExperimentResults["unit"]): string {
  return unit === "ms" ? integer(v.denominator) : `${integer(v.numerator)} / ${integer(v.denominator)}`;
}

/** Half the width of a variant's interval, shown as "± …" after its value; null without one. */
export function halfWidth(v: Variant): number | null {
  return v.ci && v.rate !== null ? (v.ci[1] - v.ci[0]) / 2 : null;
}

/** A relative lift with its interval, as "+4.1% (+1.2% to +7.0%)". */
export function liftWithInterval(lift: Lift): string {
  return `${signedPercent(lift.relative)} (${signedPercent(lift.ciRelative[0])} to ${signedPercent(lift.ciRelative[1])})`;
}

/** Whether a significant lift goes the way the metric wants; null when there is none or it is not significant. */
export function significantImprovement(v: Variant, results: ExperimentResults): boolean | null {
  return v.lift && v.significant ? v.lift.relative > 0 === results.higherIsBetter : null;
}

/** The badge of a variant's row: winning or losing when significant, else why there is no verdict. */
export function verdict(v: Variant, results: ExperimentResults): { label: string; tone: string } {
  if (!v.lift) return { label: v.note ? "not enough data" : "", tone: "" };
  if (!v.significant) return { label: results.method === "bayesian" ? "inconclusive" : "not significant", tone: "" };
  const better = significantImprovement(v, results);
  return { label: better ? "winning" : "losing", tone: better ? "good" : "bad" };
}

/** The half-width of the lift bars' shared scale: the widest interval bound (at least 5%), plus a margin. */
export function liftScale(results: ExperimentResults): number {
  return Math.max(0.05, ...results.variants.flatMap((v) => (v.lift ? v.lift.ciRelative.map(Math.abs) : [0]))) * 1.1;
}

/** The CUPED part of the analysis line: each variant's variance reduction; empty without CUPED. */
export function cupedNote(results: ExperimentResults): string {
  if (!results.cuped) return "";
  const reductions = results.variants
    .map((v) => (v.cupedVarianceReduction !== null ? `variance −${percent(v.cupedVarianceReduction, 0)}` : ""))
    .filter(Boolean);
  return ` · CUPED (${reductions.join(", ")})`;
}

/** The multiple-comparison part of the analysis line. */
export function correctionNote(results: ExperimentResults): string {
  if (results.correction === "none") return " · no multiple-comparison correction";
  return ` · ${results.correction === "holm" ? "Holm" : "Benjamini–Hochberg"} adjusted`;
}
