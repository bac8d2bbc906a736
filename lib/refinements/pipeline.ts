import { clickhouseTime, fromClickhouseTime } from "../clickhouse/time";
import type { Db } from "../db";
import { JOB_LOCKS, startBackgroundJob, stopBackgroundJob } from "../db/singleton";
import { codeCollection } from "./collection";
import { DEFAULT_REFINEMENT_CONFIG, type RefinementConfig } from "./config";
import {
  exposuresOf,
  forgetUserCode,
  insertSamples,
  nextSlice,
  pipelineWatermark,
  refinedSuggestions,
  saveWatermark,
  seenDedupeKeys,
  storedRefinedEvents,
  type RefinedSuggestion,
  type UserExposure,
} from "./queries";
import { buildSample, type RefinementSample, type SampleContext } from "./sample";
import { checkRefinementSyntax } from "./syntax";

// The refinement pipeline, run incrementally: every pass reads the refined events inserted since the
// last one (lib/refinements/queries.ts nextSlice), turns each suggestion's last refined event into a
// sample (lib/refinements/sample.ts), and only then moves its watermark. A pass that dies midway is
// simply repeated: a sample is keyed by its suggestion (ReplacingMergeTree, read with FINAL), so
// writing it twice stores it once, and nothing is skipped because the watermark moves last.

const INTERVAL_MS = 2_000;
/** Suggestions per slice: a slice is built, written and recorded as one step. */
const SLICE_SUGGESTIONS = 5_000;
/**
 * Samples built at once. Building is synchronous CPU work apart from a grammar's first load, so more
 * in flight only adds scheduling (measured: 16 at once cost 40% more than one after another).
 */
const BUILD_CONCURRENCY = 1;
/** An idle pipeline records how far it has read at most this often. */
const IDLE_WATERMARK_MS = 60_000;
/** How far before its watermark a pass starts reading (see runPipelinePass). */
const OVERLAP_MS = 5_000;

/**
 * The experiment and variant a sample belongs to, as results attribute it: the user's latest exposure
 * at or before the refinement (a user is in one running experiment at a time).
 */
export function exposureAt(exposures: readonly UserExposure[], refinedAt: string): { experimentKey: string; variantKey: string } {
  let found: UserExposure | undefined;
  for (const exposure of exposures) if (exposure.firstAt <= refinedAt) found = exposure;
  return { experimentKey: found?.experimentKey ?? "", variantKey: found?.variantKey ?? "" };
}

/** The samples table row of a sample (an opted-out user's row keeps no code). */
export function sampleRow(sample: RefinementSample, refinedEventId: string, processedAt: number) {
  const code = sample.outcome !== "opted_out";
  return {
    project_id: sample.projectId ?? "",
    suggestion_id: sample.suggestionId,
    user_id: sample.userId,
    model_version: sample.modelVersion,
    experiment_key: sample.experimentKey ?? "",
    variant_key: sample.variantKey ?? "",
    language: sample.language ?? "",
    ide: sample.ide ?? "",
    user_group: sample.userGroup ?? "",
    prefix: code ? sample.prefix : "",
    suffix: code ? sample.suffix : "",
    proposal: code ? sample.proposal : "",
    final: code ? sample.final : "",
    target: code ? sample.target : "",
    diff: code ? sample.diff : "",
    edit_distance: sample.editDistance,
    edit_ratio: sample.editRatio,
    retained_chars: sample.retainedChars,
    lines_added: sample.linesAdded,
    lines_removed: sample.linesRemoved,
    outcome: sample.outcome,
    reasons: sample.reasons,
    syntax: sample.syntax,
    secrets_found: sample.secretsFound,
    dedupe_key: sample.dedupeKey,
    window_seconds: sample.windowSeconds,
    accepted_at: clickhouseTime(sample.acceptedAt ?? sample.refinedAt),
    refined_at: clickhouseTime(sample.refinedAt),
    refined_event_id: refinedEventId,
    processed_at: clickhouseTime(processedAt),
  };
}

let syntaxFailureLogged = false;

/**
 * The syntax check, kept from stopping the pipeline: a grammar that cannot load is a deployment error
 * (logged once), and its samples are `unchecked` rather than every later pass failing on them.
 */
const checkSyntax: NonNullable<SampleContext["checkSyntax"]> = (language, input) =>
  checkRefinementSyntax(language, input).catch((error: Error) => {
    if (!syntaxFailureLogged) console.error(`[echo] syntax check unavailable (${language}); samples stay unchecked:`, error.message);
    syntaxFailureLogged = true;
    return "unchecked" as const;
  });

/** Runs `work` over `items` with at most `limit` in flight, keeping the input order in the answer. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The samples of one project's refined suggestions (in refinement order, so duplicates are decided in that order). */
async function projectSamples(
  client: Db,
  projectId: string,
  suggestions: RefinedSuggestion[],
  config: RefinementConfig,
): Promise<Record<string, unknown>[]> {
  const collection = await codeCollection(client, projectId);
  if (!collection.enabled) return [];
  // A pass re-reads the seconds before its watermark: samples already built from the same refined
  // event are not built again.
  const stored = await storedRefinedEvents(
    projectId,
    suggestions.map((s) => s.suggestionId),
  );
  suggestions = suggestions.filter((s) => stored.get(s.suggestionId) !== s.refinedEventId);
  if (!suggestions.length) return [];
  const exposures = new Map<string, UserExposure[]>();
  for (const exposure of await exposuresOf(projectId, [...new Set(suggestions.map((s) => s.userId))])) {
    (exposures.get(exposure.userId) ?? exposures.set(exposure.userId, []).get(exposure.userId)!).push(exposure);
  }
  const built = await mapLimited(suggestions, BUILD_CONCURRENCY, (s) =>
    buildSample(
      {
        ...s,
        projectId,
        ...exposureAt(exposures.get(s.userId) ?? [], s.refinedAt),
        refinedAt: fromClickhouseTime(s.refinedAt),
        acceptedAt: fromClickhouseTime(s.acceptedAt),
      },
      config,
      { optedOut: collection.optedOut.has(s.userId), checkSyntax },
    ),
  );
  // Duplicates: the same normalized context and target as an earlier sample (stored, or earlier in this slice).
  const candidates = built.filter((sample) => sample.outcome === "kept" || sample.outcome === "unchanged");
  const latest = suggestions.at(-1)?.refinedAt ?? "1970-01-01 00:00:00.000";
  const seen = await seenDedupeKeys(projectId, [...new Set(candidates.map((s) => s.dedupeKey))], latest);
  const firstInSlice = new Map<string, string>();
  const processedAt = Date.now();
  return built.map((sample, index) => {
    let final = sample;
    const key = sample.dedupeKey;
    if (sample.outcome === "kept" || sample.outcome === "unchanged") {
      const earlier = seen.get(key) ?? firstInSlice.get(key);
      if (earlier !== undefined && earlier !== sample.suggestionId) {
        final = { ...sample, outcome: "duplicate", reasons: [...sample.reasons, "duplicate"] as RefinementSample["reasons"] };
      } else firstInSlice.set(key, sample.suggestionId);
    }
    return sampleRow(final, suggestions[index].refinedEventId, processedAt);
  });
}

export interface PassReport {
  slices: number;
  samples: number;
}

export interface PassOptions {
  config?: RefinementConfig;
  /** Suggestions per slice (default 5,000). */
  sliceSuggestions?: number;
  /** Called after each slice is recorded (progress, crash tests). */
  onSlice?: (report: PassReport) => void;
}

/** Processes every refined event inserted since the last pass (until at most a second ago). */
export async function runPipelinePass(client: Db, options: PassOptions = {}): Promise<PassReport> {
  const config = options.config ?? DEFAULT_REFINEMENT_CONFIG;
  const size = options.sliceSuggestions ?? SLICE_SUGGESTIONS;
  const report: PassReport = { slices: 0, samples: 0 };
  const watermark = await pipelineWatermark();
  // A pass starts a little before the watermark: an insert that took long to commit may carry an
  // ingested_at the previous pass had already read past. Its samples are written again (once).
  let from = clickhouseTime(Math.max(0, fromClickhouseTime(watermark) - OVERLAP_MS));
  for (;;) {
    const slice = await nextSlice(from, size);
    if (slice.count === 0) {
      // Nothing refined since the watermark: move it on now and then, so the next reads stay small.
      if (fromClickhouseTime(slice.to) - fromClickhouseTime(watermark) > IDLE_WATERMARK_MS) await saveWatermark(slice.to);
      break;
    }
    const suggestions = await refinedSuggestions(from, slice.to);
    const byProject = new Map<string, RefinedSuggestion[]>();
    for (const s of suggestions) (byProject.get(s.projectId) ?? byProject.set(s.projectId, []).get(s.projectId)!).push(s);
    for (const [projectId, projectSuggestions] of byProject) {
      const rows = await projectSamples(client, projectId, projectSuggestions, config);
      await insertSamples(rows);
      report.samples += rows.length;
      // A user who opted out while this slice was built: their rows just written go again.
      const optedOut = (await codeCollection(client, projectId)).optedOut;
      for (const userId of new Set(projectSuggestions.map((s) => s.userId))) {
        if (optedOut.has(userId) && rows.some((r) => r.user_id === userId && r.outcome !== "opted_out")) {
          await forgetUserCode(projectId, userId);
        }
      }
    }
    await saveWatermark(slice.to);
    from = slice.to;
    report.slices++;
    options.onSlice?.(report);
  }
  return report;
}

const globalForPipeline = globalThis as unknown as { __echoRefinementPass?: Promise<PassReport> };

/** One pass at a time per process: the background job and callers (tests, benchmarks) share it. */
export function refinementPass(client: Db): Promise<PassReport> {
  globalForPipeline.__echoRefinementPass ??= runPipelinePass(client).finally(() => (globalForPipeline.__echoRefinementPass = undefined));
  return globalForPipeline.__echoRefinementPass;
}

/** Keeps samples within seconds of their refined events (server processes). */
export function startRefinementPipeline(client: Db) {
  const job = {
    name: "refinements",
    lock: JOB_LOCKS.refinements,
    intervalMs: INTERVAL_MS,
    failure: "refinement pipeline pass failed (retried on the next pass)",
  };
  startBackgroundJob(client, job, () => refinementPass(client));
}

export function stopRefinementPipeline() {
  stopBackgroundJob("refinements");
}
