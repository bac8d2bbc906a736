import type { RatioValues } from "../metrics/values";
import { addUser, dailySeries, emptySummary, groupByVariantAndUser, pooled, type UserDayRow } from "../metrics/summaries";
import {
  bayesianInference,
  estimateCupedLift,
  estimateQuantileLift,
  estimateRatioLift,
  fixedHorizonInference,
  InsufficientDataError,
  rateInterval,
  sequentialInference,
  type CupedRatioSummary,
  type LiftEstimate,
  type QuantileSummary,
  type RatioSummary,
} from "../stats";
import type { ExperimentResults, ResultsQuery } from "./schema";

// The inference of experiment results, pure: from per-variant sufficient statistics to the rows of
// the answer (per-variant values with intervals, lifts, p-values or chances to win, daily series,
// segments). lib/results/service.ts loads the statistics and assembles the answer.

type Method = ResultsQuery["method"];

/** Lift of treatment over control under the chosen method; the estimate comes from the caller. */
export function infer(estimate: LiftEstimate, method: Method, alpha: number, priorSd: number | undefined) {
  if (method === "bayesian") {
    const b = bayesianInference(estimate, { alpha, prior: priorSd ? { mean: 0, variance: priorSd * priorSd } : undefined });
    const half = (b.credibleInterval[1] - b.credibleInterval[0]) / 2;
    const ciAbsolute: [number, number] = [
      estimate.absolute - half * Math.abs(estimate.control),
      estimate.absolute + half * Math.abs(estimate.control),
    ];
    return {
      lift: { absolute: estimate.absolute, relative: b.posteriorMean, ciAbsolute, ciRelative: b.credibleInterval },
      pValue: null,
      chanceToWin: b.chanceToWin,
      expectedLoss: b.expectedLoss,
      significant: b.chanceToWin > 1 - alpha / 2 || b.chanceToWin < alpha / 2,
    };
  }
  const r = method === "sequential" ? sequentialInference(estimate, { alpha }) : fixedHorizonInference(estimate, { alpha });
  return {
    lift: { absolute: r.absolute, relative: r.relative, ciAbsolute: r.ciAbsolute, ciRelative: r.ciRelative },
    pValue: r.pValue,
    chanceToWin: null,
    expectedLoss: null,
    significant: r.pValue < alpha,
  };
}

export function noteOf(error: unknown): string {
  if (error instanceof InsufficientDataError) return `Not enough data yet: ${error.message}`;
  throw error;
}

export function controlFields() {
  return {
    lift: null,
    pValue: null,
    adjustedPValue: null,
    chanceToWin: null,
    expectedLoss: null,
    significant: null,
    cupedVarianceReduction: null,
  };
}

export function ratioVariant(variant: { key: string; modelVersion: string }, summary: RatioSummary, alpha: number) {
  let ci: [number, number] | null = null;
  let note: string | null = null;
  try {
    ci = rateInterval(summary, alpha).ci;
  } catch (error) {
    note = noteOf(error);
  }
  return {
    key: variant.key,
    modelVersion: variant.modelVersion,
    users: summary.users,
    numerator: summary.sumX,
    denominator: summary.sumY,
    rate: pooled(summary),
    ci,
    note,
  };
}

export function compareRatio(control: CupedRatioSummary, treatment: CupedRatioSummary, query: ResultsQuery) {
  try {
    const estimate = query.cuped ? estimateCupedLift(control, treatment) : estimateRatioLift(control, treatment);
    const reduction = query.cuped ? ((estimate as LiftEstimate & { varianceReduction?: number }).varianceReduction ?? null) : null;
    return { ...infer(estimate, query.method, query.alpha, query.priorSd), adjustedPValue: null, cupedVarianceReduction: reduction };
  } catch (error) {
    return { ...controlFields(), note: noteOf(error) };
  }
}

export function quantileVariant(variant: { key: string; modelVersion: string }, summary: QuantileSummary | undefined, users: number) {
  return {
    key: variant.key,
    modelVersion: variant.modelVersion,
    users,
    numerator: summary?.quantile ?? 0,
    denominator: summary?.n ?? 0,
    rate: summary?.quantile ?? null,
    ci:
      summary?.lowerValue !== undefined && summary.upperValue !== undefined
        ? ([summary.lowerValue, summary.upperValue] as [number, number])
        : null,
    note: summary ? null : "Not enough data yet: no shown suggestions",
  };
}

export function compareQuantile(control: QuantileSummary | undefined, treatment: QuantileSummary | undefined, query: ResultsQuery) {
  try {
    if (!control || !treatment) throw new InsufficientDataError("no shown suggestions in a variant");
    // Order-statistic intervals are fixed-horizon: the sequential and Bayesian views use the same estimate.
    return {
      ...infer(
        estimateQuantileLift(control, treatment),
        query.method === "sequential" ? "frequentist" : query.method,
        query.alpha,
        query.priorSd,
      ),
      adjustedPValue: null,
      cupedVarianceReduction: null,
    };
  } catch (error) {
    return { ...controlFields(), note: noteOf(error) };
  }
}

export function series(
  rows: UserDayRow[],
  definition: RatioValues,
  variants: string[],
  daily: { date: string; variant: string; newUsers: number }[],
  exposed: Map<string, number>,
  query: ResultsQuery,
): ExperimentResults["series"] {
  // Exposures per day are not bounded by the window's end; the exposed users of the window are, so
  // a window ending mid-day does not count that day's later exposures.
  const exposedByDay = (variant: string, date: string) =>
    Math.min(
      exposed.get(variant) ?? 0,
      daily.filter((d) => d.variant === variant && d.date <= date).reduce((s, d) => s + d.newUsers, 0),
    );
  const points = dailySeries(rows, definition, variants, exposedByDay);
  const controlByDate = new Map(points.filter((p) => p.variant === variants[0]).map((p) => [p.date, p.cumulative]));
  return points.map((point) => {
    if (point.variant === variants[0])
      return {
        date: point.date,
        variant: point.variant,
        rate: point.daily ?? pooled(point.cumulative),
        cumulativeLift: null,
        ciRelative: null,
      };
    try {
      const result = infer(estimateRatioLift(controlByDate.get(point.date)!, point.cumulative), query.method, query.alpha, query.priorSd);
      return {
        date: point.date,
        variant: point.variant,
        rate: point.daily ?? pooled(point.cumulative),
        cumulativeLift: result.lift.relative,
        ciRelative: result.lift.ciRelative,
      };
    } catch (error) {
      noteOf(error);
      return {
        date: point.date,
        variant: point.variant,
        rate: point.daily ?? pooled(point.cumulative),
        cumulativeLift: null,
        ciRelative: null,
      };
    }
  });
}

export function segments(
  rows: UserDayRow[],
  segment: string,
  definition: RatioValues,
  variants: { key: string }[],
  query: ResultsQuery,
): NonNullable<ExperimentResults["segments"]> {
  const values = [...new Set(rows.map((r) => r.segment))].sort();
  return values.map((value) => {
    const perVariant = groupByVariantAndUser(
      rows.filter((r) => r.segment === value),
      definition,
    );
    const summaries = variants.map((v) => {
      const summary = emptySummary();
      for (const user of perVariant.get(v.key)?.values() ?? []) addUser(summary, user, definition);
      return summary;
    });
    return {
      segment,
      value: value || "(unknown)",
      variants: variants.map((v, i) => {
        const base = { key: v.key, users: summaries[i].users, rate: pooled(summaries[i]) };
        if (i === 0) return { ...base, lift: null, pValue: null, chanceToWin: null };
        try {
          const result = infer(estimateRatioLift(summaries[0], summaries[i]), query.method, query.alpha, query.priorSd);
          return { ...base, lift: result.lift, pValue: result.pValue, chanceToWin: result.chanceToWin };
        } catch (error) {
          noteOf(error);
          return { ...base, lift: null, pValue: null, chanceToWin: null };
        }
      }),
    };
  });
}
