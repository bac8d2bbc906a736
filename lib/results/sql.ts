import { exposedUsersSql, PHASE_FILTER } from "../exposures/queries";
import { SUM_KEYS, type SumKey } from "../metrics/registry";
import { sumColumnsSql, suggestionSumsSql, summedSumsSql } from "../metrics/sql";
import { LATENCY_BUCKET_RATIO } from "../stats/histogramQuantile";
import { LATENCY_WINDOW_BUCKETS } from "./latencyWindow";

// The SQL of experiment results and of the experiment rollup, as pure builders (golden-tested in
// tests/unit/results-sql.test.ts). Every value is a bound parameter ({name:Type}); every read of events
// uses FINAL, so a duplicated event_id is counted once even before ClickHouse merged it away.
//
// Unit of analysis: the user (lib/exposures/queries.ts defines the exposed users). Only events at or
// after a user's first exposure count ('post'); events of the CUPED lookback (the lookbackDays whole
// UTC days before the exposure day, and the exposure day up to the exposure) are returned separately
// as the pre-exposure period ('pre').
//
// A suggestion is the events of one user with one suggestionId on one UTC day (and one period): its
// refined event replaces the accepted characters when both fall in the same day, which refinement
// windows of minutes make the rule. The per-suggestion sums come from the metric registry.
//
// Source of the per-user daily sums: the experiment rollup (migration 0003, lib/results/rollup.ts) for
// every (day, user) it validly covers, and raw events for everything else; see `sourceCtes`.

export const SEGMENT_COLUMNS = { language: "language", ide: "ide", userGroup: "user_group" } as const;
export type Segment = keyof typeof SEGMENT_COLUMNS;

const WINDOW_FROM = "{from:DateTime64(3, 'UTC')}";
const WINDOW_TO = "{to:DateTime64(3, 'UTC')}";
const LOOKBACK = "toIntervalDay({lookbackDays:UInt16})";
/**
 * Raw reads of one answer take the events stored by its plan's moment (SourcePlan asOf), so that its
 * queries, which run one after another, agree even while inserts land between them. ReplacingMergeTree
 * keeps an event's latest copy, so an event whose repeat was stored after that moment (a retry past the
 * ingestion's memory of ids) is left out of that answer; the next one counts it once.
 */
const STORED_BY_PLAN = "e.ingested_at <= {asOf:DateTime64(3, 'UTC')}";

/** Pre-exposure days a rollup build keeps per user (the default CUPED lookback; longer ones read raw events). */
export const ROLLUP_LOOKBACK_DAYS = 14;

/** The records of the rollup's builds: one per build of a day, with what it saw (migration 0012). */
export const ROLLUP_RECORDS_TABLE = "experiment_rollup_builds";

/** Per exposed user: the hash that rollup builds sum to detect changed exposures (see migration 0003). */
const EXPOSURE_HASH = "cityHash64(user_id, variant, first_at)";

/** Exposed users of the phase (not bounded by a window) with the hash rollup builds sum. */
export const exposedWithHashSql = () =>
  `SELECT user_id, variant, first_at, ${EXPOSURE_HASH} AS exposure_hash FROM (${exposedUsersSql(false)})`;

/** Whether exposed user `x` is one a build of `day` keeps rows for: exposed at most ROLLUP_LOOKBACK_DAYS days after it. */
export const relevantToBuild = (day: string) => `toDate(x.first_at) - ${ROLLUP_LOOKBACK_DAYS} <= ${day}`;

/** Whether exposed user `x` is among those the build `build` (day, max_first_at) covered. */
export const coveredBy = (build: string, maxFirstAt = `${build}.max_first_at`) =>
  `(${relevantToBuild(`${build}.day`)} AND x.first_at <= ${maxFirstAt})`;

/**
 * Per day of the days table `days` (each with the max_first_at of its build: `maxFirstAt`, over alias b):
 * the users a build of it covers among the exposures read now (CTE exposed_all), and their checksum, which
 * the build recorded as it saw them (the records' users and users_checksum).
 */
const coveredNowSql = (days: string, maxFirstAt: string) => {
  const covered = coveredBy("b", maxFirstAt);
  return `
        SELECT b.day AS day, countIf(${covered}) AS users, sumIf(x.exposure_hash, ${covered}) AS users_checksum
        FROM ${days} AS b CROSS JOIN exposed_all AS x
        GROUP BY b.day`;
};

/** event_day_stats per day of a project, between two Date expressions. */
export const dayStatsSql = (fromDay: string, toDay: string) => `
  SELECT day, sum(inserted_rows) AS inserted_rows, max(max_ingested_at) AS max_ingested_at,
         min(min_timestamp) AS min_timestamp, max(max_timestamp) AS max_timestamp
  FROM event_day_stats
  WHERE project_id = {projectId:String} AND day BETWEEN ${fromDay} AND ${toDay}
  GROUP BY day`;

/**
 * Per project: the rows ever inserted into events (duplicates included), the latest insert and the
 * latest event time. They change with every insert and never otherwise (event_day_stats), so an
 * answer computed over the same figures, whose window ends after that latest event, is still exact.
 */
export const eventsInputSql = () => `
  SELECT project_id AS projectId, sum(inserted_rows) AS insertedRows, toString(max(max_ingested_at)) AS lastIngestedAt,
         toUnixTimestamp64Milli(max(max_timestamp)) AS latestEventMs
  FROM event_day_stats WHERE project_id IN {projectIds:Array(String)}
  GROUP BY project_id`;

/**
 * Per project: the exposure rows stored (an assignment exposes without any event) and the latest first
 * exposure. A new exposure adds a row (merges only ever lower the count, which reads as a change: a
 * needless recomputation, never a stale answer).
 */
export const exposuresInputSql = () => `
  SELECT project_id AS projectId, count() AS exposureRows, toString(max(first_exposed_at)) AS lastFirstExposedAt
  FROM exposures WHERE project_id IN {projectIds:Array(String)}
  GROUP BY project_id`;

// (aliases differ from the columns: an alias named build_id would shadow the ordering column)
const BUILD_COLUMNS = [
  "build_id",
  "inserted_rows",
  "max_ingested_at",
  "max_first_at",
  "users",
  "users_checksum",
  "latency_tail_from",
  "built_at",
];
const latestBuild = (column: string) => `argMax(${column}, (built_at, build_id)) AS latest_${column}`;

/** The latest recorded rollup build of each day of the phase between two Date expressions (columns latest_*). */
export const latestBuildsSql = (fromDay: string, toDay: string) => `
  SELECT day, ${BUILD_COLUMNS.map(latestBuild).join(", ")}
  FROM ${ROLLUP_RECORDS_TABLE} WHERE ${PHASE_FILTER} AND day BETWEEN ${fromDay} AND ${toDay} GROUP BY day`;

/** The last build `b` of a day saw exactly the day's events now (`s`: dayStatsSql). */
const BUILD_SAW_STATS = "b.latest_inserted_rows = s.inserted_rows AND b.latest_max_ingested_at = s.max_ingested_at";

/**
 * The CTEs `changed` (the days of `builds` whose `stats` differ from what their build saw, with the build's
 * mark: the latest ingested_at it saw) and `tails` (per such day, tail_rows: the rows stored now that were
 * inserted after the build, ingested_at > mark). Rows are stamped with their insert's time, so when the
 * rows inserted into the day since the build (event_day_stats) are exactly these (TAIL_HOLDS), the build
 * still holds for every user without such a row, and only the users with one (the day's tail) need raw
 * events. Anything else (a row stamped before the mark that landed after the snapshot, duplicates merged
 * away meanwhile) makes the counts differ, and the day is read raw. Only the recent rows are joined: a
 * cheap scan of ingested_at.
 */
const tailCtes = () => `
      changed AS (
        SELECT b.day AS day, b.latest_max_ingested_at AS mark FROM builds AS b INNER JOIN stats AS s ON s.day = b.day
        WHERE NOT (${BUILD_SAW_STATS})),
      tails AS (
        SELECT c.day AS day, countIf(e.ingested_at > c.mark) AS tail_rows
        FROM events AS e INNER JOIN changed AS c ON c.day = toDate(e.timestamp)
        WHERE e.project_id = {projectId:String} AND toDate(e.timestamp) IN (SELECT day FROM changed)
          AND e.ingested_at > (SELECT min(mark) FROM changed)
        GROUP BY c.day)`;

/** The last build `b` of a changed day still holds but for the day's tail (`t`: see tailCtes). */
const TAIL_HOLDS = "s.inserted_rows > b.latest_inserted_rows AND s.inserted_rows - b.latest_inserted_rows = t.tail_rows";

/**
 * The fresh days of a results window: days whose last rollup build saw the exposures of the users it
 * covered (count and checksum) and either exactly the events stored now (event_day_stats), or those plus a
 * tail of rows inserted after it (see tailCtes: `tailAfter` is then the build's mark, whose later rows'
 * users are read raw). A live day keeps a tail between builds instead of being read raw for everybody.
 */
export function freshDaysSql(): string {
  const [fromDay, toDay] = [`toDate(toStartOfDay(${WINDOW_FROM}) - ${LOOKBACK})`, `toDate(${WINDOW_TO})`];
  return `
      WITH
      exposed_all AS (${exposedWithHashSql()}),
      stats AS (${dayStatsSql(fromDay, toDay)}),
      builds AS (${latestBuildsSql(fromDay, toDay)}),${tailCtes()}
      SELECT toString(b.day) AS day, toString(b.latest_build_id) AS buildId, toString(b.latest_max_first_at) AS maxFirstAt,
             toString(s.min_timestamp) AS minTimestamp, toString(s.max_timestamp) AS maxTimestamp,
             toString(b.latest_users) AS users, toString(b.latest_users_checksum) AS usersChecksum,
             if(${BUILD_SAW_STATS}, '', toString(b.latest_max_ingested_at)) AS tailAfter,
             b.latest_latency_tail_from AS latencyTailFrom
      FROM builds AS b
      INNER JOIN stats AS s ON s.day = b.day
      INNER JOIN (${coveredNowSql("builds", "b.latest_max_first_at")}) AS c ON c.day = b.day
      LEFT JOIN tails AS t ON t.day = b.day
      WHERE (${BUILD_SAW_STATS} OR (${TAIL_HOLDS}))
        AND b.latest_users = c.users AND b.latest_users_checksum = c.users_checksum
      ORDER BY b.day`;
}

const WINDOW_KEYS =
  "x.variant AS variant, e.user_id AS user_id, if(e.timestamp < x.first_at, 'pre', 'post') AS period, toDate(e.timestamp) AS day, " +
  "e.language AS language, e.ide AS ide, e.user_group AS user_group";

/**
 * The CTEs that end in `source`: one row per (variant, user, period, day, segment values) of the window, with
 * every sum ("sums"), or the histogram of the latencies of shown suggestions after exposure ("latencies":
 * latency_buckets and latency_counts, see latencyQuantileSql; a clean day, below, gives its build's variants'
 * histograms instead of its users', one row per variant and bucket with no user), or both
 * ("sumsAndLatencies": a row's histogram then holds the latencies of its period, with latency_below_tail 0;
 * raw events are summed into the same rows a build writes), or both with the rollup's rows giving their
 * histograms' tails instead ("sumsAndLatencyTails": latency_below_tail, then the buckets from the build's
 * latency_tail_from on; migration 0013), raw rows their whole histograms. On a fresh day, a user's rollup
 * rows (of the plan's build only) are used when the build covered the user with the exposure the user has
 * now, and the day's post-exposure rows are exactly the window's: empty (the day lies wholly outside it) or
 * whole (every post-exposure event of the user that day is inside it). Every other (day, user) pair of a
 * fresh day is listed in raw_pairs and read from raw events, as are raw days.
 */
export function sourceCtes(what: SourceValues = "sums"): string {
  const lookbackStart = `toStartOfDay(${WINDOW_FROM}) - ${LOOKBACK}`;
  const rawPart =
    "(toDate(e.timestamp) IN {rawDays:Array(Date)} OR (toDate(e.timestamp), e.user_id) IN (SELECT day, user_id FROM raw_pairs))";
  const postEmpty = `(f.max_timestamp < ${WINDOW_FROM} OR f.min_timestamp >= ${WINDOW_TO})`;
  const postWhole = `((x.first_at >= ${WINDOW_FROM} OR f.min_timestamp >= ${WINDOW_FROM}) AND f.max_timestamp < ${WINDOW_TO})`;
  const usable = `(${coveredBy("f")} AND (f.day < toDate(x.first_at) OR ${postEmpty} OR ${postWhole}))`;
  // Raw rows summed per user, period, day and segment values, as a build's rows are (rollupInsertSql), not
  // left one per suggestion: the series' arrays then carry a user's days, not each suggestion's (at 100M
  // events read raw, a 64 MB answer), and each row's latencies make one histogram.
  const [rawBuckets, rawCounts] = latencyHistogramSql("latencies");
  const rawHistogramColumns = `${rawBuckets} AS latency_buckets, arrayMap(c -> toUInt32(c), ${rawCounts}) AS latency_counts`;
  const rawHistogram = `toUInt64(0) AS latency_below_tail, ${rawHistogramColumns}`;
  const rawSums = `
    SELECT variant, user_id, period, day, language, ide, user_group, ${summedSumsSql()}${what === "sums" ? "" : `, ${rawHistogram}`}
    FROM (${suggestionSumsSql({
      keys: WINDOW_KEYS,
      join: "INNER JOIN exposed AS x ON e.user_id = x.user_id",
      where: `e.timestamp >= ${lookbackStart} AND e.timestamp < ${WINDOW_TO} AND ${rawPart}
        AND (e.timestamp >= x.first_at OR e.timestamp >= toStartOfDay(x.first_at) - ${LOOKBACK})
        AND (e.timestamp < x.first_at OR e.timestamp >= ${WINDOW_FROM}) AND ${STORED_BY_PLAN}`,
    })})
    GROUP BY variant, user_id, period, day, language, ide, user_group`;
  // Latency needs only shown suggestions after exposure, with no per-suggestion grouping: one histogram
  // row of one bucket per event.
  const rawLatencies = `
    SELECT x.variant AS variant, e.user_id AS user_id, 'post' AS period, toDate(e.timestamp) AS day,
           e.language AS language, e.ide AS ide, e.user_group AS user_group,
           [${latencyBucketSql("e.latency_ms")}] AS latency_buckets, [toUInt64(1)] AS latency_counts
    FROM events AS e FINAL
    INNER JOIN exposed AS x ON e.user_id = x.user_id
    WHERE e.project_id = {projectId:String} AND e.type = 'shown' AND e.timestamp >= ${WINDOW_FROM} AND e.timestamp < ${WINDOW_TO}
      AND e.timestamp >= x.first_at AND ${rawPart} AND ${STORED_BY_PLAN}`;
  const rollupHistogram = "r.latency_buckets AS latency_buckets, r.latency_counts AS latency_counts";
  // a histogram's count below its buckets: none for a whole one (see migration 0013 for the tails)
  const wholeHistogram = `toUInt64(0) AS latency_below_tail, ${rollupHistogram}`;
  const tailHistogram =
    "r.latency_below_tail AS latency_below_tail, r.latency_tail_buckets AS latency_buckets, r.latency_tail_counts AS latency_counts";
  const rollupValues = {
    sums: sumColumnsSql("r"),
    latencies: rollupHistogram,
    sumsAndLatencies: `${sumColumnsSql("r")}, ${wholeHistogram}`,
    sumsAndLatencyTails: `${sumColumnsSql("r")}, ${tailHistogram}`,
  }[what];
  const rollupKeys =
    "r.variant_key AS variant, r.user_id AS user_id, toString(r.period) AS period, r.day AS day, " +
    "r.language AS language, r.ide AS ide, r.user_group AS user_group";
  // A clean day's rows: the build's, as they are; for latencies, its variants' histograms (migration 0009)
  const cleanRows =
    what === "latencies"
      ? `
    SELECT h.variant_key AS variant, '' AS user_id, 'post' AS period, h.day AS day, '' AS language, '' AS ide, '' AS user_group,
           [h.latency_bucket] AS latency_buckets, [h.latency_count] AS latency_counts
    FROM experiment_variant_latency_daily AS h
    WHERE ${PHASE_FILTER} AND has(clean_days, h.day)
      AND (h.day, h.build_id) IN (SELECT day, build_id FROM fresh AS f WHERE NOT ${postEmpty})`
      : `
    SELECT ${rollupKeys}, ${rollupValues}
    FROM rollup_clean AS r INNER JOIN fresh AS f ON f.day = r.day
    WHERE r.first_at <= f.max_first_at AND r.first_at < ${WINDOW_TO}
      AND ((r.period = 'post' AND NOT ${postEmpty}) OR (r.period = 'pre' AND r.day >= toDate(toStartOfDay(r.first_at) - ${LOOKBACK})))`;
  return `
  exposed AS (${exposedUsersSql(true)}),
  exposed_all AS (${exposedWithHashSql()}),
  fresh AS (
    SELECT t.1 AS day, t.2 AS build_id, t.3 AS max_first_at, t.4 AS min_timestamp, t.5 AS max_timestamp, t.6 AS users, t.7 AS users_checksum
    FROM (SELECT arrayJoin({freshDays:Array(Tuple(Date, UInt64, DateTime64(3, 'UTC'), DateTime64(3, 'UTC'), DateTime64(3, 'UTC'),
                                                  UInt64, UInt64))}) AS t)),
  tail_days AS (
    SELECT t.1 AS day, t.2 AS mark FROM (SELECT arrayJoin({tailDays:Array(Tuple(Date, DateTime64(3, 'UTC')))}) AS t)),
  clean AS (
    -- fresh days whose every row holds as built: no tail; the users the build covered exposed now exactly
    -- as then (their count and checksum, over the exposures this query reads); and the window taking the
    -- day's post-exposure rows whole or not at all. Their rows need no check against each user's exposure.
    SELECT f.day AS day
    FROM fresh AS f
    INNER JOIN (${coveredNowSql("fresh", "b.max_first_at")}) AS c ON c.day = f.day
    WHERE c.users = f.users AND c.users_checksum = f.users_checksum AND f.day NOT IN (SELECT day FROM tail_days)
      AND (${postEmpty} OR (f.min_timestamp >= ${WINDOW_FROM} AND f.max_timestamp < ${WINDOW_TO}))),
  -- computed once, a constant for the rest of the query (each reference to a CTE computes it again)
  (SELECT groupArray(day) FROM clean) AS clean_days,
  rollup_clean AS (
    SELECT * FROM experiment_user_daily
    WHERE ${PHASE_FILTER} AND has(clean_days, day) AND (day, build_id) IN (SELECT day, build_id FROM fresh)),
  rollup_checked AS (
    -- the other fresh days' rows (by the table's key, so that none are read when every day is clean)
    SELECT * FROM experiment_user_daily
    WHERE ${PHASE_FILTER} AND NOT has(clean_days, day) AND (day, build_id) IN (SELECT day, build_id FROM fresh)),
  tail_pairs AS (
    -- users with rows inserted into a fresh day after its build (see freshDaysSql): read raw that day
    SELECT DISTINCT d.day AS day, e.user_id AS user_id
    FROM events AS e INNER JOIN tail_days AS d ON d.day = toDate(e.timestamp)
    WHERE e.project_id = {projectId:String} AND toDate(e.timestamp) IN (SELECT day FROM tail_days)
      AND e.ingested_at > (SELECT min(mark) FROM tail_days) AND e.ingested_at > d.mark AND ${STORED_BY_PLAN}),
  raw_pairs AS (
    -- users of a fresh day the rollup cannot answer for (see usable) …
    SELECT f.day AS day, x.user_id AS user_id
    FROM fresh AS f CROSS JOIN exposed AS x
    WHERE f.day >= toDate(toStartOfDay(x.first_at) - ${LOOKBACK}) AND NOT ${usable}
    UNION ALL
    -- … and those whose exposure changed since the build (their rows carry the old one)
    SELECT r.day, r.user_id FROM rollup_checked AS r INNER JOIN exposed AS x ON r.user_id = x.user_id
    WHERE r.first_at != x.first_at OR r.variant_key != x.variant
    UNION ALL
    SELECT day, user_id FROM tail_pairs),
  source AS (
    -- clean days: the build's rows of the users it covered (a row's exposure is its user's now)${cleanRows}
    UNION ALL
    -- other fresh days: each row checked against its user's exposure now
    SELECT ${rollupKeys}, ${rollupValues}
    FROM rollup_checked AS r
    INNER JOIN exposed AS x ON r.user_id = x.user_id
    INNER JOIN fresh AS f ON f.day = r.day
    WHERE r.first_at = x.first_at AND r.variant_key = x.variant AND ${usable}
      AND (r.day, r.user_id) NOT IN (SELECT day, user_id FROM tail_pairs)
      AND ((r.period = 'post' AND NOT ${postEmpty}) OR (r.period = 'pre' AND r.day >= toDate(toStartOfDay(x.first_at) - ${LOOKBACK})))
    UNION ALL
    ${what === "latencies" ? rawLatencies : rawSums})`;
}

/** What each row of `source` carries (see sourceCtes). */
export type SourceValues = "sums" | "latencies" | "sumsAndLatencies" | "sumsAndLatencyTails";

/**
 * Which latencies the rollup's rows give the user-day query: their whole histograms, or only their tails
 * (migration 0013), which serve a window whose first bucket is at or above every read build's
 * latency_tail_from (lib/results/queries.ts latencyHistograms).
 */
export type LatencyHistograms = "histograms" | "tails";

/** The ratio metric whose day-by-day series a results answer draws: sums of the registry (see userDayRowsSql). */
export interface SeriesSums {
  numerator: readonly SumKey[];
  /** "per_user" for a per-user mean, whose denominator is not summed. */
  denominator: readonly SumKey[] | "per_user";
}

/**
 * One row per (variant, user, period[, segment]) with the given sums of the metric registry (default all,
 * in SUM_KEYS order, after four string columns): day "post" holds the whole window after exposure, "pre"
 * the CUPED lookback. One row per user, whatever the number of days. With `series`, three more columns
 * carry the user's days after exposure for the day-by-day series, in no particular order (a day may come
 * more than once, one per segment row): each day's index from the window's first day, and that day's
 * numerator and denominator (lib/metrics/summaries seriesSteps orders them).
 * With `latency`, three more carry the user's latencies after exposure around the quantile: how many
 * there are, how many fall in buckets below the variant's window (its first bucket in {latencyLows}, in
 * the order of {latencyVariants}), and the counts of the window's LATENCY_WINDOW_BUCKETS buckets, from
 * which each user's count at or below the quantile follows for any quantile in the window
 * (lib/results/latencyWindow.ts), read from the rollup's whole histograms or from their tails (`latency`,
 * the same answer: with the tails the query took 265 ms instead of 292 at 100M events). One pass over a row's
 * histogram per bucket: a sumMap of the window took three times as long at 100M events, and the counts
 * packed into one UInt256 sum twice.
 */
export function userDayRowsSql(
  segment?: Segment,
  sums: readonly SumKey[] = SUM_KEYS,
  series?: SeriesSums,
  latency?: LatencyHistograms,
): string {
  const segmentExpr = segment ? SEGMENT_COLUMNS[segment] : "''";
  // source.<column>: the SELECT's aliases (day is the period, every sum its total) shadow the columns
  const sumOf = (keys: readonly SumKey[] | "per_user") => (keys === "per_user" ? "0" : keys.map((key) => `source.${key}`).join(" + "));
  // Three arrays gathered side by side (one group's aggregates see its rows in the same order), in the
  // order the rows came: sorting tuples by day here cost about 55 ms of 440 at 100M events, sorting each
  // user's few days in seriesSteps nothing measurable.
  const postArray = (value: string) => `groupArrayIf(${value}, source.period = 'post')`;
  const seriesColumns = series
    ? `,
      ${postArray(`toUInt32(dateDiff('day', toDate(${WINDOW_FROM}), source.day))`)} AS seriesDays,
      ${postArray(sumOf(series.numerator))} AS seriesX, ${postArray(sumOf(series.denominator))} AS seriesY`
    : "";
  // the row's variant's first bucket of its window
  const low = "{latencyLows:Array(UInt16)}[indexOf({latencyVariants:Array(String)}, source.variant)]";
  // A row's histogram ascends without repeats: its latencies below the window are those of its first
  // arrayCount(b < low) buckets, and bucket low + k is found by indexOf (0 when absent, and a count at index
  // 0 reads as 0). Looking each window bucket up that way cost about 10% less at 100M events than reaching
  // it from the first bucket at or above low (arrayFirstIndex) with one comparison per step; a pass over
  // every bucket of every row per window bucket had cost 1.4 times as much, a sumMap more still.
  const post = (perRow: string) => `sumIf(${perRow}, source.period = 'post')`;
  // (a tail's latencies below its first bucket are latency_below_tail; a whole histogram has none)
  const belowInRow = `arraySum(arraySlice(source.latency_counts, 1, arrayCount(b -> b < ${low}, source.latency_buckets)))`;
  const below = `source.latency_below_tail + ${belowInRow}`;
  const window = Array.from({ length: LATENCY_WINDOW_BUCKETS }, (_, k) =>
    post(`source.latency_counts[indexOf(source.latency_buckets, ${low} + ${k})]`),
  );
  const latencyColumns = latency
    ? `,
      ${post("source.latency_below_tail + arraySum(source.latency_counts)")} AS latencyN,
      ${post(below)} AS latencyBelow,
      [${window.join(",\n       ")}] AS latencyAt`
    : "";
  return `
    WITH ${sourceCtes(latency === "tails" ? "sumsAndLatencyTails" : latency ? "sumsAndLatencies" : "sums")}
    SELECT variant, user_id AS userId, toString(period) AS day, ${segmentExpr} AS segment${
      sums.length
        ? `,
      ${summedSumsSql(sums)}`
        : ""
    }${seriesColumns}${latencyColumns}
    FROM source
    GROUP BY variant, userId, day, segment`;
}

/** lib/stats/histogramQuantile latencyBucket in SQL: the histogram bucket of a latency. */
export const latencyBucketSql = (value: string) => `if(${value} = 0, 0, toUInt16(1 + ceil(log(${value}) / log(${LATENCY_BUCKET_RATIO}))))`;

/** The bounds (low, high] of histogram bucket `bucket` (lib/stats/histogramQuantile latencyBucketBounds). */
const bucketLowSql = (bucket: string) => `if(${bucket} = 0, 0, pow(${LATENCY_BUCKET_RATIO}, toInt32(${bucket}) - 2))`;
const bucketHighSql = (bucket: string) => `if(${bucket} = 0, 0, pow(${LATENCY_BUCKET_RATIO}, toInt32(${bucket}) - 1))`;

/**
 * The histogram of the latencies in the arrays `latencies` of a group's rows, as two columns (buckets
 * ascending, counts): the buckets sorted, then one entry per run of equal buckets. As fast as gathering
 * the latencies themselves; sumMap takes about 60% longer.
 */
export function latencyHistogramSql(latencies: string): [buckets: string, counts: string] {
  const values = `arrayFlatten(groupArray(${latencies}))`;
  const sorted = `(arraySort(arrayMap(v -> ${latencyBucketSql("v")}, ${values})) AS sorted_buckets)`;
  const lastOfRun = `(arrayMap((a, b) -> a != b, ${sorted}, arraySlice(arrayPushBack(sorted_buckets, 65535), 2)) AS last_of_run)`;
  return [
    `arrayFilter((v, last) -> last, sorted_buckets, ${lastOfRun})`,
    `arrayPopFront(arrayDifference(arrayPushFront(arrayFilter((i, last) -> last, arrayEnumerate(sorted_buckets), last_of_run), 0)))`,
  ];
}

/**
 * CTEs and the SELECT that ends them (write `WITH …, ${latencyQuantileSql(…)}`): per group (a variant, a
 * ramp arm; `groups` is the Array(String) parameter that lists them), from the histogram rows `rows`
 * (group, user_id, latency_buckets ascending without repeats, latency_counts; a user may have several
 * rows): the p-quantile of the group's latencies and the order statistics that bracket it (ranks
 * floor(np − z·√(np(1−p))) and ceil(np + z·√(np(1−p))), computed here as lib/stats
 * quantileConfidenceIndices does, clamped to 1…n; the caller checks them), each interpolated in its bucket
 * as lib/stats/histogramQuantile histogramOrderStatistic does; and the clustering sums over users of X,
 * the user's values at or below the quantile (valuesAtOrBelow), and Y, the user's values (the correction
 * of estimateQuantileLift). The quantile's rank is floor(p·n) + 1, as ClickHouse's quantileExact(p).
 *
 * The rows are read twice: once for the groups' histograms, once for the users' X. Each pass costs
 * about what one pass over every latency did, and sorting millions of values per group is gone.
 */
export function latencyQuantileSql(group: string, groups: string, rows: string): string {
  return `${latencyQuantilesCtes(group, groups, rows)},
      latency_users AS (
        -- the quantile's columns ride along, so that the group's row needs no second join (nor a third read of the rows)
        SELECT r.${group} AS ${group}, r.user_id AS user_id, any(q.n) AS n, any(q.ranks) AS ranks, any(q.quantile) AS quantile,
               any(q.lower_value) AS lower_value, any(q.upper_value) AS upper_value,
               -- per row: the counts of the buckets below the quantile's, and its share of the quantile's bucket
               sum(if(arrayFirstIndex(b -> b >= q.quantile_bucket, r.latency_buckets) AS i = 0, toFloat64(arraySum(r.latency_counts)),
                      arraySum(arraySlice(r.latency_counts, 1, i - 1))
                      + if(r.latency_buckets[i] = q.quantile_bucket, r.latency_counts[i] * q.quantile_fraction, 0))) AS x,
               sum(arraySum(r.latency_counts)) AS y
        FROM latency_rows AS r INNER JOIN latency_quantiles AS q ON q.${group} = r.${group}
        GROUP BY ${group}, user_id
        HAVING y > 0)
      SELECT ${group}, any(n) AS n, count() AS users, any(ranks) AS ranks, any(quantile) AS quantile, any(lower_value) AS lowerValue,
             any(upper_value) AS upperValue, sum(x) AS sumX, sum(y) AS sumY, sum(x * x) AS sumX2, sum(y * y) AS sumY2, sum(x * y) AS sumXY
      FROM latency_users
      GROUP BY ${group}`;
}

/**
 * The CTEs `latency_rows` (`rows`) and `latency_quantiles`: per group, n, the ranks, the quantile and the
 * ends of its interval, and the quantile's bucket with its share of that bucket (see latencyQuantileSql).
 */
export function latencyQuantilesCtes(group: string, groups: string, rows: string): string {
  const spread = "{z:Float64} * sqrt(n * {p:Float64} * (1 - {p:Float64}))";
  const clamped = (rank: string) => `least(greatest(${rank}, 1), n)`;
  return `
      latency_rows AS (${rows}),
      latency_quantiles AS (
        SELECT ${group}, n, ranks, values[1] AS quantile, values[2] AS lower_value, values[3] AS upper_value,
               buckets[at[1]] AS quantile_bucket, fractions[1] AS quantile_fraction,
               arrayMap(i -> buckets[i], at) AS rank_buckets, fractions AS rank_fractions
        FROM (
          SELECT ${group}, arrayMap(t -> t.1, pairs) AS buckets, arrayMap(t -> t.2, pairs) AS counts, arrayCumSum(counts) AS cum,
                 arraySum(counts) AS n,
                 [least(toInt64(n), toInt64(floor({p:Float64} * n)) + 1),
                  toInt64(floor(n * {p:Float64} - ${spread})),
                  toInt64(ceil(n * {p:Float64} + ${spread}))] AS ranks,
                 -- per rank: the index of its bucket, and its share of the bucket's values
                 arrayMap(r -> arrayFirstIndex(c -> c >= ${clamped("r")}, cum), ranks) AS at,
                 arrayMap((r, i) -> (${clamped("r")} - (cum[i] - counts[i])) / counts[i], ranks, at) AS fractions,
                 arrayMap((i, f) -> ${bucketLowSql("buckets[i]")} + f * (${bucketHighSql("buckets[i]")} - ${bucketLowSql("buckets[i]")}),
                          at, fractions) AS values
          FROM (
            SELECT ${group}, arraySort(groupArray((bucket, count))) AS pairs
            FROM (
              -- one numeric key per (group, bucket): twice as fast to group by as the pair
              SELECT ${groups}[intDiv(group_bucket, 65536)] AS ${group}, toUInt16(group_bucket % 65536) AS bucket, sum(count) AS count
              FROM (SELECT arrayMap(v -> toUInt32(indexOf(${groups}, ${group})) * 65536 + v, latency_buckets) AS keys, latency_counts
                    FROM latency_rows)
              ARRAY JOIN keys AS group_bucket, latency_counts AS count
              GROUP BY group_bucket)
            GROUP BY ${group})))`;
}

/**
 * Per variant, from the histograms of the latencies of shown suggestions after exposure: n, the ranks of
 * the quantile and of the order statistics that bracket it, and each rank's bucket and share of it (see
 * latencyQuantilesCtes; the values follow in lib/stats/histogramQuantile positionValue, as when the users'
 * rows alone give them, lib/results/latencyWindow.ts).
 * The users' clustering sums come with their sums (userDayRowsSql with `latency`).
 */
export function latencyQuantilesSql(): string {
  return `
      WITH ${sourceCtes("latencies")},
      ${latencyQuantilesCtes(
        "variant",
        "{variants:Array(String)}",
        `SELECT variant, user_id, latency_buckets, latency_counts
              FROM source WHERE period = 'post' AND variant IN {variants:Array(String)}`,
      )}
      SELECT variant, n, ranks, rank_buckets AS rankBuckets, rank_fractions AS rankFractions
      FROM latency_quantiles`;
}

// ── The rollup builder's statements (lib/results/rollup.ts) ──

/** Per day of a rollup target with events: its events now, its last build's record, and its exposed users. */
export function rollupDayStatesSql(): string {
  const covered = coveredBy("s", "b.latest_max_first_at");
  return `
      WITH exposed AS (${exposedWithHashSql()}),
      builds AS (${latestBuildsSql("{fromDay:Date}", "{toDay:Date}")}),
      stats AS (${dayStatsSql("{fromDay:Date}", "{toDay:Date}")})
      SELECT toString(s.day) AS day, any(s.inserted_rows) AS insertedRows, toString(any(s.max_ingested_at)) AS maxIngestedAt,
             any(b.day) != toDate(0) AS built, any(b.latest_inserted_rows) AS builtRows,
             toString(any(b.latest_max_ingested_at)) AS builtMaxIngestedAt, toUnixTimestamp64Milli(any(b.latest_built_at)) AS builtAtMs,
             toString(any(b.latest_build_id)) AS builtBuildId, toString(any(b.latest_max_first_at)) AS builtMaxFirstAt,
             any(b.latest_users) AS builtUsers, toString(any(b.latest_users_checksum)) AS builtChecksum,
             any(b.latest_latency_tail_from) AS builtLatencyTailFrom,
             countIf(${relevantToBuild("s.day")}) AS relevantUsers,
             -- the last build's users are still exactly those exposures: all covered, else none
             if(countIf(${covered}) = any(b.latest_users) AND sumIf(x.exposure_hash, ${covered}) = any(b.latest_users_checksum),
                any(b.latest_users), 0) AS coveredUsers
      FROM stats AS s
      LEFT JOIN builds AS b ON b.day = s.day
      CROSS JOIN exposed AS x
      GROUP BY s.day
      ORDER BY s.day`;
}

/** The users a build of {day} covers (exposed by now), their checksum, and of them those a previous build covered. */
const coveredSnapshotCte = (previous: boolean) => `
        covered AS (
          SELECT toString(max(x.first_at)) AS max_first_at, count() AS users, toString(sum(x.exposure_hash)) AS users_checksum${
            previous
              ? `,
                 countIf(x.first_at <= {previousMaxFirstAt:DateTime64(3, 'UTC')}) AS previous_users,
                 sumIf(x.exposure_hash, x.first_at <= {previousMaxFirstAt:DateTime64(3, 'UTC')}) AS previous_checksum`
              : ""
          }
          FROM exposed AS x WHERE ${relevantToBuild("{day:Date}")})`;

/**
 * What a build of {day} covers, taken before its rows are written: the day's events and the users exposed
 * by then. With `previous` (the day's last build, {previous*} parameters), also whether the new build may
 * patch that one (`patchable`, see rollupPatchUsersCte): the rows inserted since it are exactly those
 * stamped after its mark (the tail, as results check it, tailCtes), and the users it covered are exposed
 * now exactly as it saw them (their count and checksum). Either way its rows hold for every user outside
 * the patch.
 */
export function rollupSnapshotSql(previous = false): string {
  const tail = `
        tail AS (
          SELECT count() AS rows FROM events
          WHERE project_id = {projectId:String} AND toDate(timestamp) = {day:Date}
            AND ingested_at > {previousMark:DateTime64(3, 'UTC')} AND ingested_at <= (SELECT max(max_ingested_at) FROM stats)),`;
  const patchable = `,
               s.inserted_rows >= {previousInsertedRows:UInt64} AND s.inserted_rows - {previousInsertedRows:UInt64} = t.rows
                 AND c.previous_users = {previousUsers:UInt64} AND c.previous_checksum = {previousChecksum:UInt64} AS patchable`;
  return `
        WITH exposed AS (${exposedWithHashSql()}),
        stats AS (${dayStatsSql("{day:Date}", "{day:Date}")}),${previous ? tail : ""}${coveredSnapshotCte(previous)}
        SELECT s.inserted_rows AS inserted_rows, toString(s.max_ingested_at) AS max_ingested_at, c.max_first_at AS max_first_at,
               c.users AS users, c.users_checksum AS users_checksum${previous ? patchable : ", false AS patchable"}
        FROM stats AS s CROSS JOIN covered AS c${previous ? " CROSS JOIN tail AS t" : ""}`;
}

/**
 * The users whose rows a patch of the day's previous build computes anew (the CTE patch_users): those with
 * rows stamped after the previous build's mark and by the new snapshot's ({maxIngestedAt}), and those first
 * exposed after the previous build's snapshot and by the new one's ({maxFirstAt}), whom it did not cover.
 * Both bounds are the snapshots', so the two statements of a patch (computed rows and carried rows) agree
 * on the set whatever lands between them; a row stamped inside the bounds that lands later makes the
 * day's counts differ from the build's record, and results then read the day raw (tailCtes).
 */
const rollupPatchUsersCte = () => `
      patch_users AS (
        SELECT user_id FROM events
        WHERE project_id = {projectId:String} AND toDate(timestamp) = {day:Date}
          AND ingested_at > {previousMark:DateTime64(3, 'UTC')} AND ingested_at <= {maxIngestedAt:DateTime64(3, 'UTC')}
        UNION DISTINCT
        SELECT user_id FROM (${exposedUsersSql(false)}) AS x
        WHERE ${relevantToBuild("{day:Date}")}
          AND x.first_at > {previousMaxFirstAt:DateTime64(3, 'UTC')} AND x.first_at <= {maxFirstAt:DateTime64(3, 'UTC')})`;

/** The columns of a rollup row but its build's (build_id, built_at). */
const ROLLUP_ROW_COLUMNS =
  "project_id, experiment_key, phase, day, user_id, period, language, ide, user_group, variant_key, first_at, " +
  `${sumColumnsSql()}, latency_buckets, latency_counts, latency_below_tail, latency_tail_buckets, latency_tail_counts`;

/** The tail of the histogram (`buckets`, `counts`) from bucket {latencyTailFrom} on, as migration 0013's columns. */
const latencyTailSql = (buckets: string, counts: string) => {
  const from = "{latencyTailFrom:UInt16}";
  return [
    `arraySum(arrayFilter((c, b) -> b < ${from}, ${counts}, ${buckets}))`,
    `arrayFilter(b -> b >= ${from}, ${buckets})`,
    `arrayFilter((c, b) -> b >= ${from}, ${counts}, ${buckets})`,
  ].join(", ");
};

/**
 * Where a build of {day} starts its rows' latency tails (migration 0013): the median bucket of the latencies
 * after exposure in the latest builds of the phase's earlier days (0, the whole histogram, when there are
 * none), well below the p95 results read around. Any value gives the same answers; one above a variant's
 * window only makes results read the whole histograms.
 */
export function rollupTailFromSql(): string {
  return `
      SELECT toUInt16(if(sum(latency_count) = 0, 0, quantileExactWeighted(0.5)(latency_bucket, latency_count))) AS latency_tail_from
      FROM experiment_variant_latency_daily
      WHERE ${PHASE_FILTER} AND day < {day:Date}
        AND (day, build_id) IN (SELECT day, latest_build_id FROM (${latestBuildsSql("toDate(0)", "{day:Date} - 1")}))`;
}

/**
 * The rows of one build of {day}: per exposed user, period and segment values, every sum and the latency
 * histogram with its tail from {latencyTailFrom} (a patch keeps its previous build's). With `patch`, only the
 * rows of the patch's users (rollupPatchUsersCte); rollupCarrySql brings the previous build's rows of
 * everyone else.
 */
export function rollupInsertSql(patch = false): string {
  const [buckets, counts] = latencyHistogramSql("latencies");
  return `
      INSERT INTO experiment_user_daily (${ROLLUP_ROW_COLUMNS}, build_id, built_at)
      WITH exposed AS (${exposedUsersSql(false)})${patch ? `,${rollupPatchUsersCte()}` : ""}
      SELECT {projectId:String}, {experimentKey:String}, {phase:UInt16}, day, user_id, period, language, ide, user_group, variant, first_at,
             ${summedSumsSql()}, ${buckets} AS histogram_buckets, ${counts} AS histogram_counts,
             ${latencyTailSql("histogram_buckets", "histogram_counts")}, {buildId:UInt64}, {builtAt:DateTime64(3, 'UTC')}
      FROM (${suggestionSumsSql({
        keys: "x.variant AS variant, x.first_at AS first_at, " + WINDOW_KEYS.replace("x.variant AS variant, ", ""),
        join: "INNER JOIN exposed AS x ON e.user_id = x.user_id",
        where: `toDate(e.timestamp) = {day:Date}${patch ? " AND e.user_id IN (SELECT user_id FROM patch_users)" : ""}
          AND (e.timestamp >= x.first_at OR e.timestamp >= toStartOfDay(x.first_at) - toIntervalDay({lookback:UInt16}))`,
      })})
      GROUP BY day, user_id, period, language, ide, user_group, variant, first_at`;
}

/**
 * The second half of a patch: the previous build's rows ({previousBuildId}) of the users it covered and the
 * patch does not compute anew, under the new build. Their events of the day are the ones it read, and
 * their exposures the ones it saw (rollupSnapshotSql's patchable), so a full build would write the same.
 */
export function rollupCarrySql(): string {
  return `
      INSERT INTO experiment_user_daily (${ROLLUP_ROW_COLUMNS}, build_id, built_at)
      WITH ${rollupPatchUsersCte().trimStart()}
      SELECT ${ROLLUP_ROW_COLUMNS}, {buildId:UInt64}, {builtAt:DateTime64(3, 'UTC')}
      FROM experiment_user_daily
      WHERE ${PHASE_FILTER} AND day = {day:Date} AND build_id = {previousBuildId:UInt64}
        AND first_at <= {previousMaxFirstAt:DateTime64(3, 'UTC')} AND user_id NOT IN (SELECT user_id FROM patch_users)`;
}

/**
 * The variants' latency histograms of one build of {day} (after its rows, before its record): the users'
 * post-exposure histograms summed, of the users the build covered (first exposed by {maxFirstAt}; a user
 * exposed while the build ran has rows too, but is read raw, see coveredBy).
 */
export function rollupVariantLatencySql(): string {
  return `
      INSERT INTO experiment_variant_latency_daily (project_id, experiment_key, phase, day, build_id, variant_key, latency_bucket,
                                                    latency_count, built_at)
      SELECT {projectId:String}, {experimentKey:String}, {phase:UInt16}, {day:Date}, {buildId:UInt64}, variant_key, bucket, sum(count),
             {builtAt:DateTime64(3, 'UTC')}
      FROM experiment_user_daily
      ARRAY JOIN latency_buckets AS bucket, latency_counts AS count
      WHERE ${PHASE_FILTER} AND day = {day:Date} AND build_id = {buildId:UInt64} AND period = 'post'
        AND first_at <= {maxFirstAt:DateTime64(3, 'UTC')}
      GROUP BY variant_key, bucket`;
}

/** The record of a finished build: what it saw, so reads can check it still holds. */
export function rollupRecordSql(): string {
  return `
      INSERT INTO ${ROLLUP_RECORDS_TABLE} (project_id, experiment_key, phase, day, inserted_rows, max_ingested_at, max_first_at,
                                          users, users_checksum, latency_tail_from, build_id, built_at)
      SELECT {projectId:String}, {experimentKey:String}, {phase:UInt16}, {day:Date}, {insertedRows:UInt64},
             {maxIngestedAt:DateTime64(3, 'UTC')}, {maxFirstAt:DateTime64(3, 'UTC')}, {users:UInt64}, {checksum:UInt64},
             {latencyTailFrom:UInt16}, {buildId:UInt64}, {builtAt:DateTime64(3, 'UTC')}`;
}

/** Each day's latest recorded build made before {before}. */
const LATEST_BUILD_BEFORE = `(SELECT day, argMax(build_id, (built_at, build_id)) FROM ${ROLLUP_RECORDS_TABLE}
                                    WHERE ${PHASE_FILTER} AND built_at < {before:DateTime64(3, 'UTC')} GROUP BY day)`;

/**
 * What superseded builds left in a table, once no request can still be reading it: builds made before
 * {before} but each day's latest recorded one of those. A request planned within the keep reads either a
 * build made since {before} or that one, however old it is: a build is superseded from when its
 * successor is made, not from when it was made itself. The records keep every build until this deletes
 * them (a plain MergeTree: a merge never drops the record of a build a request may be reading), and a
 * build interrupted before it was recorded is never anyone's latest, so its rows go too.
 */
const SUPERSEDED = `${PHASE_FILTER} AND built_at < {before:DateTime64(3, 'UTC')}
        AND (day, build_id) NOT IN ${LATEST_BUILD_BEFORE}`;

/** Tables holding something of each build: its rows, then its record (deleted last). */
export const ROLLUP_BUILD_TABLES = ["experiment_user_daily", "experiment_variant_latency_daily", ROLLUP_RECORDS_TABLE] as const;

/** How many rows superseded builds left in a table (a pass deletes only when there are some). */
export function rollupSupersededCountSql(table: (typeof ROLLUP_BUILD_TABLES)[number] = "experiment_user_daily"): string {
  return `
      SELECT count() AS rows FROM ${table}
      WHERE ${SUPERSEDED}`;
}

/** Deletes what superseded builds left in a table (see SUPERSEDED), every day of the target at once. */
export function rollupDeleteSupersededSql(table: (typeof ROLLUP_BUILD_TABLES)[number] = "experiment_user_daily"): string {
  return `
      DELETE FROM ${table}
      WHERE ${SUPERSEDED}`;
}
