import type { RatioValues } from "../metrics/values";
import { activeUserSummaries, dailySeries, emptySummary, pooled, type SeriesStep } from "../metrics/summaries";
import type { UserDayTable } from "../metrics/userDayTable";
import {
  adjustPValues,
  bayesianInference,
  cochranQ,
  cupedAdjustedTreatment,
  estimateCupedLift,
  estimateQuantileLift,
  estimateRatioLift,
  fixedHorizonInference,
  InsufficientDataError,
  rateInterval,
  sequentialInference,
  studentTQuantile,
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

/**
 * Lift of treatment over control under the chosen method; the estimate comes from the caller. One story
 * per row: the variant's `pValue` tests the relative lift (delta method on the ratio of means, the same
 * statistic and reference distribution as `ciRelative`, as gbstats does), so p < α exactly when the
 * relative interval excludes 0; `lift.pValueAbsolute` does the same for `ciAbsolute`.
 */
export function infer(estimate: LiftEstimate, method: Method, alpha: number, priorSd: number | undefined) {
  if (method === "bayesian") {
    const b = bayesianInference(estimate, { alpha, prior: priorSd ? { mean: 0, variance: priorSd * priorSd } : undefined });
    const half = (b.credibleInterval[1] - b.credibleInterval[0]) / 2;
    const ciAbsolute: [number, number] = [
      estimate.absolute - half * Math.abs(estimate.control),
      estimate.absolute + half * Math.abs(estimate.control),
    ];
    return {
      lift: { absolute: estimate.absolute, relative: b.posteriorMean, ciAbsolute, ciRelative: b.credibleInterval, pValueAbsolute: null },
      pValue: null,
      chanceToWin: b.chanceToWin,
      expectedLoss: b.expectedLoss,
      significant: b.chanceToWin > 1 - alpha / 2 || b.chanceToWin < alpha / 2,
    };
  }
  const r = method === "sequential" ? sequentialInference(estimate, { alpha }) : fixedHorizonInference(estimate, { alpha });
  return {
    lift: { absolute: r.absolute, relative: r.relative, ciAbsolute: r.ciAbsolute, ciRelative: r.ciRelative, pValueAbsolute: r.pValue },
    pValue: r.pValueRelative,
    chanceToWin: null,
    expectedLoss: null,
    significant: r.pValueRelative < alpha,
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

/** The treatment's lift over control (CUPED-adjusted when asked), and the estimate it came from (null without one). */
export function compareRatio(control: CupedRatioSummary, treatment: CupedRatioSummary, query: ResultsQuery) {
  try {
    const estimate = query.cuped ? estimateCupedLift(control, treatment) : estimateRatioLift(control, treatment);
    const reduction = query.cuped ? ((estimate as LiftEstimate & { varianceReduction?: number }).varianceReduction ?? null) : null;
    const fields = {
      ...infer(estimate, query.method, query.alpha, query.priorSd),
      adjustedPValue: null,
      cupedVarianceReduction: reduction,
    };
    return { fields, estimate };
  } catch (error) {
    return { fields: { ...controlFields(), note: noteOf(error) }, estimate: null };
  }
}

/**
 * With CUPED, a treatment's value and interval are the regression-adjusted ones (centred on the
 * control's pre-exposure value, so adjusted − control is the adjusted lift); the raw value is kept in
 * `unadjustedRate`. The control, at the centre, is unchanged. Without enough data the raw value stays.
 */
export function cupedAdjusted<V extends { rate: number | null; ci: [number, number] | null; users: number }>(
  variant: V,
  control: CupedRatioSummary,
  treatment: CupedRatioSummary,
  alpha: number,
): V & { unadjustedRate: number | null } {
  try {
    const adjusted = cupedAdjustedTreatment(control, treatment);
    const half = studentTQuantile(1 - alpha / 2, treatment.users - 1) * Math.sqrt(adjusted.variance);
    return { ...variant, rate: adjusted.value, ci: [adjusted.value - half, adjusted.value + half], unadjustedRate: variant.rate };
  } catch (error) {
    noteOf(error);
    return { ...variant, unadjustedRate: variant.rate };
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
    const estimate = estimateQuantileLift(control, treatment);
    // Order-statistic intervals are fixed-horizon: the sequential and Bayesian views use the same estimate.
    const method = query.method === "sequential" ? "frequentist" : query.method;
    const fields = { ...infer(estimate, method, query.alpha, query.priorSd), adjustedPValue: null, cupedVarianceReduction: null };
    return { fields, estimate };
  } catch (error) {
    return { fields: { ...controlFields(), note: noteOf(error) }, estimate: null };
  }
}

export function series(
  steps: SeriesStep[],
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
  const points = dailySeries(steps, definition, variants, exposedByDay);
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

type Segments = NonNullable<ExperimentResults["segments"]>;
type SegmentVariant = Segments[number]["variants"][number];

/**
 * The metric per cohort of a segment attribute: each variant's value with its interval, each
 * treatment's lift (CUPED-adjusted when asked) with its p-value, Holm-adjusted across the cohorts (the
 * family-wise error rate of "some cohort differs"), and per treatment Cochran's Q test of whether the
 * relative lift differs across cohorts (inverse-variance weights of the delta-method variances).
 */
export function segments(
  rows: UserDayTable,
  segment: string,
  definition: RatioValues,
  variants: { key: string; modelVersion: string }[],
  query: ResultsQuery,
): { segments: Segments; heterogeneity: NonNullable<ExperimentResults["heterogeneity"]> } {
  const values = [...rows.segments].sort();
  const estimates: (LiftEstimate | null)[][] = [];
  const cohorts = values.map((value) => {
    const perVariant = activeUserSummaries(rows, definition, rows.segments.indexOf(value));
    const summaries = variants.map((v) => perVariant.get(v.key) ?? emptySummary());
    const cohortEstimates: (LiftEstimate | null)[] = [null];
    const cohortVariants = variants.map((v, i): SegmentVariant => {
      const base = ratioVariant(v, summaries[i], query.alpha);
      const value = { key: v.key, users: base.users, rate: base.rate, ci: base.ci };
      if (i === 0) return { ...value, lift: null, pValue: null, adjustedPValue: null, chanceToWin: null, note: base.note };
      const { fields, estimate } = compareRatio(summaries[0], summaries[i], query);
      cohortEstimates.push(estimate);
      const shown = query.cuped && estimate ? cupedAdjusted(value, summaries[0], summaries[i], query.alpha) : value;
      const note = "note" in fields ? (fields.note as string | null) : null;
      return {
        key: shown.key,
        users: shown.users,
        rate: shown.rate,
        ci: shown.ci,
        lift: fields.lift,
        pValue: fields.pValue,
        adjustedPValue: null,
        chanceToWin: fields.chanceToWin,
        note,
      };
    });
    estimates.push(cohortEstimates);
    return { segment, value: value || "(unknown)", variants: cohortVariants };
  });

  const heterogeneity: NonNullable<ExperimentResults["heterogeneity"]> = [];
  variants.forEach((variant, i) => {
    if (i === 0) return;
    const tested = cohorts.map((c) => c.variants[i]).filter((v) => v.pValue !== null);
    holmAcross(tested);
    const usable = estimates.map((e) => e[i]).filter((e): e is LiftEstimate => e !== null);
    const q = cochranQ(
      usable.map((e) => e.relative),
      usable.map((e) => e.varianceRelative),
    );
    if (q)
      heterogeneity.push({
        variant: variant.key,
        cohorts: q.k,
        pooledRelative: q.pooled,
        q: q.q,
        df: q.df,
        pValue: q.pValue,
        iSquared: q.iSquared,
      });
  });
  return { segments: cohorts, heterogeneity };
}

function holmAcross(tested: SegmentVariant[]) {
  const adjusted = adjustPValues(
    tested.map((v) => v.pValue!),
    "holm",
  );
  tested.forEach((v, k) => (v.adjustedPValue = adjusted[k]));
}
