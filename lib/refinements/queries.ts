import { insertRows, insertTabSeparated, queryRows, queryRowsForList, queryTabSeparated, runStatement } from "../clickhouse";
import { REFINEMENT_SAMPLE_COLUMNS } from "../clickhouse/tables";
import { clickhouseTime } from "../clickhouse/time";
import { CLEAN_OUTCOMES } from "./outcome";
import { parseRefinedLines, REFINED_COLUMNS, type RefinedSuggestion } from "./rows";
import type { SampleFilter } from "./schemas";

// ClickHouse access of the refinements domain: what the pipeline reads from events and exposures, the
// samples and labels it and the researchers write, and the browser's filtered reads.

const PIPELINE = "samples";

/** How far the pipeline has read events (inserted at or before this time), or the epoch. */
export async function pipelineWatermark(): Promise<string> {
  const [row] = await queryRows({
    tag: "refinements.watermark",
    sql: `SELECT toString(argMax(ingested_to, updated_at)) AS ingestedTo, count() AS n
          FROM refinement_pipeline_state WHERE pipeline = {pipeline:String}`,
    params: { pipeline: PIPELINE },
    columns: { ingestedTo: "string", n: "number" },
  });
  return row && row.n > 0 ? row.ingestedTo : "1970-01-01 00:00:00.000";
}

export async function saveWatermark(ingestedTo: string): Promise<void> {
  await runStatement({
    tag: "refinements.saveWatermark",
    sql: `INSERT INTO refinement_pipeline_state (pipeline, ingested_to, updated_at)
          SELECT {pipeline:String}, {ingestedTo:DateTime64(3, 'UTC')}, now64(3)`,
    params: { pipeline: PIPELINE, ingestedTo },
  });
}

/** Refined events of one insert (one insert time): how many suggestions and rows. */
export interface InsertGroup {
  at: string;
  suggestions: number;
  rows: number;
}

/** The refined events inserted in (from, upTo], one group per insert time, in order. */
export async function refinedInsertGroups(from: string, upTo: string): Promise<InsertGroup[]> {
  return queryRows({
    tag: "refinements.slice",
    sql: `SELECT toString(ingested_at) AS at, uniqExact(project_id, suggestion_id) AS suggestions, count() AS rows
          FROM events
          WHERE type = 'refined' AND ingested_at > {from:DateTime64(3, 'UTC')} AND ingested_at <= {upTo:DateTime64(3, 'UTC')}
          GROUP BY ingested_at ORDER BY ingested_at`,
    params: { from, upTo },
    columns: { at: "string", suggestions: "number", rows: "number" },
  });
}

/**
 * The next slice of work: refined events inserted after `from` and at least a second ago (an insert
 * still in flight may carry an earlier ingested_at), grouped by insert time so a slice never splits an
 * insert. Answers the end of the slice (the last whole insert time that keeps it within `limit`
 * suggestions), how many suggestions it holds and its inserts; an empty slice ends where the read ended.
 */
export async function nextSlice(from: string, limit: number): Promise<{ to: string; count: number; groups: InsertGroup[] }> {
  // The engine's clock, not this process's: a ClickHouse server's may differ.
  const [{ upTo }] = await queryRows({
    tag: "refinements.sliceEnd",
    sql: "SELECT toString(now64(3) - toIntervalSecond(1)) AS upTo",
    columns: { upTo: "string" },
  });
  const groups = await refinedInsertGroups(from, upTo);
  // Nothing to do up to `upTo`: the caller may move the watermark there (count 0).
  if (!groups.length) return { to: upTo, count: 0, groups };
  let count = 0;
  let taken = 0;
  for (const group of groups) {
    if (count > 0 && count + group.suggestions > limit) break;
    count += group.suggestions;
    taken++;
  }
  return { to: groups[taken - 1].at, count, groups: groups.slice(0, taken) };
}

/**
 * How far from a suggestion's refined events its acceptance and its other refinements are looked for: a
 * refinement window is seconds to minutes, and the bound lets a pass read a few days of the events'
 * primary key instead of the whole table (at 100M events, 3.3 s for a slice of 5,000 suggestions, 68 ms
 * with it and the user; an acceptance more than a day before its refinement makes no sample).
 */
export const REFINEMENT_HORIZON_HOURS = 24;

/** The refined events inserted in (from, to]: a few granules, found by the insert-time index. */
const IN_RANGE = "type = 'refined' AND ingested_at > {from:DateTime64(3, 'UTC')} AND ingested_at <= {to:DateTime64(3, 'UTC')}";

/**
 * The CTE `horizon` (lo, hi): the range's refined events' times, widened by REFINEMENT_HORIZON_HOURS on
 * each side. A scalar before the scan, so the primary key's day prunes it.
 */
const HORIZON_INTERVAL = `toIntervalHour(${REFINEMENT_HORIZON_HOURS})`;
const HORIZON = `horizon AS (
        SELECT min(timestamp) - ${HORIZON_INTERVAL} AS lo, max(timestamp) + ${HORIZON_INTERVAL} AS hi
        FROM events WHERE ${IN_RANGE})`;

/**
 * Suggestions refined in (from, to] whose stored sample is not up to date, as a CTE `touched` (project,
 * user, suggestion): it is up to date when built from the latest of the range's refined events of the
 * suggestion, or from a later one. Only the range's events and the samples' primary key are read.
 */
const STALE_TOUCHED = `in_range AS (
        SELECT project_id, user_id, suggestion_id, argMax(event_id, timestamp) AS last_event, max(timestamp) AS last_at FROM events
        WHERE ${IN_RANGE}
        GROUP BY project_id, user_id, suggestion_id),
      touched AS (
        SELECT i.project_id AS project_id, i.user_id AS user_id, i.suggestion_id AS suggestion_id FROM in_range AS i
        LEFT ANY JOIN (
          SELECT project_id, suggestion_id, refined_event_id, refined_at FROM refinement_samples FINAL
          WHERE (project_id, suggestion_id) IN (SELECT project_id, suggestion_id FROM in_range)) AS s
        ON s.project_id = i.project_id AND s.suggestion_id = i.suggestion_id
        WHERE s.refined_event_id != i.last_event AND i.last_at >= s.refined_at)`;

/** How many suggestions refined in (from, to] have no up-to-date sample (see STALE_TOUCHED). */
export async function staleSuggestionCount(from: string, to: string): Promise<number> {
  const [{ count }] = await queryRows({
    tag: "refinements.stale",
    sql: `WITH ${STALE_TOUCHED} SELECT count() AS count FROM touched`,
    params: { from, to },
    columns: { count: "number" },
  });
  return count;
}

/**
 * The suggestions with a refined event inserted in (from, to], each with its last refined event (the
 * user's final state) and its acceptance; suggestions never accepted are not samples. With `skipStored`,
 * those whose stored sample is up to date are left out (a pass re-reading what an earlier one wrote: they
 * would only be skipped after being read and sent).
 */
export async function refinedSuggestionsText(from: string, to: string, options: { skipStored?: boolean } = {}): Promise<string> {
  const params = { from, to };
  const touched = options.skipStored
    ? STALE_TOUCHED
    : `touched AS (
        SELECT DISTINCT project_id, user_id, suggestion_id FROM events WHERE ${IN_RANGE})`;
  // Nothing stale is the rule in a re-read range: asked first, as the read below would evaluate `touched` twice.
  if (options.skipStored && (await staleSuggestionCount(from, to)) === 0) return "";
  // The code and the rest of each suggestion's last refined event are read from the range's own rows (a
  // few granules, found by the insert-time index); the events around them are read only for two narrow
  // facts: the suggestion's latest refined time anywhere (a suggestion refined again in a later insert is
  // that insert's to build, and one refined later in an earlier insert was built from it) and its
  // acceptance, by the primary key (project, day within the horizon, user). A suggestion is one user's, as
  // results count it. Lines in lib/refinements/rows.ts's column order, a project's lines together (each
  // project is written on its own, in refinement order).
  const columns: Record<(typeof REFINED_COLUMNS)[number], string> = {
    projectId: "r.project_id",
    suggestionId: "r.suggestion_id",
    userId: "r.user_id",
    refinedAt: "toString(r.timestamp)",
    refinedEventId: "toString(r.event_id)",
    acceptedAt: "toString(a.accepted_at)",
    modelVersion: "r.model_version",
    language: "r.language",
    ide: "r.ide",
    userGroup: "r.user_group",
    windowSeconds: "r.window_seconds",
    prefix: "r.prefix",
    suffix: "r.suffix",
    proposal: "r.proposal",
    final: "r.final",
  };
  return queryTabSeparated({
    tag: "refinements.extract",
    sql: `
      WITH ${touched}, ${HORIZON},
      last_in_range AS (
        SELECT * FROM events
        WHERE ${IN_RANGE} AND (project_id, user_id, suggestion_id) IN (SELECT project_id, user_id, suggestion_id FROM touched)
        ORDER BY project_id, user_id, suggestion_id, timestamp DESC, event_id DESC
        LIMIT 1 BY project_id, user_id, suggestion_id),
      anywhere AS (
        SELECT project_id, user_id, suggestion_id,
               maxIf(timestamp, type = 'refined') AS refined_at, minIf(timestamp, type = 'accepted') AS accepted_at
        FROM events
        WHERE type IN ('refined', 'accepted')
          AND (project_id, user_id, suggestion_id) IN (SELECT project_id, user_id, suggestion_id FROM touched)
          AND timestamp >= (SELECT lo FROM horizon) AND timestamp <= (SELECT hi FROM horizon)
        GROUP BY project_id, user_id, suggestion_id
        HAVING countIf(type = 'accepted') > 0)
      SELECT ${REFINED_COLUMNS.map((name) => `${columns[name]} AS ${name}`).join(", ")}
      FROM last_in_range AS r
      INNER JOIN anywhere AS a ON a.project_id = r.project_id AND a.user_id = r.user_id AND a.suggestion_id = r.suggestion_id
      WHERE a.refined_at = r.timestamp
      ORDER BY r.project_id, r.timestamp, r.suggestion_id`,
    params,
  });
}

/** refinedSuggestionsText's lines read whole (tests, benchmarks). */
export async function refinedSuggestions(from: string, to: string, options: { skipStored?: boolean } = {}): Promise<RefinedSuggestion[]> {
  return parseRefinedLines(await refinedSuggestionsText(from, to, options));
}

export interface UserExposure {
  userId: string;
  experimentKey: string;
  variantKey: string;
  firstAt: string;
}

/** Every exposure of these users (one row per experiment phase and variant), earliest first. */
export async function exposuresOf(projectId: string, userIds: string[]): Promise<UserExposure[]> {
  if (!userIds.length) return [];
  const rows = await queryRowsForList(
    {
      tag: "refinements.exposures",
      sql: `SELECT user_id AS userId, experiment_key AS experimentKey, variant_key AS variantKey, toString(min(first_exposed_at)) AS firstAt
            FROM exposures WHERE project_id = {projectId:String} AND user_id IN {userIds:Array(String)}
            GROUP BY user_id, experiment_key, phase, variant_key`,
      params: { projectId },
      columns: { userId: "string", experimentKey: "string", variantKey: "string", firstAt: "string" },
    },
    "userIds",
    userIds,
  );
  // Earliest first across the chunks (ClickHouse's DateTime64 text sorts as its time).
  return rows.sort((a, b) => (a.firstAt < b.firstAt ? -1 : a.firstAt > b.firstAt ? 1 : 0));
}

/** The earliest samples of a key looked up at once (see seenDedupeKeys). */
const DEDUPE_CANDIDATES = 8;

/**
 * Which of these dedupe keys an earlier clean sample (kept or a plain accept, refined before `before`)
 * already has, and its first such sample: the samples the pipeline registers as a key's first within a
 * slice too, so a duplicate does not depend on whether its original was written in the same slice or an
 * earlier one. Samples of `rebuilding` (the slice's suggestions being built again) do not count as they
 * are stored: what they become is decided with the slice, and may or may not be stored yet.
 */
export async function seenDedupeKeys(
  projectId: string,
  keys: string[],
  before: string,
  rebuilding: ReadonlySet<string> = new Set(),
): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  let pending = keys;
  const skip = new Set<string>(); // candidates passed over so far (all being rebuilt)
  while (pending.length) {
    const rows = await dedupeCandidates(projectId, pending, before, [...skip]);
    pending = [];
    for (const { key, earliest } of rows) {
      const first = earliest.find((id) => !rebuilding.has(id));
      if (first !== undefined) seen.set(key, first);
      else if (earliest.length === DEDUPE_CANDIDATES) {
        // All of the earliest are being rebuilt (rare): the next ones are looked up without them.
        for (const id of earliest) skip.add(id);
        pending.push(key);
      }
    }
  }
  return seen;
}

/** Hashes bound per lookup at most: their decimal text stays well within MAX_BOUND_LIST_CHARS. */
const DEDUPE_HASHES_PER_QUERY = 5_000;

/**
 * The number a dedupe key is looked up by (migration 0010): its first 16 hex digits as an unsigned 64-bit
 * integer, which the engine computes alike for every stored sample.
 */
export function dedupeKeyHash(key: string): bigint {
  return BigInt(`0x${key.slice(0, 16).padEnd(16, "0")}`);
}

/** Per key, its earliest clean samples (at most DEDUPE_CANDIDATES, by refined_at then suggestion_id), leaving out `skip`. */
async function dedupeCandidates(projectId: string, keys: string[], before: string, skip: string[]) {
  const asked = new Set(keys);
  const found: { key: string; earliest: string[] }[] = [];
  for (let at = 0; at < keys.length; at += DEDUPE_HASHES_PER_QUERY) {
    const hashes = keys.slice(at, at + DEDUPE_HASHES_PER_QUERY).map(dedupeKeyHash);
    // The samples that may have these keys, found by the keys' numbers, then read by their primary key:
    // what they hold now decides (a sample whose key has another number's prefix is left out below).
    const rows = await queryRows({
      tag: "refinements.dedupe",
      sql: `SELECT s.dedupe_key AS key,
                   arrayMap(t -> t.2, arraySlice(arraySort(groupArray((s.refined_at, s.suggestion_id))), 1, ${DEDUPE_CANDIDATES}))
                   AS earliest
            FROM refinement_samples AS s FINAL
            WHERE s.project_id = {projectId:String}
              AND s.suggestion_id IN (
                SELECT suggestion_id FROM refinement_dedupe_keys
                WHERE project_id = {projectId:String} AND key_hash IN {hashes:Array(UInt64)})
              AND s.refined_at <= {before:DateTime64(3, 'UTC')}
              AND s.outcome IN {clean:Array(String)} ${skip.length ? "AND s.suggestion_id NOT IN {skip:Array(String)}" : ""}
            GROUP BY s.dedupe_key`,
      params: { projectId, hashes, before, clean: CLEAN_OUTCOMES, ...(skip.length ? { skip } : {}) },
      columns: { key: "string", earliest: "strings" },
    });
    for (const row of rows) if (asked.has(row.key)) found.push(row);
  }
  return found;
}

/** Lines from which an insert is cut in two. */
const SPLIT_INSERT_LINES = 4_000;

/**
 * Sample lines (sampleLine) inserted as they are. A large batch goes as two inserts at once, which the
 * engine parses and writes side by side (measured: 20,000 samples in ~245 ms instead of ~335 ms); a
 * failure of either fails the whole, and the pipeline then writes the batch again.
 */
export async function insertSampleLines(lines: string[]): Promise<void> {
  const half = lines.length >= SPLIT_INSERT_LINES ? Math.ceil(lines.length / 2) : lines.length;
  const parts = half < lines.length ? [lines.slice(0, half), lines.slice(half)] : [lines];
  await Promise.all(
    parts.map((rows) =>
      insertTabSeparated({ tag: "refinements.insertSamples", table: "refinement_samples", columns: REFINEMENT_SAMPLE_COLUMNS, rows }),
    ),
  );
}

// ── Browsing ──

type OneOrMany<T> = T | readonly T[];

/** A sample filter whose outcome and label may also be lists (a dataset's filter: any of them matches). */
export type SampleFilterInput = Omit<SampleFilter, "outcome" | "label"> & {
  outcome?: OneOrMany<NonNullable<SampleFilter["outcome"]>>;
  label?: OneOrMany<NonNullable<SampleFilter["label"]>>;
};

/** SQL conditions and parameters of a sample filter over `refinement_samples AS s` (FINAL). */
export function filterSql(projectId: string, filter: SampleFilterInput): { where: string; params: Record<string, unknown> } {
  const conditions = ["s.project_id = {projectId:String}"];
  const params: Record<string, unknown> = { projectId };
  const equal = (column: string, name: string, value: string | undefined) => {
    if (value === undefined) return;
    conditions.push(`s.${column} = {${name}:String}`);
    params[name] = value;
  };
  equal("experiment_key", "experimentKey", filter.experimentKey);
  equal("variant_key", "variantKey", filter.variantKey);
  equal("model_version", "modelVersion", filter.modelVersion);
  equal("language", "language", filter.language);
  if (Array.isArray(filter.outcome)) {
    conditions.push("s.outcome IN {outcomes:Array(String)}");
    params.outcomes = filter.outcome;
  } else equal("outcome", "outcome", filter.outcome as string | undefined);
  if (filter.minEditRatio !== undefined) {
    conditions.push("s.edit_ratio >= {minEditRatio:Float64}");
    params.minEditRatio = filter.minEditRatio;
  }
  if (filter.maxEditRatio !== undefined) {
    conditions.push("s.edit_ratio <= {maxEditRatio:Float64}");
    params.maxEditRatio = filter.maxEditRatio;
  }
  if (filter.from) {
    conditions.push("s.refined_at >= {from:DateTime64(3, 'UTC')}");
    params.from = clickhouseTime(filter.from.getTime());
  }
  if (filter.to) {
    conditions.push("s.refined_at < {to:DateTime64(3, 'UTC')}");
    params.to = clickhouseTime(filter.to.getTime());
  }
  if (filter.q) {
    conditions.push("(positionCaseInsensitiveUTF8(s.proposal, {q:String}) > 0 OR positionCaseInsensitiveUTF8(s.final, {q:String}) > 0)");
    params.q = filter.q;
  }
  const labeled = "SELECT suggestion_id FROM refinement_labels FINAL WHERE project_id = {projectId:String}";
  if (Array.isArray(filter.label)) {
    const labels = filter.label.filter((l) => l !== "unlabeled");
    const any = [
      ...(labels.length ? [`s.suggestion_id IN (${labeled} AND label IN {labels:Array(String)})`] : []),
      ...(filter.label.includes("unlabeled") ? [`s.suggestion_id NOT IN (${labeled})`] : []),
    ];
    if (labels.length) params.labels = labels;
    if (any.length) conditions.push(any.length > 1 ? `(${any.join(" OR ")})` : any[0]);
  } else if (filter.label) {
    if (filter.label === "unlabeled") conditions.push(`s.suggestion_id NOT IN (${labeled})`);
    else {
      conditions.push(`s.suggestion_id IN (${labeled} AND label = {label:String})`);
      params.label = filter.label;
    }
  }
  return { where: conditions.join(" AND "), params };
}

export type SampleSort = "recent" | "most_edited" | "typical";

/** The sort key of each order, as a (number, string) pair compared descending, except typical (ascending). */
const SORT_KEYS: Record<SampleSort, { key: string; direction: "DESC" | "ASC" }> = {
  recent: { key: "toFloat64(toUnixTimestamp64Milli(s.refined_at))", direction: "DESC" },
  most_edited: { key: "s.edit_ratio", direction: "DESC" },
  // closest to the median edit ratio of the filtered samples first
  typical: {
    key: "abs(s.edit_ratio - (SELECT median(s.edit_ratio) FROM refinement_samples AS s FINAL WHERE WHERE_FILTER))",
    direction: "ASC",
  },
};

export interface SampleCursor {
  key: number;
  suggestionId: string;
}

/**
 * One page of suggestion ids in the chosen order after `cursor` (keyset pagination: stable while new
 * samples arrive), reading only the light columns; the page's samples are fetched by id afterwards.
 */
export async function samplePage(
  projectId: string,
  filter: SampleFilter,
  sort: SampleSort,
  limit: number,
  cursor?: SampleCursor,
): Promise<{ suggestionId: string; key: number }[]> {
  const { where, params } = filterSql(projectId, filter);
  const { key, direction } = SORT_KEYS[sort];
  const sortKey = key.replace("WHERE_FILTER", where);
  const comparison = direction === "DESC" ? "<" : ">";
  const after = cursor ? ` AND (sort_key, s.suggestion_id) ${comparison} ({cursorKey:Float64}, {cursorId:String})` : "";
  return queryRows({
    tag: `refinements.page.${sort}`,
    sql: `SELECT s.suggestion_id AS suggestionId, ${sortKey} AS sort_key, sort_key AS key
          FROM refinement_samples AS s FINAL
          WHERE ${where}${after}
          ORDER BY sort_key ${direction}, s.suggestion_id ${direction}
          LIMIT {limit:UInt32}`,
    params: { ...params, limit, ...(cursor ? { cursorKey: cursor.key, cursorId: cursor.suggestionId } : {}) },
    columns: { suggestionId: "string", key: "number" },
  });
}

const SAMPLE_COLUMNS = {
  suggestionId: "string",
  userId: "string",
  modelVersion: "string",
  experimentKey: "string",
  variantKey: "string",
  language: "string",
  ide: "string",
  userGroup: "string",
  prefix: "string",
  suffix: "string",
  proposal: "string",
  final: "string",
  target: "string",
  editDistance: "number",
  editRatio: "number",
  retainedChars: "number",
  linesAdded: "number",
  linesRemoved: "number",
  outcome: "string",
  reasons: "strings",
  syntax: "string",
  windowSeconds: "number",
  acceptedAt: "string",
  refinedAt: "string",
  label: "string",
  labelNote: "string",
  labeledBy: "string",
  labeledAt: "string",
} as const;

/** Full samples by suggestion id, with their labels. */
export async function samplesById(projectId: string, suggestionIds: string[]) {
  if (!suggestionIds.length) return [];
  return queryRows({
    tag: "refinements.samplesById",
    sql: `SELECT s.suggestion_id AS suggestionId, s.user_id AS userId, s.model_version AS modelVersion, s.experiment_key AS experimentKey,
                 s.variant_key AS variantKey, s.language AS language, s.ide AS ide, s.user_group AS userGroup, s.prefix AS prefix,
                 s.suffix AS suffix, s.proposal AS proposal, s.final AS final, s.target AS target,
                 s.edit_distance AS editDistance, s.edit_ratio AS editRatio, s.retained_chars AS retainedChars,
                 s.lines_added AS linesAdded, s.lines_removed AS linesRemoved, s.outcome AS outcome, s.reasons AS reasons,
                 s.syntax AS syntax, s.window_seconds AS windowSeconds, toString(s.accepted_at) AS acceptedAt,
                 toString(s.refined_at) AS refinedAt, l.label AS label, l.note AS labelNote, l.labeled_by AS labeledBy,
                 if(l.suggestion_id = '', '', toString(l.labeled_at)) AS labeledAt
          FROM (SELECT * FROM refinement_samples FINAL
                WHERE project_id = {projectId:String} AND suggestion_id IN {ids:Array(String)}) AS s
          LEFT JOIN (SELECT * FROM refinement_labels FINAL
                     WHERE project_id = {projectId:String} AND suggestion_id IN {ids:Array(String)}) AS l
            ON l.suggestion_id = s.suggestion_id`,
    params: { projectId, ids: suggestionIds },
    columns: SAMPLE_COLUMNS,
  });
}

export type StoredSample = Awaited<ReturnType<typeof samplesById>>[number];

export async function insertLabel(row: {
  project_id: string;
  suggestion_id: string;
  label: string;
  note: string;
  labeled_by: string;
  labeled_at: string;
}): Promise<void> {
  await insertRows({ tag: "refinements.label", table: "refinement_labels", rows: [row] });
}

/** Outcome counts of the samples that match a filter (the browser's header, the experiment strip). */
export async function outcomeCounts(projectId: string, filter: SampleFilter): Promise<Map<string, number>> {
  const { where, params } = filterSql(projectId, filter);
  const rows = await queryRows({
    tag: "refinements.outcomes",
    sql: `SELECT s.outcome AS outcome, count() AS n FROM refinement_samples AS s FINAL WHERE ${where} GROUP BY outcome`,
    params,
    columns: { outcome: "string", n: "number" },
  });
  return new Map(rows.map((r) => [r.outcome, r.n]));
}

/**
 * An opted-out user's code leaves storage: their samples are deleted and the code fields of their
 * events emptied (numeric fields, and so every metric, stay).
 */
export async function forgetUserCode(projectId: string, userId: string): Promise<void> {
  const params = { projectId, userId };
  await runStatement({
    tag: "refinements.optOut.samples",
    sql: "DELETE FROM refinement_samples WHERE project_id = {projectId:String} AND user_id = {userId:String}",
    params,
  });
  await runStatement({
    tag: "refinements.optOut.events",
    sql: `ALTER TABLE events UPDATE proposal = '', final = '', prefix = '', suffix = ''
          WHERE project_id = {projectId:String} AND user_id = {userId:String} AND type = 'refined'
          SETTINGS mutations_sync = 1`,
    params,
  });
  await runStatement({
    tag: "refinements.optOut.dedupeKeys",
    sql: "DELETE FROM refinement_dedupe_keys WHERE project_id = {projectId:String} AND user_id = {userId:String}",
    params,
  });
}
