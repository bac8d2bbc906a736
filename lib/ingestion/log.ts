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
//   - a retry this server has seen (the last million event ids, including those replayed from the
//     log) is answered as a duplicate and not logged again;
//   - anything else that repeats an event_id (a retry across a long outage, two server instances)
//     collapses in the events table's ReplacingMergeTree, and every query reads with FINAL.
//
// Log blocks: tag E holds event rows (TabSeparated in EVENT_COLUMNS order, which begins with
// project_id and event_id), tag X exposure rows (EXPOSURE_COLUMNS). The consumer inserts the bytes of
// the blocks as they were logged.

const ROTATE_MS = 200;
const EVENTS = "E";
const EXPOSURES = "X";

interface Pipeline {
  wal: WriteAheadLog;
  recent: RecentIds;
}

const globalForPipeline = globalThis as unknown as { __echoPipeline?: Pipeline };

/** Remembers the event ids of a replayed block, so a retry of it after a restart is a duplicate. */
function rememberReplayed(recent: RecentIds, data: Buffer) {
  for (const row of data.toString("utf8").split("\n")) {
    const projectEnd = row.indexOf("\t");
    if (projectEnd < 0) continue;
    recent.add(row.slice(0, projectEnd), row.slice(projectEnd + 1, row.indexOf("\t", projectEnd + 1)));
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
    const wal = new WriteAheadLog({ dir: path.join(dataDir(), "ingest-wal"), consume, rotateMs: ROTATE_MS, fsync: process.env.ECHO_WAL_FSYNC === "1" });
    globalForPipeline.__echoPipeline = { wal, recent: new RecentIds(1_000_000) };
    wal.start();
  }
  return globalForPipeline.__echoPipeline;
}

/**
 * Appends to the log; a failed write (read-only or full disk, a removed directory, no file handles)
 * means nothing was logged, which the client must retry: "unavailable", not an internal error. The
 * next append tries again, so ingestion recovers by itself when the disk does.
 */
async function append(tag: string, rows: string[]): Promise<void> {
  try {
    await pipeline().wal.append(tag, rows);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw unavailable(`The ingestion log cannot be written${code ? ` (${code})` : ""}; nothing was stored, retry later`);
  }
}

/** A validated event on its way to the log: its id (for duplicate detection) and its row. */
export interface LoggedEvent {
  eventId: string;
  row: string;
}

/**
 * Logs events durably; answers how many of them were duplicates of events this server already
 * acknowledged (those are not logged again).
 */
export async function enqueueEvents(projectId: string, events: LoggedEvent[]): Promise<{ duplicates: number }> {
  const { recent } = pipeline();
  const rows: string[] = [];
  const fresh: string[] = [];
  for (const event of events) {
    if (recent.has(projectId, event.eventId)) continue;
    // Remembered before the append, so a concurrent retry of the same batch counts as duplicates.
    recent.add(projectId, event.eventId);
    fresh.push(event.eventId);
    rows.push(event.row);
  }
  try {
    await append(EVENTS, rows);
  } catch (error) {
    for (const eventId of fresh) recent.delete(projectId, eventId); // not acknowledged: a retry must be accepted
    throw error;
  }
  return { duplicates: events.length - rows.length };
}

export async function enqueueExposures(rows: ExposureRow[]): Promise<void> {
  await append(EXPOSURES, rows.map((row) => tsvRow(row, EXPOSURE_COLUMNS)));
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
