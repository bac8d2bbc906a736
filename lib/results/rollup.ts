import { randomBytes } from "node:crypto";
import { clickhouse } from "../clickhouse";
import type { Db } from "../db";
import { DAY_MS, isoDay } from "../time";
import { clickhouseTime } from "../clickhouse/time";
import { coveredBy, dayStatsSql, exposedUsersSql, exposedWithHashSql, latestBuildsSql, PHASE, relevantToBuild, ROLLUP_LOOKBACK_DAYS, suggestionSumsSql, SUM_COLUMNS } from "./queries";

// Builds the experiment rollup (migration 0003): per experiment phase and UTC day, the per-user sums
// that results read instead of raw events. A day is (re)built when its events changed since its last
// build (event_day_stats) or when users exposed since then are not covered yet. Results never trust a
// build blindly (lib/results/queries.ts checks both per read), so a build that is late, missing or
// interrupted only makes results slower, never different.

/** Stopped experiments keep being maintained this long, for late events. */
const STOPPED_GRACE_DAYS = 7;
const INTERVAL_MS = 30_000;
const UNCOVERED_USERS_TOLERATED = 100;
const SUPERSEDED_BUILD_KEEP_SECONDS = 600;
const UNCOVERED_SHARE_TOLERATED = 0.01;

export interface RollupTarget {
  projectId: string;
  experimentKey: string;
  phase: number;
  /** First and last UTC day (YYYY-MM-DD) with post-exposure events to keep. */
  fromDay: string;
  toDay: string;
}

/** Experiments whose results may still change: running, or stopped within the grace period. */
export async function rollupTargets(client: Db, now = Date.now()): Promise<RollupTarget[]> {
  const experiments = await client.experiment.findMany({
    where: { OR: [{ status: "running" }, { status: "stopped", stoppedAt: { gte: new Date(now - STOPPED_GRACE_DAYS * DAY_MS) } }] },
    select: { projectId: true, key: true, phase: true, startedAt: true, stoppedAt: true, createdAt: true },
  });
  return experiments.map((e) => ({
    projectId: e.projectId,
    experimentKey: e.key,
    phase: e.phase,
    fromDay: isoDay((e.startedAt ?? e.createdAt).getTime() - ROLLUP_LOOKBACK_DAYS * DAY_MS),
    toDay: isoDay(Math.min(now, e.stoppedAt ? e.stoppedAt.getTime() + DAY_MS : now)),
  }));
}

export interface DayState {
  day: string;
  insertedRows: number;
  maxIngestedAt: string;
  builtRows: number | null;
  builtMaxIngestedAt: string | null;
  /** Exposed users a build of the day would cover now, and how many of them the last build covered. */
  relevantUsers: number;
  coveredUsers: number;
}

/** Per day of the target with events: its events now, what its last build saw, and its exposed users. */
async function dayStates(target: RollupTarget): Promise<DayState[]> {
  const ch = await clickhouse();
  const result = await ch.query({
    query: `
      WITH exposed AS (${exposedWithHashSql()}),
      builds AS (${latestBuildsSql("{fromDay:Date}", "{toDay:Date}")}),
      stats AS (${dayStatsSql("{fromDay:Date}", "{toDay:Date}")})
      SELECT toString(s.day) AS day, any(s.inserted_rows) AS insertedRows, toString(any(s.max_ingested_at)) AS maxIngestedAt,
             any(b.day) != toDate(0) AS built, any(b.latest_inserted_rows) AS builtRows, toString(any(b.latest_max_ingested_at)) AS builtMaxIngestedAt,
             countIf(${relevantToBuild("s.day")}) AS relevantUsers,
             -- the last build's users are still exactly those exposures: all covered, else none
             if(countIf(${coveredBy("s", "b.latest_max_first_at")}) = any(b.latest_users)
                AND sumIf(x.exposure_hash, ${coveredBy("s", "b.latest_max_first_at")}) = any(b.latest_users_checksum),
                any(b.latest_users), 0) AS coveredUsers
      FROM stats AS s
      LEFT JOIN builds AS b ON b.day = s.day
      CROSS JOIN exposed AS x
      GROUP BY s.day
      ORDER BY s.day`,
    query_params: { ...target },
    format: "JSONEachRow",
  });
  const rows = await result.json<{ day: string; insertedRows: number; maxIngestedAt: string; built: number | boolean; builtRows: number; builtMaxIngestedAt: string; relevantUsers: number; coveredUsers: number }>();
  return rows.map((r) => ({
    day: r.day,
    insertedRows: Number(r.insertedRows),
    maxIngestedAt: r.maxIngestedAt,
    builtRows: r.built ? Number(r.builtRows) : null,
    builtMaxIngestedAt: r.built ? r.builtMaxIngestedAt : null,
    relevantUsers: Number(r.relevantUsers),
    coveredUsers: Number(r.coveredUsers),
  }));
}

/**
 * Days to rebuild: events changed since the last build, or more exposed users than a few it does not
 * cover. A running experiment exposes new users all the time, each one relevant to the last
 * ROLLUP_LOOKBACK_DAYS days (their pre-exposure period): results read those few users from raw events
 * by (day, user) pair, so rebuilding every such day for each of them would cost more than it saves.
 */
export function staleDays(states: DayState[]): DayState[] {
  const uncoveredLimit = (s: DayState) => Math.max(UNCOVERED_USERS_TOLERATED, s.relevantUsers * UNCOVERED_SHARE_TOLERATED);
  return states.filter((s) => s.builtRows !== s.insertedRows || s.builtMaxIngestedAt !== s.maxIngestedAt || s.relevantUsers - s.coveredUsers > uncoveredLimit(s));
}

/**
 * Builds one day: the snapshot of what it covers first (events inserted and users exposed during the
 * build then make results read raw events rather than miss them), then the rows, then the record.
 */
async function buildDay(target: RollupTarget, state: DayState) {
  const ch = await clickhouse();
  const buildId = randomBytes(8).readBigUInt64BE().toString();
  const params = { ...target, day: state.day, lookback: ROLLUP_LOOKBACK_DAYS, builtAt: clickhouseTime(Date.now()), buildId };
  const [snapshot] = await (
    await ch.query({
      query: `
        WITH exposed AS (${exposedWithHashSql()}),
        covered AS (
          SELECT toString(max(x.first_at)) AS max_first_at, count() AS users, toString(sum(x.exposure_hash)) AS users_checksum
          FROM exposed AS x WHERE ${relevantToBuild("{day:Date}")})
        SELECT s.inserted_rows AS inserted_rows, toString(s.max_ingested_at) AS max_ingested_at, c.max_first_at AS max_first_at, c.users AS users, c.users_checksum AS users_checksum
        FROM (${dayStatsSql("{day:Date}", "{day:Date}")}) AS s CROSS JOIN covered AS c`,
      query_params: params,
      format: "JSONEachRow",
    })
  ).json<{ inserted_rows: number; max_ingested_at: string; max_first_at: string; users: number; users_checksum: string }>();
  await ch.command({
    query: `
      INSERT INTO experiment_user_daily (project_id, experiment_key, phase, day, user_id, period, language, ide, user_group, variant_key, first_at,
                                         requested, shown, accepted, ai_chars, human_chars, retained_chars, refined_accepted_chars, latencies, build_id, built_at)
      WITH exposed AS (${exposedUsersSql(false)})
      SELECT {projectId:String}, {experimentKey:String}, {phase:UInt16}, day, user_id, period, language, ide, user_group, variant, first_at,
             ${SUM_COLUMNS}, arrayFlatten(groupArray(latencies)), {buildId:UInt64}, {builtAt:DateTime64(3, 'UTC')}
      FROM (${suggestionSumsSql(
        "x.variant AS variant, x.first_at AS first_at, e.user_id AS user_id, if(e.timestamp < x.first_at, 'pre', 'post') AS period, toDate(e.timestamp) AS day, e.language AS language, e.ide AS ide, e.user_group AS user_group",
        `toDate(e.timestamp) = {day:Date}
          AND (e.timestamp >= x.first_at OR e.timestamp >= toStartOfDay(x.first_at) - toIntervalDay({lookback:UInt16}))`,
      )})
      GROUP BY day, user_id, period, language, ide, user_group, variant, first_at`,
    query_params: params,
  });
  await ch.command({
    query: `INSERT INTO experiment_rollup_days (project_id, experiment_key, phase, day, inserted_rows, max_ingested_at, max_first_at, users, users_checksum, build_id, built_at)
            SELECT {projectId:String}, {experimentKey:String}, {phase:UInt16}, {day:Date}, {insertedRows:UInt64}, {maxIngestedAt:DateTime64(3, 'UTC')},
                   {maxFirstAt:DateTime64(3, 'UTC')}, {users:UInt64}, {checksum:UInt64}, {buildId:UInt64}, {builtAt:DateTime64(3, 'UTC')}`,
    query_params: {
      ...params,
      insertedRows: snapshot.inserted_rows,
      maxIngestedAt: snapshot.max_ingested_at,
      maxFirstAt: snapshot.users > 0 ? snapshot.max_first_at : "1970-01-01 00:00:00.000",
      users: snapshot.users,
      checksum: snapshot.users_checksum,
    },
  });
  // Superseded builds of the day, once no request can still be reading them (a request reads the
  // build its plan chose, within seconds).
  await ch.command({
    query: `DELETE FROM experiment_user_daily
            WHERE ${PHASE} AND day = {day:Date} AND built_at < {builtAt:DateTime64(3, 'UTC')} - toIntervalSecond({keepSeconds:UInt32})
              AND build_id != (SELECT argMax(build_id, (built_at, build_id)) FROM experiment_rollup_days WHERE ${PHASE} AND day = {day:Date})`,
    query_params: { ...params, keepSeconds: SUPERSEDED_BUILD_KEEP_SECONDS },
  });
}

/** Brings the rollup of every target up to date; answers how many days were built. */
export async function refreshRollups(client: Db): Promise<number> {
  let built = 0;
  for (const target of await rollupTargets(client)) {
    for (const state of staleDays(await dayStates(target))) {
      await buildDay(target, state);
      built++;
    }
  }
  return built;
}

const globalForRollup = globalThis as unknown as { __echoRollupTimer?: NodeJS.Timeout };

/** Keeps the rollup fresh in the background (server processes; one pass at a time). */
export function startRollupMaintenance(client: Db) {
  if (globalForRollup.__echoRollupTimer) return;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await refreshRollups(client);
    } catch (error) {
      console.error("[echo] rollup refresh failed (results read raw events meanwhile):", (error as Error).message);
    } finally {
      running = false;
    }
  };
  globalForRollup.__echoRollupTimer = setInterval(() => void tick(), INTERVAL_MS);
  globalForRollup.__echoRollupTimer.unref();
}

/** Stops the background maintenance (benchmarks, which build the rollup themselves at known moments). */
export function stopRollupMaintenance() {
  if (globalForRollup.__echoRollupTimer) clearInterval(globalForRollup.__echoRollupTimer);
  globalForRollup.__echoRollupTimer = undefined;
}
