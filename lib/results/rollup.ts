import { randomBytes } from "node:crypto";
import { queryRows, runStatement } from "../clickhouse";
import { clickhouseTime } from "../clickhouse/time";
import type { Db } from "../db";
import { JOB_LOCKS, startBackgroundJob, stopBackgroundJob } from "../db/singleton";
import { DAY_MS, isoDay } from "../time";
import {
  rollupCarrySql,
  rollupDayStatesSql,
  rollupDeleteSupersededSql,
  rollupInsertSql,
  rollupRecordSql,
  rollupSnapshotSql,
  rollupSupersededCountSql,
  rollupTailFromSql,
  rollupVariantLatencySql,
  ROLLUP_BUILD_TABLES,
  ROLLUP_LOOKBACK_DAYS,
} from "./sql";

// Builds the experiment rollup (migration 0003): per experiment phase and UTC day, the per-user sums
// that results read instead of raw events. A day is (re)built when its events changed since its last
// build (event_day_stats) or when users exposed since then are not covered yet; a build patches the last
// one when that still holds for everybody else (the users with rows since its mark, or exposed since its
// snapshot, computed anew, the other users' rows carried over), so that keeping a live day fresh reads
// the events of the users who changed, not the whole day again. Results never trust a
// build blindly (lib/results/sql.ts checks both per read), so a build that is late, missing or
// interrupted only makes results slower, never different. The statements are in lib/results/sql.ts.

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

/** A day's rollup build as recorded (ROLLUP_RECORDS_TABLE). */
export interface BuildRecord {
  buildId: string;
  builtAtMs: number;
  /** The day's events it saw (event_day_stats): rows inserted, and the latest insert (its mark). */
  insertedRows: number;
  maxIngestedAt: string;
  /** The exposures it covered: the latest first exposure, how many users, and their checksum. */
  maxFirstAt: string;
  users: number;
  usersChecksum: string;
  /** Where its rows' latency tails start (migration 0013). */
  latencyTailFrom: number;
}

export interface DayState {
  day: string;
  insertedRows: number;
  maxIngestedAt: string;
  /** The day's last build as its record has it, or null when the day was never built. */
  built: BuildRecord | null;
  /** Exposed users a build of the day would cover now, and how many of them the last build covered. */
  relevantUsers: number;
  coveredUsers: number;
}

/** Per day of the target with events: its events now, what its last build saw, and its exposed users. */
async function dayStates(target: RollupTarget): Promise<DayState[]> {
  const rows = await queryRows({
    tag: "rollup.dayStates",
    sql: rollupDayStatesSql(),
    params: { ...target },
    columns: {
      day: "string",
      insertedRows: "number",
      maxIngestedAt: "string",
      built: "boolean",
      builtRows: "number",
      builtMaxIngestedAt: "string",
      builtAtMs: "number",
      builtBuildId: "string",
      builtMaxFirstAt: "string",
      builtUsers: "number",
      builtChecksum: "string",
      builtLatencyTailFrom: "number",
      relevantUsers: "number",
      coveredUsers: "number",
    },
  });
  return rows.map((r) => ({
    day: r.day,
    insertedRows: r.insertedRows,
    maxIngestedAt: r.maxIngestedAt,
    built: r.built
      ? {
          buildId: r.builtBuildId,
          builtAtMs: r.builtAtMs,
          insertedRows: r.builtRows,
          maxIngestedAt: r.builtMaxIngestedAt,
          maxFirstAt: r.builtMaxFirstAt,
          users: r.builtUsers,
          usersChecksum: r.builtChecksum,
          latencyTailFrom: r.builtLatencyTailFrom,
        }
      : null,
    relevantUsers: r.relevantUsers,
    coveredUsers: r.coveredUsers,
  }));
}

/**
 * Days to rebuild: never built; events changed since the last build (a live day's tail is patched at the
 * next pass, see buildDay, which costs the events of the users in it: results read fewer users raw, and
 * no pass reads a whole live day again); or more exposed users than a few it does not cover. A running
 * experiment exposes new users all the time, each one relevant to the last ROLLUP_LOOKBACK_DAYS days
 * (their pre-exposure period): results read those few users from raw events by (day, user) pair, so
 * building every such day again for each of them would cost more than it saves.
 */
export function staleDays(states: DayState[]): DayState[] {
  const uncoveredLimit = (s: DayState) => Math.max(UNCOVERED_USERS_TOLERATED, s.relevantUsers * UNCOVERED_SHARE_TOLERATED);
  const changed = (s: DayState, b: BuildRecord) => b.insertedRows !== s.insertedRows || b.maxIngestedAt !== s.maxIngestedAt;
  return states.filter((s) => s.built === null || changed(s, s.built) || s.relevantUsers - s.coveredUsers > uncoveredLimit(s));
}

/**
 * Builds one day: the snapshot of what it covers first (events inserted and users exposed during the
 * build then make results read raw events rather than miss them), then the rows and the variants'
 * latency histograms, then the record. The rows come from all of the day's events, or, when the day's
 * last build still holds for every user but those who changed since (see rollupSnapshotSql's patchable),
 * as a patch: those users' rows from their events, everybody else's carried over from that build.
 */
async function buildDay(target: RollupTarget, state: DayState, incremental: boolean) {
  const buildId = randomBytes(8).readBigUInt64BE().toString();
  const params = { ...target, day: state.day, lookback: ROLLUP_LOOKBACK_DAYS, builtAt: clickhouseTime(Date.now()), buildId };
  const previous = incremental ? state.built : null;
  const previousParams = previous && {
    previousBuildId: previous.buildId,
    previousInsertedRows: previous.insertedRows,
    previousMark: previous.maxIngestedAt,
    previousMaxFirstAt: previous.maxFirstAt,
    previousUsers: previous.users,
    previousChecksum: previous.usersChecksum,
  };
  const [snapshot] = await queryRows({
    tag: "rollup.snapshot",
    sql: rollupSnapshotSql(previous !== null),
    params: { ...params, ...previousParams },
    columns: {
      inserted_rows: "number",
      max_ingested_at: "string",
      max_first_at: "string",
      users: "number",
      users_checksum: "string",
      patchable: "boolean",
    },
  });
  const maxFirstAt = snapshot.users > 0 ? snapshot.max_first_at : "1970-01-01 00:00:00.000";
  // A patch keeps its previous build's tails, so that every row of a build starts them at one bucket.
  let latencyTailFrom: number;
  if (previous && previousParams && snapshot.patchable) {
    latencyTailFrom = previous.latencyTailFrom;
    const patchParams = { ...params, ...previousParams, maxIngestedAt: snapshot.max_ingested_at, maxFirstAt, latencyTailFrom };
    await runStatement({ tag: "rollup.patchRows", sql: rollupInsertSql(true), params: patchParams });
    await runStatement({ tag: "rollup.carryRows", sql: rollupCarrySql(), params: patchParams });
  } else {
    const [tail] = await queryRows({ tag: "rollup.tailFrom", sql: rollupTailFromSql(), params, columns: { latency_tail_from: "number" } });
    latencyTailFrom = tail?.latency_tail_from ?? 0;
    await runStatement({ tag: "rollup.insert", sql: rollupInsertSql(), params: { ...params, latencyTailFrom } });
  }
  await runStatement({ tag: "rollup.variantLatency", sql: rollupVariantLatencySql(), params: { ...params, maxFirstAt } });
  await runStatement({
    tag: "rollup.record",
    sql: rollupRecordSql(),
    params: {
      ...params,
      insertedRows: snapshot.inserted_rows,
      maxIngestedAt: snapshot.max_ingested_at,
      maxFirstAt,
      users: snapshot.users,
      checksum: snapshot.users_checksum,
      latencyTailFrom,
    },
  });
}

/**
 * Deletes the target's builds superseded more than SUPERSEDED_BUILD_KEEP_SECONDS ago, when there are
 * any: a request reads the build its plan chose within seconds, so no request can still be reading
 * them. One statement for every day of the target, not one per build.
 */
async function deleteSupersededBuilds(target: RollupTarget) {
  // the clock, not a pass's `now`: the keep protects requests reading now
  const params = { ...target, before: clickhouseTime(Date.now() - SUPERSEDED_BUILD_KEEP_SECONDS * 1000) };
  for (const table of ROLLUP_BUILD_TABLES) {
    const sql = rollupSupersededCountSql(table);
    const [{ rows }] = await queryRows({ tag: "rollup.superseded", sql, params, columns: { rows: "number" } });
    if (rows > 0) await runStatement({ tag: "rollup.deleteSuperseded", sql: rollupDeleteSupersededSql(table), params });
  }
}

/**
 * Brings the rollup of every target up to date (as of `now`, default the clock); answers how many days were
 * built. `incremental: false` builds every stale day from all of its events, never as a patch.
 */
export async function refreshRollups(client: Db, now = Date.now(), options: { incremental?: boolean } = {}): Promise<number> {
  let built = 0;
  for (const target of await rollupTargets(client, now)) {
    for (const state of staleDays(await dayStates(target))) {
      await buildDay(target, state, options.incremental ?? true);
      built++;
    }
    await deleteSupersededBuilds(target);
  }
  return built;
}

/** Keeps the rollup fresh in the background (server processes; one pass at a time). */
export function startRollupMaintenance(client: Db) {
  const job = {
    name: "rollup",
    lock: JOB_LOCKS.rollup,
    intervalMs: INTERVAL_MS,
    failure: "rollup refresh failed (results read raw events meanwhile)",
  };
  startBackgroundJob(client, job, () => refreshRollups(client));
}

/** Stops the background maintenance (benchmarks, which build the rollup themselves at known moments). */
export function stopRollupMaintenance(): Promise<void> {
  return stopBackgroundJob("rollup");
}
