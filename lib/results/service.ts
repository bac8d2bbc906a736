import { ExpiringCache } from "../auth/expiringCache";
import type { Principal } from "../auth/permissions";
import { clickhouseTime } from "../clickhouse/time";
import type { Db } from "../db";
import { invalid } from "../errors";
import { startBackgroundJob, stopBackgroundJob } from "../db/singleton";
import { getExperiment } from "../experiments/service";
import { runningExperiments } from "../experiments/store";
import { scorecardRefreshSeconds } from "../settings";
import { exposureSummary } from "../exposures/queries";
import { isRatioMetric, METRICS, type MetricKey, type RatioMetricKey, type SumKey } from "../metrics/registry";
import { seriesSteps, variantSummaries, type SeriesStep } from "../metrics/summaries";
import { userDayTable, type UserDayTable } from "../metrics/userDayTable";
import { ratioValues, sumsFor } from "../metrics/values";
import {
  adjustPValues,
  DEFAULT_POWER,
  guardrailCheck,
  InsufficientDataError,
  normalQuantile,
  quantileConfidenceIndices,
  srmCheck,
  type LiftEstimate,
  type QuantileSummary,
  type RatioSummary,
} from "../stats";
import {
  compareQuantile,
  compareRatio,
  controlFields,
  cupedAdjusted,
  noteOf,
  quantileVariant,
  ratioVariant,
  segments,
  series,
} from "./inference";
import {
  eventsInputs,
  NO_INPUT,
  latencyQuantiles,
  planSource,
  userDayRows,
  type EventsInput,
  type ResultsWindow,
  type SourcePlan,
} from "./queries";
import {
  bucketWindows,
  latencyClustering,
  quantilesFromWindows,
  windowsCover,
  type BucketWindows,
  type LatencyQuantile,
} from "./latencyWindow";
import { scorecardQuerySchema, type ExperimentResults, type ResultsQuery, type Scorecard, type ScorecardQuery } from "./schema";
import { decisionSupport, scorecardOrder } from "./scorecard";
import { DAY_MS, startOfUtcDay } from "../time";

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

// GET /api/v1/experiments/{key}/results and /scorecard: `loadResults` reads the window's exposures,
// per-user sums and latency order statistics (in parallel, once), and `assembleMetric` turns them into
// one metric's answer with the pure inference of ./inference.ts. The scorecard assembles every metric
// from the same reads, so each of its rows is exactly that metric's /results answer.

type VariantResult = ExperimentResults["variants"][number];
type Experiment = Awaited<ReturnType<typeof getExperiment>>;

/**
 * The window a query leaves open: since the experiment started, until it stopped (or now), and at most the
 * events' retention before its end (older events are gone: a longer window would only be refused).
 */
function resultsWindow(
  experiment: { startedAt: string | null; createdAt: string; stoppedAt: string | null },
  query: { from?: Date; to?: Date },
) {
  const to = query.to ?? (experiment.stoppedAt ? new Date(experiment.stoppedAt) : new Date(Date.now() + 60_000));
  const started = Date.parse(experiment.startedAt ?? experiment.createdAt);
  const from = query.from ?? new Date(Math.max(started, to.getTime() - MAX_WINDOW_DAYS * DAY_MS));
  return { from, to };
}

/** What a results answer is computed from: read once, shared by every metric of a scorecard. */
interface ResultsData {
  experiment: Experiment;
  from: Date;
  to: Date;
  exposures: Awaited<ReturnType<typeof exposureSummary>>;
  exposed: Map<string, number>;
  /** Per user and period (after exposure, and the CUPED lookback before it). */
  rows: UserDayTable;
  /** The day-by-day series' steps of the metric it was loaded for (results), or null (scorecard). */
  seriesSteps: SeriesStep[] | null;
  layout: SumKey[];
  segmentRows: UserDayTable;
  segmentLayout: SumKey[];
  latency: Map<string, QuantileSummary> | null;
}

/**
 * Reads what `metrics` need (the segment rows: what `segmentMetrics` need), and the day-by-day series of
 * `seriesMetric` when given, in parallel.
 */
async function loadResults(
  experiment: Experiment,
  principal: Principal,
  query: Omit<ResultsQuery, "metric">,
  metrics: MetricKey[],
  segmentMetrics: MetricKey[],
  seriesMetric?: RatioMetricKey,
): Promise<ResultsData> {
  const { from, to } = resultsWindow(experiment, query);
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
  // One quantile metric exists (latency p95); it is computed when requested or guarded.
  const quantileMetric = metrics.map((key) => METRICS[key]).find((m) => m.kind === "quantile");
  // Only the sums these metrics need are read.
  const layout = sumsFor(metrics);
  const segmentLayout = sumsFor(segmentMetrics);
  const plan = await planSource(window);
  // The series' metric rides along with the sums: each row carries its user's days after exposure.
  const series = seriesMetric ? METRICS[seriesMetric] : undefined;
  const readRows = (latency?: BucketWindows) =>
    layout.length || latency ? userDayRows(window, plan, layout, series, latency) : Promise.resolve(userDayTable([], 0));
  const [exposures, { rows, latency }, segmentRows] = await Promise.all([
    exposureSummary(window, variantKeys, window.to),
    quantileMetric?.kind === "quantile"
      ? rowsAndLatency(window, plan, variantKeys, query.alpha, quantileMetric.p, readRows)
      : readRows().then((rows) => ({ rows, latency: null })),
    query.segment && segmentLayout.length
      ? userDayRows({ ...window, segment: query.segment }, plan, segmentLayout)
      : Promise.resolve(userDayTable([], segmentLayout.length)),
  ]);
  const steps = series ? seriesSteps(rows, startOfUtcDay(window.from)) : null;
  // Exposed users of the window: first exposed before its end.
  const exposed = new Map(variantKeys.map((v) => [v, exposures.exposedBefore.get(v) ?? 0]));
  return { experiment, from, to, exposures, exposed, rows, seriesSteps: steps, layout, segmentRows, segmentLayout, latency };
}

/** Sample ratio mismatch of exposed users against the configured weights. */
function sampleRatio(data: ResultsData) {
  const observed = data.experiment.variants.map((v) => data.exposed.get(v.key)!);
  const srm = observed.some((n) => n > 0)
    ? srmCheck(
        observed,
        data.experiment.variants.map((v) => v.weight),
      )
    : { pValue: 1, mismatch: false, chiSquare: 0, expected: observed.map(() => 0) };
  return { pValue: srm.pValue, mismatch: srm.mismatch, chiSquare: srm.chiSquare, expected: srm.expected, observed };
}

/** How an answer (results or scorecard) was computed and over which window. */
function computedWith(query: Omit<ResultsQuery, "metric">, data: ResultsData) {
  const { method, alpha, correction, cuped } = query;
  return { method, alpha, correction, cuped, from: data.from.toISOString(), to: data.to.toISOString() };
}

/** The window's exposure health, as both answers report it. */
function health(data: ResultsData) {
  const { totalUsers, multipleExposures, daily } = data.exposures;
  return { exposedUsers: totalUsers, multipleExposures, exposuresPerDay: daily };
}

/** One metric's answer from loaded data, and each treatment's lift estimate (for decision support). */
function assembleMetric(
  data: ResultsData,
  metric: MetricKey,
  query: ResultsQuery,
  options: { guardrails?: ExperimentResults["guardrails"] } = {},
) {
  const { experiment, exposures, exposed, rows, layout, latency } = data;
  const variantKeys = experiment.variants.map((v) => v.key);
  const controlKey = variantKeys[0];
  const definition = METRICS[metric];

  // The requested metric, per variant and against control.
  const variants: VariantResult[] = [];
  const estimates = new Map<string, LiftEstimate>();
  if (isRatioMetric(metric)) {
    const summaries = variantSummaries(rows, ratioValues(metric, layout), exposed);
    const control = summaries.get(controlKey)!;
    for (const [index, variant] of experiment.variants.entries()) {
      const summary = summaries.get(variant.key)!;
      const value = ratioVariant(variant, summary, query.alpha);
      if (index === 0) {
        variants.push({ ...value, ...controlFields() });
        continue;
      }
      const { fields, estimate } = compareRatio(control, summary, query);
      if (estimate) estimates.set(variant.key, estimate);
      // With CUPED the shown value is the adjusted one, so value, lift and interval tell one story.
      const shown = query.cuped && estimate ? cupedAdjusted(value, control, summary, query.alpha) : value;
      variants.push({ ...shown, ...fields });
    }
  } else if (latency) {
    const control = latency.get(controlKey);
    for (const [index, variant] of experiment.variants.entries()) {
      const summary = latency.get(variant.key);
      const value = quantileVariant(variant, summary, exposed.get(variant.key) ?? 0);
      if (index === 0) {
        variants.push({ ...value, ...controlFields() });
        continue;
      }
      const { fields, estimate } = compareQuantile(control, summary, query);
      if (estimate) estimates.set(variant.key, estimate);
      variants.push({ ...value, ...fields });
    }
  }

  // Guardrails: one-sided "significantly worse" checks of each treatment (copies: the adjustment below is per metric).
  const guardrails = (options.guardrails ?? guardrailChecks(data, query)).map((g) => ({ ...g }));

  // Multiple comparisons across variants × metrics (the requested metric and the guardrails).
  const family = [...variants.filter((v) => v.pValue !== null), ...guardrails.filter((g) => g.pValue !== null)];
  const adjusted = adjustPValues(
    family.map((f) => f.pValue!),
    query.correction,
  );
  family.forEach((f, i) => (f.adjustedPValue = adjusted[i]));
  for (const v of variants) if (v.adjustedPValue !== null && v.pValue !== null) v.significant = v.adjustedPValue < query.alpha;
  for (const g of guardrails) if (g.adjustedPValue !== null) g.worse = g.adjustedPValue < query.alpha;

  let segmentAnswer: Pick<ExperimentResults, "segments" | "heterogeneity" | "segmentsNote"> = {};
  if (query.segment) {
    if (!isRatioMetric(metric)) {
      const note = `${definition.label} is a quantile over all suggestions; it is not split by cohort (choose a rate or per-user metric).`;
      segmentAnswer = { segments: [], heterogeneity: [], segmentsNote: note };
    } else {
      const split = segments(data.segmentRows, query.segment, ratioValues(metric, data.segmentLayout), experiment.variants, query);
      const note = split.segments.length ? null : "No events of exposed users in this window carry this attribute yet.";
      segmentAnswer = { segments: split.segments, heterogeneity: split.heterogeneity, segmentsNote: note };
    }
  }

  const results: ExperimentResults = {
    experimentKey: experiment.key,
    phase: experiment.phase,
    metric,
    metricLabel: definition.label,
    metricFormula: definition.formula,
    unit: definition.unit,
    higherIsBetter: definition.higherIsBetter,
    ...computedWith(query, data),
    srm: sampleRatio(data),
    health: health(data),
    variants,
    guardrails,
    series:
      data.seriesSteps && isRatioMetric(metric)
        ? series(data.seriesSteps, ratioValues(metric, layout), variantKeys, exposures.daily, exposed, query)
        : [],
    ...segmentAnswer,
  };
  return { results, estimates };
}

/** The experiment's guardrails: per treatment a one-sided test for harm (its own p-value, not the two-sided one). */
function guardrailChecks(data: ResultsData, query: ResultsQuery): ExperimentResults["guardrails"] {
  const { experiment, rows, layout, exposed, latency } = data;
  const controlKey = experiment.variants[0].key;
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
  return guardrails;
}

export async function experimentResults(client: Db, principal: Principal, key: string, query: ResultsQuery): Promise<ExperimentResults> {
  const experiment = await getExperiment(client, principal, key);
  const metrics = [query.metric, ...experiment.guardrailMetrics];
  const data = await loadResults(
    experiment,
    principal,
    query,
    metrics,
    [query.metric],
    isRatioMetric(query.metric) ? query.metric : undefined,
  );
  return assembleMetric(data, query.metric, query).results;
}

/**
 * GET /api/v1/experiments/{key}/scorecard: every metric of the registry at once (primary, then
 * secondary, then guardrails), each exactly its /results answer, read in one pass: one query for every
 * ratio metric's sums, one for latency, one for exposures. Per metric the decision support of
 * ./scorecard.ts: MDE at the current sample, users needed for 80% power at the experiment's target
 * effect, days remaining at the current traffic.
 */
export async function experimentScorecard(client: Db, principal: Principal, key: string, query: ScorecardQuery): Promise<Scorecard> {
  const experiment = await getExperiment(client, principal, key);
  // The same query within SCORECARD_TTL_MS shares one computation (a page's first load, its refetches and
  // other viewers); `computedAt` says when it ran and `refresh` computes again. Any change to the
  // experiment (start, stop, a PATCH, a new phase) changes the key. A running experiment's default view
  // is also kept computed in the background (keepScorecardsComputed).
  const cacheKey = scorecardCacheKey(principal, experiment, query);
  const cached = query.refresh ? undefined : scorecards.get(cacheKey);
  if (cached) return cached.value;
  const computing = computeScorecard(experiment, principal, query);
  scorecards.set(cacheKey, computing);
  computing.catch(() => scorecards.delete(cacheKey));
  return computing;
}

const SCORECARD_TTL_MS = 30_000;
// On globalThis: the background job (started by server.ts's copy of this module) and the route handlers
// (Next's copy) must share one cache.
const globalForScorecards = globalThis as unknown as { __echoScorecards?: ExpiringCache<Promise<Scorecard>> };
const scorecards = (globalForScorecards.__echoScorecards ??= new ExpiringCache<Promise<Scorecard>>(SCORECARD_TTL_MS, 200));

function scorecardCacheKey(principal: Principal, experiment: Experiment, query: ScorecardQuery): string {
  const asked = { ...query, format: undefined, refresh: undefined };
  return JSON.stringify([principal.projectId, experiment.key, experiment.updatedAt, experiment.phase, asked]);
}

/** The view an experiment page opens on: no parameters (the experiment's whole window, defaults). */
const DEFAULT_VIEW = scorecardQuerySchema.parse({});

/** The background job's identity: it reads results, as a viewer of the project would. */
const upkeep = (projectId: string): Principal => ({ kind: "user", userId: "system", email: "scorecard-upkeep", role: "viewer", projectId });

/** Running experiments whose last upkeep computation failed, with its message (logged when it starts or changes, not every turn). */
let upkeepFailures = new Map<string, string>();

/** What each kept default view was computed over (by cache key), and where its window ended. */
let keptInputs = new Map<string, { input: EventsInput; to: number }>();

/**
 * Recomputes the default view of every running experiment's scorecard and replaces the kept one only
 * once the new one is ready, so a visit never waits for a computation (it shows "last computed").
 * Each entry outlives two turns of the job, so the next turn replaces it before it expires. A kept
 * answer over the events stored now (nothing inserted since, no stored event after its window's end)
 * is kept as it is: recomputing it would give the same figures (but for its window's end and the
 * traffic per day behind days remaining, both as of then), and its `computedAt` stays the time it was
 * computed. An experiment whose computation fails is named in the log and skipped: the others are
 * still kept.
 */
export async function keepScorecardsComputed(
  client: Db,
  everyMs: number,
): Promise<{ computed: number; unchanged: number; failed: string[] }> {
  const counts = { computed: 0, unchanged: 0 };
  const failed: string[] = [];
  const previousFailures = upkeepFailures;
  const previousInputs = keptInputs;
  upkeepFailures = new Map();
  keptInputs = new Map();
  const running = await runningExperiments(client);
  // Read before any computation: whatever is inserted while they run makes the next turn compute again.
  const inputs = await eventsInputs([...new Set(running.map((r) => r.projectId))]);
  const keptFor = 2 * everyMs + 10_000;
  for (const { projectId, experiment } of running) {
    const principal = upkeep(projectId);
    const input = inputs.get(projectId) ?? NO_INPUT;
    try {
      const cacheKey = scorecardCacheKey(principal, experiment, DEFAULT_VIEW);
      const kept = scorecards.get(cacheKey);
      const keptInput = previousInputs.get(cacheKey);
      if (kept && keptInput && sameInput(keptInput.input, input) && input.latestEventMs < keptInput.to) {
        scorecards.set(cacheKey, kept.value, Date.now(), keptFor);
        keptInputs.set(cacheKey, keptInput);
        counts.unchanged++;
        continue;
      }
      const scorecard = await computeScorecard(experiment, principal, DEFAULT_VIEW);
      scorecards.set(cacheKey, Promise.resolve(scorecard), Date.now(), keptFor);
      keptInputs.set(cacheKey, { input, to: Date.parse(scorecard.to) });
      counts.computed++;
    } catch (error) {
      const { key } = experiment;
      const message = (error as Error).message;
      const name = `${projectId}/${key}`;
      if (previousFailures.get(name) !== message) {
        console.error(
          `[echo] scorecard upkeep of experiment '${key}' (project ${projectId}) failed, its visits compute their own: ${message}`,
        );
      }
      upkeepFailures.set(name, message);
      failed.push(key);
    }
  }
  return { ...counts, failed };
}

const sameInput = (a: EventsInput, b: EventsInput) =>
  a.insertedRows === b.insertedRows &&
  a.lastIngestedAt === b.lastIngestedAt &&
  a.exposureRows === b.exposureRows &&
  a.lastFirstExposedAt === b.lastFirstExposedAt;

/** Keeps running experiments' scorecards computed in the background of this server (every instance: the kept answers are per process). */
export function startScorecardUpkeep(client: Db) {
  const everyMs = scorecardRefreshSeconds() * 1000;
  if (everyMs === 0) return;
  startBackgroundJob(
    client,
    { name: "scorecards", intervalMs: everyMs, firstRunMs: 5_000, failure: "scorecard upkeep failed (visits compute their own)" },
    () => keepScorecardsComputed(client, everyMs),
  );
}

export function stopScorecardUpkeep(): Promise<void> {
  return stopBackgroundJob("scorecards");
}

async function computeScorecard(experiment: Experiment, principal: Principal, query: ScorecardQuery): Promise<Scorecard> {
  const order = scorecardOrder(experiment.primaryMetric, experiment.guardrailMetrics);
  const ratioMetrics = order.map((m) => m.metric).filter(isRatioMetric);
  const data = await loadResults(
    experiment,
    principal,
    query,
    order.map((m) => m.metric),
    ratioMetrics,
  );
  const usersSoFar = [...data.exposed.values()].reduce((s, n) => s + n, 0);
  // Traffic so far: exposed users per elapsed day of the window (at least one day).
  const elapsedDays = Math.max(1, (Math.min(data.to.getTime(), Date.now()) - data.from.getTime()) / DAY_MS);
  const traffic = { usersSoFar, usersPerDay: usersSoFar / elapsedDays, running: experiment.status === "running" };
  const guardrails = guardrailChecks(data, { ...query, metric: experiment.primaryMetric });
  const metrics = order.map(({ metric, role }) => {
    const { results, estimates } = assembleMetric(data, metric, { ...query, metric }, { guardrails });
    const definition = METRICS[metric];
    const decision = decisionSupport([...estimates.values()], experiment.targetEffect, query.alpha, traffic);
    return {
      metric,
      role,
      label: definition.label,
      formula: definition.formula,
      unit: definition.unit,
      higherIsBetter: definition.higherIsBetter,
      variants: results.variants,
      guardrail:
        role === "guardrail" || experiment.guardrailMetrics.includes(metric)
          ? results.guardrails.filter((g) => g.metric === metric)
          : undefined,
      ...decision,
      ...(query.segment ? { segments: results.segments, heterogeneity: results.heterogeneity, segmentsNote: results.segmentsNote } : {}),
    };
  });
  const srm = sampleRatio(data);
  return {
    experimentKey: experiment.key,
    phase: experiment.phase,
    status: experiment.status,
    primaryMetric: experiment.primaryMetric,
    computedAt: new Date().toISOString(),
    ...computedWith(query, data),
    targetEffect: experiment.targetEffect,
    power: DEFAULT_POWER,
    srm,
    health: health(data),
    metrics,
  };
}

/** Per experiment phase, each variant's bucket of the last latency quantile (see lib/results/latencyWindow.ts). */
const globalForBuckets = globalThis as unknown as { __echoQuantileBuckets?: ExpiringCache<Map<string, number>> };
const quantileBuckets = (globalForBuckets.__echoQuantileBuckets ??= new ExpiringCache<Map<string, number>>(DAY_MS, 1_000));

/**
 * The users' rows with their latencies around the quantile, and the latency quantile per variant with the
 * order statistics that bracket it and the clustering correction. When the quantile's bucket can be
 * expected from the last answer, the rows are read around it first, and their sums give the quantile
 * when its ranks fall in the window (most requests: one query); otherwise, and without an expectation,
 * the histograms are read, then the rows around the quantile they give.
 */
async function rowsAndLatency(
  window: ResultsWindow,
  plan: SourcePlan,
  variants: string[],
  alpha: number,
  p: number,
  readRows: (latency: BucketWindows) => Promise<UserDayTable>,
): Promise<{ rows: UserDayTable; latency: Map<string, QuantileSummary> }> {
  const key = `${window.projectId}\u0000${window.experimentKey}\u0000${window.phase}`;
  const expected = quantileBuckets.get(key);
  const z = normalQuantile(1 - alpha / 2);
  let quantiles: LatencyQuantile[] | null = null;
  let windows: BucketWindows | undefined;
  let rows = userDayTable([], 0);
  if (expected) {
    windows = bucketWindows(expected.value);
    rows = await readRows(windows);
    quantiles = quantilesFromWindows(rows, windows, variants, p, z);
  }
  if (!quantiles) {
    quantiles = await latencyQuantiles(window, plan, variants, p, z);
    if (windows && !windowsCover(windows, quantiles)) windows = undefined;
  }
  const buckets = new Map(quantiles.map((q) => [q.variant, q.bucket]));
  if (!windows) rows = await readRows((windows = bucketWindows(buckets)));
  quantileBuckets.set(key, buckets);
  return { rows, latency: latencySummaries(quantiles, latencyClustering(rows, windows, quantiles), alpha, p) };
}

/** The latency quantile per variant with the order statistics that bracket it and the clustering correction. */
function latencySummaries(
  quantiles: LatencyQuantile[],
  clustering: Map<string, RatioSummary>,
  alpha: number,
  p: number,
): Map<string, QuantileSummary> {
  const out = new Map<string, QuantileSummary>();
  for (const s of quantiles) {
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
      clustering: clustering.get(s.variant),
    });
  }
  return out;
}
