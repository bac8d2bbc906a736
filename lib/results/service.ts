import type { Principal } from "../auth/permissions";
import { clickhouseTime } from "../clickhouse/time";
import type { Db } from "../db";
import { invalid } from "../errors";
import { getExperiment } from "../experiments/service";
import { exposureSummary } from "../exposures/queries";
import { isRatioMetric, METRICS, type MetricKey } from "../metrics/registry";
import { variantSummaries } from "../metrics/summaries";
import { ratioValues, sumsFor } from "../metrics/values";
import {
  adjustPValues,
  guardrailCheck,
  InsufficientDataError,
  normalQuantile,
  quantileConfidenceIndices,
  srmCheck,
  type QuantileSummary,
} from "../stats";
import { compareQuantile, compareRatio, controlFields, noteOf, quantileVariant, ratioVariant, segments, series } from "./inference";
import { latencyOrderStatistics, planSource, userDayRows, type ResultsWindow, type SourcePlan } from "./queries";
import type { ExperimentResults, ResultsQuery } from "./schema";
import { DAY_MS } from "../time";

/** The longest results window: the events' retention (a longer one reads nothing more, and costs a lot). */
export const MAX_WINDOW_DAYS = 731;

/** A window that ends after it starts and spans at most MAX_WINDOW_DAYS; else a 400 naming the field. */
export function checkWindow(from: Date, to: Date) {
  if (to.getTime() <= from.getTime()) {
    throw invalid(`Invalid query: to: must be after from (${from.toISOString()})`, [{ path: "query.to", message: "must be after from" }]);
  }
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY_MS) {
    const message = `the window may span at most ${MAX_WINDOW_DAYS} days (the events' retention)`;
    throw invalid(`Invalid query: from: ${message}`, [{ path: "query.from", message }]);
  }
}

// GET /api/v1/experiments/{key}/results: loads the window's exposures, per-user sums and latency order
// statistics (in parallel), and assembles the answer from the pure inference in ./inference.ts.

type VariantResult = ExperimentResults["variants"][number];

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
  checkWindow(from, to);
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
  const metric: MetricKey = query.metric;
  const definition = METRICS[metric];
  // One quantile metric exists (latency p95); it is computed when requested or guarded.
  const quantileMetric = [metric, ...experiment.guardrailMetrics].map((key) => METRICS[key]).find((m) => m.kind === "quantile");

  // Only the sums this request's ratio metrics need are read (the segments: the requested metric's).
  const layout = sumsFor([metric, ...experiment.guardrailMetrics]);
  const segmentLayout = sumsFor([metric]);
  const plan = await planSource(window);
  // The latency query needs nothing from the others: the engine runs it while this thread parses rows.
  const [exposures, rows, segmentRows, latency] = await Promise.all([
    exposureSummary(window, variantKeys, window.to),
    layout.length ? userDayRows(window, plan, layout) : Promise.resolve([]),
    query.segment && segmentLayout.length ? userDayRows({ ...window, segment: query.segment }, plan, segmentLayout) : Promise.resolve([]),
    quantileMetric?.kind === "quantile"
      ? latencySummaries(window, plan, variantKeys, query.alpha, quantileMetric.p)
      : Promise.resolve(null),
  ]);
  // Exposed users of the window: first exposed before its end.
  const exposed = new Map(variantKeys.map((v) => [v, exposures.exposedBefore.get(v) ?? 0]));

  // Health: sample ratio mismatch of exposed users against the configured weights.
  const observed = variantKeys.map((v) => exposed.get(v)!);
  const srm = observed.some((n) => n > 0)
    ? srmCheck(
        observed,
        experiment.variants.map((v) => v.weight),
      )
    : { pValue: 1, mismatch: false, chiSquare: 0, expected: observed.map(() => 0) };

  // The requested metric, per variant and against control.
  const variants: VariantResult[] = [];
  if (isRatioMetric(metric)) {
    const summaries = variantSummaries(rows, ratioValues(metric, layout), exposed);
    const control = summaries.get(controlKey)!;
    for (const [index, variant] of experiment.variants.entries()) {
      const summary = summaries.get(variant.key)!;
      const comparison = index === 0 ? controlFields() : compareRatio(control, summary, query);
      variants.push({ ...ratioVariant(variant, summary, query.alpha), ...comparison });
    }
  } else if (latency) {
    const control = latency.get(controlKey);
    for (const [index, variant] of experiment.variants.entries()) {
      const summary = latency.get(variant.key);
      const comparison = index === 0 ? controlFields() : compareQuantile(control, summary, query);
      variants.push({ ...quantileVariant(variant, summary, exposed.get(variant.key) ?? 0), ...comparison });
    }
  }

  // Guardrails: one-sided "significantly worse" checks of each treatment.
  const guardrails: ExperimentResults["guardrails"] = [];
  for (const guardrail of experiment.guardrailMetrics) {
    const guarded = METRICS[guardrail];
    const summaries = isRatioMetric(guardrail) ? variantSummaries(rows, ratioValues(guardrail, layout), exposed) : null;
    const direction = guarded.higherIsBetter ? "lower_is_worse" : "higher_is_worse";
    for (const variant of experiment.variants.slice(1)) {
      try {
        let check;
        if (guarded.kind === "quantile") {
          const c = latency?.get(controlKey);
          const t = latency?.get(variant.key);
          if (!c || !t) throw new InsufficientDataError("no latency data");
          check = guardrailCheck(c, t, { direction, alpha: query.alpha });
        } else if (summaries) {
          check = guardrailCheck(summaries.get(controlKey)!, summaries.get(variant.key)!, { direction, alpha: query.alpha });
        } else continue;
        const row = { metric: guardrail, variant: variant.key, adjustedPValue: null, note: null };
        guardrails.push({ ...row, pValue: check.pValue, worse: check.worse, relativeChange: check.estimate });
      } catch (error) {
        const row = { metric: guardrail, variant: variant.key, pValue: null, adjustedPValue: null };
        guardrails.push({ ...row, worse: false, relativeChange: null, note: noteOf(error) });
      }
    }
  }

  // Multiple comparisons across variants × metrics (the requested metric and the guardrails).
  const family = [...variants.filter((v) => v.pValue !== null), ...guardrails.filter((g) => g.pValue !== null)];
  const adjusted = adjustPValues(
    family.map((f) => f.pValue!),
    query.correction,
  );
  family.forEach((f, i) => (f.adjustedPValue = adjusted[i]));
  for (const v of variants) if (v.adjustedPValue !== null && v.pValue !== null) v.significant = v.adjustedPValue < query.alpha;
  for (const g of guardrails) if (g.adjustedPValue !== null) g.worse = g.adjustedPValue < query.alpha;

  return {
    experimentKey: experiment.key,
    phase: experiment.phase,
    metric,
    metricLabel: definition.label,
    metricFormula: definition.formula,
    unit: definition.unit,
    higherIsBetter: definition.higherIsBetter,
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
    series: isRatioMetric(metric) ? series(rows, ratioValues(metric, layout), variantKeys, exposures.daily, exposed, query) : [],
    ...(query.segment
      ? {
          segments: isRatioMetric(metric)
            ? segments(segmentRows, query.segment, ratioValues(metric, segmentLayout), experiment.variants, query)
            : [],
        }
      : {}),
  };
}

/** The latency quantile per variant with the order statistics that bracket it and the clustering correction, in one query. */
async function latencySummaries(
  window: ResultsWindow,
  plan: SourcePlan,
  variants: string[],
  alpha: number,
  p: number,
): Promise<Map<string, QuantileSummary>> {
  const statistics = await latencyOrderStatistics(window, plan, variants, p, normalQuantile(1 - alpha / 2));
  const out = new Map<string, QuantileSummary>();
  for (const s of statistics) {
    let bracket: { lower: number; upper: number } | null = null;
    try {
      bracket = quantileConfidenceIndices(s.n, p, alpha);
    } catch {
      bracket = null; // too few latencies to bracket the quantile: no interval
    }
    // The query computed the same ranks in SQL (IEEE doubles, same operations); a mismatch is a bug.
    if (bracket && (bracket.lower !== s.ranks.lower || bracket.upper !== s.ranks.upper)) {
      throw new Error(
        `latency ranks disagree: SQL ${s.ranks.lower}…${s.ranks.upper}, lib/stats ${bracket.lower}…${bracket.upper} (n = ${s.n})`,
      );
    }
    out.set(s.variant, {
      n: s.n,
      p: p,
      quantile: s.quantile,
      lowerValue: bracket ? s.lowerValue : undefined,
      upperValue: bracket ? s.upperValue : undefined,
      ciAlpha: alpha,
      clustering: s.clustering,
    });
  }
  return out;
}
