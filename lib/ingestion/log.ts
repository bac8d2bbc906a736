import path from "node:path";
import { clickhouse } from "../clickhouse";
import { clickhouseHandle } from "../clickhouse/client";
import { tsvRow } from "../clickhouse/tsv";
import { unavailable } from "../errors";
import { dataDir } from "../settings";
import { EVENT_COLUMNS, EXPOSURE_COLUMNS, type ExposureRow } from "../clickhouse/tables";
import { RecentIds } from "./recentIds";
import { WriteAheadLog, type WalBlock } from "./wal";

// The ingestion pipeline: requests append their rows to the write-ahead log and are answered once the
// log has them; a background consumer stores the log in ClickHouse in large inserts a few times per
// second. An acknowledged event survives a crash (the log is replayed at start-up), and duplicates
// never count twice:
//   - a retry of events this server has logged (the last million event ids, including those replayed
//     from the log) is answered as a duplicate and not logged again; a retry that arrives while the
//     first append of its events is still in flight waits for that append, and logs the events itself
//     if it failed, so "duplicate" always means "logged";
//   - anything else that repeats an event_id (a retry across a long outage, two server instances)
//     collapses in the events table's ReplacingMergeTree, and every query reads with FINAL.
//
// Log blocks: tag E holds event rows (TabSeparated in EVENT_COLUMNS order, which begins with
// project_id and event_id), tag X exposure rows (EXPOSURE_COLUMNS). The consumer inserts the bytes of
// the blocks as they were logged.

const ROTATE_MS = 200;
const EVENTS = "E";
const EXPOSURES = "X";

/**
 * One append of event rows. Its event ids point to it in the recent ids from before the append starts:
 * for good when it succeeds (`logged`), until it fails otherwise. A request that finds an id of an
 * append still in flight waits for `done` before it may call the event a duplicate.
 */
interface EventAppend {
  logged: boolean;
  done: Promise<void>;
}

/** What the ids of events replayed from the log at start-up point to: logged by an earlier process. */
const REPLAYED: EventAppend = { logged: true, done: Promise.resolve() };

interface Pipeline {
  wal: WriteAheadLog;
  recent: RecentIds<EventAppend>;
}

const globalForPipeline = globalThis as unknown as { __echoPipeline?: Pipeline };

/** Remembers the event ids of a replayed block, so a retry of it after a restart is a duplicate. */
function rememberReplayed(recent: RecentIds<EventAppend>, data: Buffer) {
  for (const row of data.toString("utf8").split("\n")) {
    const projectEnd = row.indexOf("\t");
    if (projectEnd < 0) continue;
    recent.add(row.slice(0, projectEnd), row.slice(projectEnd + 1, row.indexOf("\t", projectEnd + 1)), REPLAYED);
  }
}

async function consume(blocks: WalBlock[]) {
  const { recent } = pipeline();
  const events: Buffer[] = [];
  const exposures: Buffer[] = [];
  for (const block of blocks) {
    if (block.tag === EXPOSURES) exposures.push(block.data);
    else if (block.tag === EVENTS) {
      if (block.replayed) rememberReplayed(recent, block.data);
      events.push(block.data);
    }
  }
  await clickhouse(); // migrations applied
  const handle = await clickhouseHandle();
  // Exposures first: an event whose user's exposure was lost would fall out of its experiment.
  if (exposures.length) await handle.insertTsv("exposures", EXPOSURE_COLUMNS, Buffer.concat(exposures));
  if (events.length) await handle.insertTsv("events", EVENT_COLUMNS, Buffer.concat(events));
}

function pipeline(): Pipeline {
  if (!globalForPipeline.__echoPipeline) {
    const wal = new WriteAheadLog({
      dir: path.join(dataDir(), "ingest-wal"),
      consume,
      rotateMs: ROTATE_MS,
      fsync: process.env.ECHO_WAL_FSYNC === "1",
    });
    globalForPipeline.__echoPipeline = { wal, recent: new RecentIds<EventAppend>(1_000_000) };
    wal.start();
  }
  return globalForPipeline.__echoPipeline;
}

/**
 * Appends to the log; a failed write (read-only or full disk, a removed directory, no file handles)
 * means nothing was logged, which the client must retry: "unavailable", not an internal error. The
 * next append tries again, so ingestion recovers by itself when the disk does.
 */
async function append(tag: string, rows: number, data: Buffer): Promise<void> {
  try {
    await pipeline().wal.appendBlock(tag, rows, data);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw unavailable(`The ingestion log cannot be written${code ? ` (${code})` : ""}; nothing was stored, retry later`);
  }
}

/** A batch's event rows on their way to the log: each row's event id (for duplicate detection) and the encoded rows. */
export interface LoggedRows {
  /** Lower-cased event id of each row. */
  eventIds: string[];
  /** The rows, each ending in "\n", as UTF-8. */
  rows: Uint8Array;
  /** Byte offset where each row ends in `rows`. */
  rowEnds: Int32Array;
}

/** The block of the given rows: all of them as they are (the usual case), else their bytes side by side. */
function blockOf(events: LoggedRows, picked: number[]): Buffer {
  const all = Buffer.from(events.rows.buffer, events.rows.byteOffset, events.rows.byteLength);
  if (picked.length === events.eventIds.length) return all;
  return Buffer.concat(picked.map((row) => all.subarray(row ? events.rowEnds[row - 1] : 0, events.rowEnds[row])));
}

/**
 * Logs events durably; answers how many of them were duplicates of events this server already logged
 * (those are not logged again). Events whose first append is still in flight in another request are
 * waited for: duplicates if it succeeds, logged by this request if it failed.
 */
export async function enqueueEvents(projectId: string, events: LoggedRows): Promise<{ duplicates: number }> {
  const { recent } = pipeline();
  let duplicates = 0;
  let todo: number[] | null = null; // rows still to log: all of them at first
  while (todo === null || todo.length) {
    // `done` is set below, before any other request can find this append.
    const mine: EventAppend = { logged: false, done: REPLAYED.done };
    const fresh: number[] = [];
    // Built only when another request is logging some of these ids right now (a concurrent retry).
    let inFlight: Map<EventAppend, number[]> | null = null;
    const count = todo ? todo.length : events.eventIds.length;
    for (let i = 0; i < count; i++) {
      const row = todo ? todo[i] : i;
      const eventId = events.eventIds[row];
      const seen = recent.claim(projectId, eventId, mine);
      if (seen === undefined) {
        fresh.push(row);
      } else if (seen.logged || seen === mine) {
        duplicates++; // seen === mine: repeated within this batch; if the append fails, so does the request
      } else {
        inFlight ??= new Map();
        const waiting = inFlight.get(seen);
        if (waiting) waiting.push(row);
        else inFlight.set(seen, [row]);
      }
    }
    mine.done = append(EVENTS, fresh.length, fresh.length ? blockOf(events, fresh) : Buffer.alloc(0)).then(
      () => {
        mine.logged = true;
      },
      (error: unknown) => {
        // Not logged: forget the ids, so that a retry (or a request waiting for this one) logs them.
        for (const row of fresh) {
          const eventId = events.eventIds[row];
          if (recent.get(projectId, eventId) === mine) recent.delete(projectId, eventId);
        }
        throw error;
      },
    );
    if (!inFlight) {
      await mine.done;
      break;
    }
    const others = [...inFlight.keys()];
    // One await for all of them, so that a failure of this request's own append is never left unhandled.
    await Promise.all([mine.done, ...others.map((other) => other.done.catch(() => undefined))]);
    todo = [];
    for (const other of others) {
      if (other.logged) duplicates += inFlight.get(other)!.length;
      else todo.push(...inFlight.get(other)!);
    }
  }
  return { duplicates };
}

export async function enqueueExposures(rows: ExposureRow[]): Promise<void> {
  if (!rows.length) return;
  await append(EXPOSURES, rows.length, Buffer.from(rows.map((row) => tsvRow(row, EXPOSURE_COLUMNS) + "\n").join("")));
}

/** Starts the pipeline: replays what a previous process logged but did not store. */
export function startIngestion() {
  pipeline();
}

/** The ingestion log's backlog (health): what is acknowledged but not yet in ClickHouse, and whether the log can be written. */
export function ingestionBacklog() {
  const pipe = globalForPipeline.__echoPipeline;
  return pipe ? pipe.wal.backlog() : { segments: 0, rows: 0, failures: 0, writable: true, lastError: null };
}

/** Stores everything logged so far (tests, benchmarks, shutdown; the server does this every 200 ms). */
export async function flushIngestion(): Promise<void> {
  await pipeline().wal.drain();
}
