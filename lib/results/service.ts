import type { Principal } from "../auth/permissions";
import type { Db } from "../db";
import { clickhouseTime } from "../clickhouse/time";
import { getExperiment } from "../experiments/service";
import { exposureSummary } from "../exposures/queries";
import {
  adjustPValues,
  bayesianInference,
  estimateCupedLift,
  estimateQuantileLift,
  estimateRatioLift,
  fixedHorizonInference,
  guardrailCheck,
  InsufficientDataError,
  normalQuantile,
  quantileConfidenceIndices,
  rateInterval,
  sequentialInference,
  srmCheck,
  type CupedRatioSummary,
  type LiftEstimate,
  type QuantileSummary,
  type RatioSummary,
} from "../stats";
import { addUser, dailySeries, emptySummary, groupByVariantAndUser, isRatioMetric, LATENCY_METRIC, pooled, RATIO_METRICS, variantSummaries, type MetricKey } from "../metrics/summaries";
import { exposureCounts, latencyOrderStatistics, planSource, userDayRows, type ResultsWindow, type SourcePlan, type UserDayRow } from "./queries";
import type { ExperimentResults, ResultsQuery } from "./schema";

type VariantResult = ExperimentResults["variants"][number];
type Method = ResultsQuery["method"];

const P95 = 0.95;

/** Lift of treatment over control under the chosen method; the estimate comes from the caller. */
function infer(estimate: LiftEstimate, method: Method, alpha: number, priorSd: number | undefined) {
  if (method === "bayesian") {
    const b = bayesianInference(estimate, { alpha, prior: priorSd ? { mean: 0, variance: priorSd * priorSd } : undefined });
    const half = (b.credibleInterval[1] - b.credibleInterval[0]) / 2;
    const ciAbsolute: [number, number] = [estimate.absolute - half * Math.abs(estimate.control), estimate.absolute + half * Math.abs(estimate.control)];
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

function noteOf(error: unknown): string {
  if (error instanceof InsufficientDataError) return `Not enough data yet: ${error.message}`;
  throw error;
}

function defaultWindow(experiment: { startedAt: string | null; createdAt: string; stoppedAt: string | null }) {
  const from = new Date(experiment.startedAt ?? experiment.createdAt);
  const to = experiment.stoppedAt ? new Date(experiment.stoppedAt) : new Date(Date.now() + 60_000);
  return { from, to };
}

export async function experimentResults(client: Db, principal: Principal, key: string, query: ResultsQuery): Promise<ExperimentResults> {
  const experiment = await getExperiment(client, principal, key);
  const defaults = defaultWindow(experiment);
  const from = query.from ?? defaults.from;
  const to = query.to ?? defaults.to;
  const window: ResultsWindow = {
    projectId: principal.projectId,
    experimentKey: experiment.key,
    phase: experiment.phase,
    from: clickhouseTime(from.getTime()),
    to: clickhouseTime(to.getTime()),
    lookbackDays: query.lookbackDays,
  };
  const variantKeys = experiment.variants.map((v) => v.key);
  const controlKey = variantKeys[0];
  const metric = query.metric as MetricKey;
  const wantsLatency = metric === "latency_p95" || experiment.guardrailMetrics.includes("latency_p95");

  const plan = await planSource(window);
  // The latency query needs nothing from the others: the engine runs it while this thread parses rows.
  const [counts, exposures, rows, segmentRows, latency] = await Promise.all([
    exposureCounts(window),
    exposureSummary(principal.projectId, experiment.key, experiment.phase, variantKeys),
    userDayRows(window, plan),
    query.segment ? userDayRows({ ...window, segment: query.segment }, plan) : Promise.resolve([]),
    wantsLatency ? latencySummaries(window, plan, variantKeys, query.alpha) : Promise.resolve(null),
  ]);
  const exposed = new Map(variantKeys.map((v) => [v, counts.get(v) ?? 0]));

  // Health: sample ratio mismatch of exposed users against the configured weights.
  const observed = variantKeys.map((v) => exposed.get(v)!);
  const srm = observed.some((n) => n > 0)
    ? srmCheck(observed, experiment.variants.map((v) => v.weight))
    : { pValue: 1, mismatch: false, chiSquare: 0, expected: observed.map(() => 0) };

  // The requested metric, per variant and against control.
  const variants: VariantResult[] = [];
  if (isRatioMetric(metric)) {
    const definition = RATIO_METRICS[metric];
    const summaries = variantSummaries(rows, definition, exposed);
    const control = summaries.get(controlKey)!;
    for (const [index, variant] of experiment.variants.entries()) {
      const summary = summaries.get(variant.key)!;
      variants.push({ ...ratioVariant(variant, summary, query.alpha), ...(index === 0 ? controlFields() : compareRatio(control, summary, query)) });
    }
  } else if (latency) {
    const control = latency.get(controlKey);
    for (const [index, variant] of experiment.variants.entries()) {
      const summary = latency.get(variant.key);
      variants.push({ ...quantileVariant(variant, summary, exposed.get(variant.key) ?? 0), ...(index === 0 ? controlFields() : compareQuantile(control, summary, query)) });
    }
  }

  // Guardrails: one-sided "significantly worse" checks of each treatment.
  const guardrails: ExperimentResults["guardrails"] = [];
  for (const guardrail of experiment.guardrailMetrics) {
    const definition = isRatioMetric(guardrail) ? RATIO_METRICS[guardrail] : null;
    const summaries = definition ? variantSummaries(rows, definition, exposed) : null;
    for (const variant of experiment.variants.slice(1)) {
      try {
        let check;
        if (guardrail === "latency_p95") {
          const c = latency?.get(controlKey);
          const t = latency?.get(variant.key);
          if (!c || !t) throw new InsufficientDataError("no latency data");
          check = guardrailCheck(c, t, { direction: "higher_is_worse", alpha: query.alpha });
        } else if (definition && summaries) {
          check = guardrailCheck(summaries.get(controlKey)!, summaries.get(variant.key)!, {
            direction: definition.higherIsBetter ? "lower_is_worse" : "higher_is_worse",
            alpha: query.alpha,
          });
        } else continue;
        guardrails.push({ metric: guardrail, variant: variant.key, pValue: check.pValue, adjustedPValue: null, worse: check.worse, relativeChange: check.estimate, note: null });
      } catch (error) {
        guardrails.push({ metric: guardrail, variant: variant.key, pValue: null, adjustedPValue: null, worse: false, relativeChange: null, note: noteOf(error) });
      }
    }
  }

  // Multiple comparisons across variants × metrics (the requested metric and the guardrails).
  const family = [...variants.filter((v) => v.pValue !== null), ...guardrails.filter((g) => g.pValue !== null)];
  const adjusted = adjustPValues(family.map((f) => f.pValue!), query.correction);
  family.forEach((f, i) => (f.adjustedPValue = adjusted[i]));
  for (const v of variants) if (v.adjustedPValue !== null && v.pValue !== null) v.significant = v.adjustedPValue < query.alpha;
  for (const g of guardrails) if (g.adjustedPValue !== null) g.worse = g.adjustedPValue < query.alpha;

  return {
    experimentKey: experiment.key,
    phase: experiment.phase,
    metric,
    metricLabel: isRatioMetric(metric) ? RATIO_METRICS[metric].label : LATENCY_METRIC.label,
    metricFormula: isRatioMetric(metric) ? RATIO_METRICS[metric].formula : LATENCY_METRIC.formula,
    unit: isRatioMetric(metric) ? RATIO_METRICS[metric].unit : LATENCY_METRIC.unit,
    higherIsBetter: isRatioMetric(metric) ? RATIO_METRICS[metric].higherIsBetter : LATENCY_METRIC.higherIsBetter,
    method: query.method,
    alpha: query.alpha,
    correction: query.correction,
    cuped: query.cuped,
    from: from.toISOString(),
    to: to.toISOString(),
    srm: { pValue: srm.pValue, mismatch: srm.mismatch, chiSquare: srm.chiSquare, expected: srm.expected, observed },
    health: { exposedUsers: exposures.totalUsers, multipleExposures: exposures.multipleExposures, exposuresPerDay: exposures.daily },
    variants,
    guardrails,
    series: isRatioMetric(metric) ? series(rows, metric, variantKeys, exposures.daily, exposed, query) : [],
    ...(query.segment ? { segments: segments(segmentRows, query.segment, metric, experiment.variants, query) } : {}),
  };
}

function controlFields() {
  return { lift: null, pValue: null, adjustedPValue: null, chanceToWin: null, expectedLoss: null, significant: null, cupedVarianceReduction: null };
}

function ratioVariant(variant: { key: string; modelVersion: string }, summary: RatioSummary, alpha: number) {
  let ci: [number, number] | null = null;
  let note: string | null = null;
  try {
    ci = rateInterval(summary, alpha).ci;
  } catch (error) {
    note = noteOf(error);
  }
  return { key: variant.key, modelVersion: variant.modelVersion, users: summary.users, numerator: summary.sumX, denominator: summary.sumY, rate: pooled(summary), ci, note };
}

function compareRatio(control: CupedRatioSummary, treatment: CupedRatioSummary, query: ResultsQuery) {
  try {
    const estimate = query.cuped ? estimateCupedLift(control, treatment) : estimateRatioLift(control, treatment);
    const reduction = query.cuped ? (estimate as LiftEstimate & { varianceReduction?: number }).varianceReduction ?? null : null;
    return { ...infer(estimate, query.method, query.alpha, query.priorSd), adjustedPValue: null, cupedVarianceReduction: reduction };
  } catch (error) {
    return { ...controlFields(), note: noteOf(error) };
  }
}

/** p95 latency per variant with the order statistics that bracket it and the clustering correction, in one query. */
async function latencySummaries(window: ResultsWindow, plan: SourcePlan, variants: string[], alpha: number): Promise<Map<string, QuantileSummary>> {
  const statistics = await latencyOrderStatistics(window, plan, variants, P95, normalQuantile(1 - alpha / 2));
  const out = new Map<string, QuantileSummary>();
  for (const s of statistics) {
    let bracket: { lower: number; upper: number } | null = null;
    try {
      bracket = quantileConfidenceIndices(s.n, P95, alpha);
    } catch {
      bracket = null; // too few latencies to bracket the quantile: no interval
    }
    // The query computed the same ranks in SQL (IEEE doubles, same operations); a mismatch is a bug.
    if (bracket && (bracket.lower !== s.ranks.lower || bracket.upper !== s.ranks.upper)) {
      throw new Error(`latency ranks disagree: SQL ${s.ranks.lower}…${s.ranks.upper}, lib/stats ${bracket.lower}…${bracket.upper} (n = ${s.n})`);
    }
    out.set(s.variant, {
      n: s.n,
      p: P95,
      quantile: s.quantile,
      lowerValue: bracket ? s.lowerValue : undefined,
      upperValue: bracket ? s.upperValue : undefined,
      ciAlpha: alpha,
      clustering: s.clustering,
    });
  }
  return out;
}

function quantileVariant(variant: { key: string; modelVersion: string }, summary: QuantileSummary | undefined, users: number) {
  return {
    key: variant.key,
    modelVersion: variant.modelVersion,
    users,
    numerator: summary?.quantile ?? 0,
    denominator: summary?.n ?? 0,
    rate: summary?.quantile ?? null,
    ci: summary?.lowerValue !== undefined && summary.upperValue !== undefined ? ([summary.lowerValue, summary.upperValue] as [number, number]) : null,
    note: summary ? null : "Not enough data yet: no shown suggestions",
  };
}

function compareQuantile(control: QuantileSummary | undefined, treatment: QuantileSummary | undefined, query: ResultsQuery) {
  try {
    if (!control || !treatment) throw new InsufficientDataError("no shown suggestions in a variant");
    // Order-statistic intervals are fixed-horizon: the sequential and Bayesian views use the same estimate.
    return { ...infer(estimateQuantileLift(control, treatment), query.method === "sequential" ? "frequentist" : query.method, query.alpha, query.priorSd), adjustedPValue: null, cupedVarianceReduction: null };
  } catch (error) {
    return { ...controlFields(), note: noteOf(error) };
  }
}

function series(rows: UserDayRow[], metric: keyof typeof RATIO_METRICS, variants: string[], daily: { date: string; variant: string; newUsers: number }[], exposed: Map<string, number>, query: ResultsQuery): ExperimentResults["series"] {
  const definition = RATIO_METRICS[metric];
  // Exposures per day are not bounded by the window's end; the exposed users of the window are, so
  // a window ending mid-day does not count that day's later exposures.
  const exposedByDay = (variant: string, date: string) =>
    Math.min(exposed.get(variant) ?? 0, daily.filter((d) => d.variant === variant && d.date <= date).reduce((s, d) => s + d.newUsers, 0));
  const points = dailySeries(rows, definition, variants, exposedByDay);
  const controlByDate = new Map(points.filter((p) => p.variant === variants[0]).map((p) => [p.date, p.cumulative]));
  return points.map((point) => {
    if (point.variant === variants[0]) return { date: point.date, variant: point.variant, rate: point.daily ?? pooled(point.cumulative), cumulativeLift: null, ciRelative: null };
    try {
      const result = infer(estimateRatioLift(controlByDate.get(point.date)!, point.cumulative), query.method, query.alpha, query.priorSd);
      return { date: point.date, variant: point.variant, rate: point.daily ?? pooled(point.cumulative), cumulativeLift: result.lift.relative, ciRelative: result.lift.ciRelative };
    } catch (error) {
      noteOf(error);
      return { date: point.date, variant: point.variant, rate: point.daily ?? pooled(point.cumulative), cumulativeLift: null, ciRelative: null };
    }
  });
}

function segments(rows: UserDayRow[], segment: string, metric: MetricKey, variants: { key: string }[], query: ResultsQuery): NonNullable<ExperimentResults["segments"]> {
  if (!isRatioMetric(metric)) return [];
  const definition = RATIO_METRICS[metric];
  const values = [...new Set(rows.map((r) => r.segment))].sort();
  return values.map((value) => {
    const perVariant = groupByVariantAndUser(rows.filter((r) => r.segment === value), definition);
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
