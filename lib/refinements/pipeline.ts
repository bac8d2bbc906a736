import { clickhouseTime, fromClickhouseTime } from "../clickhouse/time";
import type { Db } from "../db";
import { JOB_LOCKS, startBackgroundJob, stopBackgroundJob } from "../db/singleton";
import { codeCollection } from "./collection";
import { DEFAULT_REFINEMENT_CONFIG, type RefinementConfig } from "./config";
import { CLEAN_OUTCOMES } from "./outcome";
import {
  exposuresOf,
  forgetUserCode,
  insertSampleLines,
  nextSlice,
  pipelineWatermark,
  refinedInsertGroups,
  refinedSuggestionsText,
  saveWatermark,
  seenDedupeKeys,
  staleSuggestionCount,
  type InsertGroup,
  type UserExposure,
} from "./queries";
import { buildSampleChunks, type BuildOptions } from "./buildPool";
import { sampleLine, scanRefinedLines, type BuiltRow, type RefinedHead } from "./rows";

// The refinement pipeline, run incrementally: every pass reads the refined events inserted since the
// last one (lib/refinements/queries.ts nextSlice), turns each suggestion's last refined event into a
// sample (lib/refinements/sample.ts), and only then moves its watermark. A pass that dies midway is
// simply repeated: a sample is keyed by its suggestion (ReplacingMergeTree, read with FINAL), so
// writing it twice stores it once, and nothing is skipped because the watermark moves last.

const INTERVAL_MS = 2_000;
/** Suggestions per slice: a slice is built, written and recorded as one step. */
const SLICE_SUGGESTIONS = 5_000;
/** An idle pipeline records how far it has read at most this often. */
const IDLE_WATERMARK_MS = 60_000;
/** Chunks of built samples (buildPool.ts) whose earlier duplicates are looked up in one query. */
const DEDUPE_LOOKUP_CHUNKS = 5;
/**
 * Sample lines gathered before they are inserted: fewer, larger parts for the engine to merge (measured on
 * a 20,000-sample pass: an insert per lookup group cost about 0.4 s more CPU, most of it in merges).
 */
const INSERT_LINES = 5_000;
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

/** One project's part of a slice, read and being built (nothing written yet). */
interface PreparedProject {
  projectId: string;
  suggestions: RefinedHead[];
  /** The suggestions' sample rows in consecutive chunks, in order; null when the project does not collect samples. */
  built: Promise<BuiltRow[]>[] | null;
  /** Its users' exposures, by user, earliest first. */
  exposures?: Promise<Map<string, UserExposure[]>>;
}

interface PreparedSlice {
  to: string;
  count: number;
  groups: InsertGroup[];
  projects: PreparedProject[];
}

/**
 * Reads the slice after `from` and starts building its samples (lib/refinements/buildPool.ts). Only reads:
 * the pass prepares the next slice this way while it writes the current one.
 */
async function prepareSlice(
  client: Db,
  from: string,
  size: number,
  config: RefinementConfig,
  build: BuildOptions,
  rereads: boolean,
): Promise<PreparedSlice> {
  const slice = await nextSlice(from, size);
  if (slice.count === 0) return { ...slice, projects: [] };
  // A slice that starts before the watermark re-reads refined events an earlier pass has turned into
  // samples (at steady state, most of a pass's first slice): those are left out by the engine.
  const lines = scanRefinedLines(await refinedSuggestionsText(from, slice.to, { skipStored: rereads }));
  const projects: PreparedProject[] = [];
  // A project's lines are consecutive (refinedSuggestionsText orders them so).
  for (let first = 0; first < lines.heads.length;) {
    const projectId = lines.heads[first].projectId;
    let end = first + 1;
    while (end < lines.heads.length && lines.heads[end].projectId === projectId) end++;
    const suggestions = lines.heads.slice(first, end);
    const collection = await codeCollection(client, projectId);
    if (!collection.enabled) {
      projects.push({ projectId, suggestions, built: null });
    } else {
      const optedOut = suggestions.map((s) => collection.optedOut.has(s.userId));
      const built = buildSampleChunks({ lines, from: first, to: end, optedOut, config }, build);
      // The experiment and variant change nothing in how a sample is built: they are looked up meanwhile.
      const exposures = exposuresOf(projectId, [...new Set(suggestions.map((s) => s.userId))]).then((rows) => {
        const byUser = new Map<string, UserExposure[]>();
        for (const exposure of rows) (byUser.get(exposure.userId) ?? byUser.set(exposure.userId, []).get(exposure.userId)!).push(exposure);
        return byUser;
      });
      // Each is awaited (and a failure raised) when the slice is written.
      for (const pending of [...built, exposures]) pending.catch(() => {});
      projects.push({ projectId, suggestions, built, exposures });
    }
    first = end;
  }
  return { ...slice, projects };
}

/** What a project's part of a slice wrote: how many samples, and the users some of whose code they keep. */
interface ProjectWrite {
  samples: number;
  usersWithCode: Set<string>;
}

/**
 * Writes one project's prepared samples in refinement order, so duplicates are decided in that order,
 * inserting the lines of every INSERT_LINES or so once their duplicates are decided, while later chunks
 * are still being built. Lookups pass over the stored samples of the suggestions this slice builds (an
 * earlier version, or this slice's own rows once inserted), so whether a lookup sees the rows inserted
 * before it changes nothing: a key's first sample is an earlier stored one, or the earlier one of this slice.
 */
async function writeProject({ projectId, suggestions, built, exposures }: PreparedProject): Promise<ProjectWrite> {
  const out: ProjectWrite = { samples: 0, usersWithCode: new Set() };
  if (!built || !exposures || !suggestions.length) return out;
  const latest = suggestions[suggestions.length - 1].refinedAt;
  // Their stored samples (an earlier version, or this slice's, inserted below) are no originals: this slice
  // decides them. (A re-read slice holds only suggestions without an up-to-date sample; a slice a crashed pass
  // had already written is written again, the same samples once more, which reads with FINAL count once.)
  const rebuilding = new Set(suggestions.map((s) => s.suggestionId));
  const seen = new Map<string, string>();
  const asked = new Set<string>();
  const firstInSlice = new Map<string, string>();
  const processedAt = clickhouseTime(Date.now());
  const exposuresByUser = await exposures;
  // Each group's lookup is sent as soon as its samples are built and the keys of the groups before it are
  // known (a key is asked once), without waiting for earlier answers or inserts: the engine answers them in turn.
  type Group = { rows: BuiltRow[]; first: number; found: Promise<Map<string, string>> };
  const groups: Promise<Group>[] = [];
  let at = 0;
  for (let chunk = 0; chunk < built.length; chunk += DEDUPE_LOOKUP_CHUNKS) {
    const parts = Promise.all(built.slice(chunk, chunk + DEDUPE_LOOKUP_CHUNKS));
    const group = Promise.all([parts, groups.at(-1)]).then(([chunks]) => {
      const rows = chunks.flat();
      const first = at;
      at += rows.length;
      const keys = new Set<string>();
      for (const row of rows) if (isCandidate(row) && !asked.has(row.dedupeKey)) keys.add(row.dedupeKey);
      for (const key of keys) asked.add(key);
      const found = seenDedupeKeys(projectId, [...keys], latest, rebuilding);
      found.catch(() => {}); // awaited below, in order
      return { rows, first, found };
    });
    group.catch(() => {}); // awaited below, in order
    groups.push(group);
  }
  const inserts: Promise<void>[] = [];
  let pending: string[] = [];
  for (let g = 0; g < groups.length; g++) {
    const { rows, first, found } = await groups[g];
    for (const [key, earliest] of await found) seen.set(key, earliest);
    const lines: string[] = [];
    rows.forEach((row, i) => {
      const suggestion = suggestions[first + i];
      let { outcome, reasons }: { outcome: BuiltRow["outcome"]; reasons: readonly string[] } = row;
      if (isCandidate(row)) {
        const earlier = seen.get(row.dedupeKey) ?? firstInSlice.get(row.dedupeKey);
        if (earlier !== undefined && earlier !== suggestion.suggestionId) {
          outcome = "duplicate";
          reasons = [...reasons, "duplicate"];
        } else firstInSlice.set(row.dedupeKey, suggestion.suggestionId);
      }
      const { experimentKey, variantKey } = exposureAt(exposuresByUser.get(suggestion.userId) ?? [], suggestion.refinedAt);
      lines.push(sampleLine(row, { experimentKey, variantKey, outcome, reasons, processedAt }));
      if (outcome !== "opted_out") out.usersWithCode.add(suggestion.userId);
    });
    out.samples += lines.length;
    pending.push(...lines);
    if (pending.length < INSERT_LINES && g < groups.length - 1) continue;
    const insert = insertSampleLines(pending);
    pending = [];
    insert.catch(() => {}); // awaited below, before the slice counts as written
    inserts.push(insert);
  }
  await Promise.all(inserts);
  return out;
}

/** A sample that may turn out a duplicate: a clean one (kept, or a plain accept). */
function isCandidate(row: BuiltRow): boolean {
  return CLEAN_OUTCOMES.includes(row.outcome);
}

export interface PassReport {
  slices: number;
  samples: number;
}

export interface PassOptions {
  config?: RefinementConfig;
  /** Suggestions per slice (default 5,000). */
  sliceSuggestions?: number;
  /** Where samples are built (default: a worker per core for large slices; see buildPool.ts). */
  build?: BuildOptions;
  /** Called after each slice is recorded (progress, crash tests). */
  onSlice?: (report: PassReport) => void;
}

/**
 * Processes every refined event inserted since the last pass (until at most a second ago). Slices are
 * written one after another, in order, each followed by the watermark; while one is written, the next
 * is already read and being built by the worker pool.
 */
export async function runPipelinePass(client: Db, options: PassOptions = {}): Promise<PassReport> {
  const config = options.config ?? DEFAULT_REFINEMENT_CONFIG;
  const size = options.sliceSuggestions ?? SLICE_SUGGESTIONS;
  const build = options.build ?? {};
  const report: PassReport = { slices: 0, samples: 0 };
  const watermark = await pipelineWatermark();
  // A pass starts a little before the watermark when something there has no up-to-date sample: an insert
  // that took long to commit may carry an ingested_at the previous pass had already read past. Inserts this
  // process has written whole need no check (most passes: one read of the overlap's insert times).
  const overlap = clickhouseTime(Math.max(0, fromClickhouseTime(watermark) - OVERLAP_MS));
  let from = watermark;
  if (overlap < watermark) {
    const unknown = (await refinedInsertGroups(overlap, watermark)).some((group) => writtenInserts().get(group.at) !== group.rows);
    if (unknown && (await staleSuggestionCount(overlap, watermark)) > 0) from = overlap;
  }
  let next = prepareSlice(client, from, size, config, build, from < watermark);
  for (;;) {
    const slice = await next;
    if (slice.count === 0) {
      // Nothing refined since the watermark: move it on now and then, so the next reads stay small.
      if (fromClickhouseTime(slice.to) - fromClickhouseTime(watermark) > IDLE_WATERMARK_MS) await saveWatermark(slice.to);
      break;
    }
    next = prepareSlice(client, slice.to, size, config, build, slice.to < watermark);
    next.catch(() => {}); // awaited on the next turn; a failure of this slice's writing ends the pass first
    for (const project of slice.projects) {
      const { samples, usersWithCode } = await writeProject(project);
      report.samples += samples;
      // A user who opted out while this slice was built: their rows just written go again.
      const optedOut = (await codeCollection(client, project.projectId)).optedOut;
      for (const userId of usersWithCode) if (optedOut.has(userId)) await forgetUserCode(project.projectId, userId);
    }
    await saveWatermark(slice.to);
    rememberWritten(slice.groups, slice.to);
    report.slices++;
    options.onSlice?.(report);
  }
  return report;
}

const globalForPipeline = globalThis as unknown as {
  __echoRefinementPass?: Promise<PassReport>;
  __echoRefinedInsertsWritten?: Map<string, number>;
};

/**
 * Inserts of refined events whose samples this process wrote whole (by insert time: their rows), kept
 * for the overlap a later pass re-reads. An insert that committed late has an insert time not here, or
 * adds rows to one that is; another server's passes, and a restart, leave inserts unknown, which then
 * costs a check of the stored samples, not a miss.
 */
function writtenInserts(): Map<string, number> {
  return (globalForPipeline.__echoRefinedInsertsWritten ??= new Map());
}

/** Forgets the inserts written, as a restart does (tests). */
export function forgetWrittenInserts() {
  writtenInserts().clear();
}

function rememberWritten(groups: readonly InsertGroup[], watermark: string) {
  const written = writtenInserts();
  for (const group of groups) written.set(group.at, group.rows);
  const forgetBefore = clickhouseTime(Math.max(0, fromClickhouseTime(watermark) - 2 * OVERLAP_MS));
  for (const at of written.keys()) if (at <= forgetBefore) written.delete(at);
}

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

export function stopRefinementPipeline(): Promise<void> {
  return stopBackgroundJob("refinements");
}
