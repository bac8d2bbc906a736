import path from "node:path";
import { clickhouse } from "../clickhouse";
import { clickhouseHandle } from "../clickhouse/client";
import { tsvRow } from "../clickhouse/tsv";
import { dataDir } from "../config";
import { EVENT_COLUMNS, type EventRow } from "../events/rows";
import { EXPOSURE_COLUMNS, type ExposureRow } from "../events/store";
import { RecentIds } from "./recentIds";
import { WriteAheadLog } from "./wal";

// The ingestion pipeline: requests append their rows to the write-ahead log and are answered once the
// log has them; a background consumer stores the log in ClickHouse in large inserts a few times per
// second. An acknowledged event survives a crash (the log is replayed at start-up), and duplicates
// never count twice:
//   - a retry this server has seen (the last million event ids, including those replayed from the
//     log) is answered as a duplicate and not logged again;
//   - anything else that repeats an event_id (a retry across a long outage, two server instances)
//     collapses in the events table's ReplacingMergeTree, and every query reads with FINAL.
//
// Line format: E <project> <event_id> <tab-separated row> | X <tab-separated row>

const ROTATE_MS = 200;

interface Pipeline {
  wal: WriteAheadLog;
  recent: RecentIds;
}

const globalForPipeline = globalThis as unknown as { __echoPipeline?: Pipeline };

async function consume(lines: string[]) {
  const { recent } = pipeline();
  const events: string[] = [];
  const exposures: string[] = [];
  for (const line of lines) {
    if (line.startsWith("X\t")) exposures.push(line.slice(2));
    else if (line.startsWith("E\t")) {
      const projectEnd = line.indexOf("\t", 2);
      const idEnd = line.indexOf("\t", projectEnd + 1);
      recent.add(`${line.slice(2, projectEnd)}/${line.slice(projectEnd + 1, idEnd)}`); // replayed lines too
      events.push(line.slice(idEnd + 1));
    }
  }
  await clickhouse(); // migrations applied
  const handle = await clickhouseHandle();
  // Exposures first: an event whose user's exposure was lost would fall out of its experiment.
  if (exposures.length) await handle.insertTsv("exposures", EXPOSURE_COLUMNS, Buffer.from(exposures.join("\n") + "\n"));
  if (events.length) await handle.insertTsv("events", EVENT_COLUMNS, Buffer.from(events.join("\n") + "\n"));
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
 * Logs events durably; answers how many of them were duplicates of events this server already
 * acknowledged (those are not logged again).
 */
export async function enqueueEvents(rows: EventRow[]): Promise<{ duplicates: number }> {
  const { wal, recent } = pipeline();
  const lines: string[] = [];
  const fresh: string[] = [];
  let duplicates = 0;
  for (const row of rows) {
    const key = `${row.project_id}/${row.event_id}`;
    if (recent.has(key)) {
      duplicates++;
      continue;
    }
    // Remembered before the append, so a concurrent retry of the same batch counts as duplicates.
    recent.add(key);
    fresh.push(key);
    lines.push(`E\t${row.project_id}\t${row.event_id}\t${tsvRow(row, EVENT_COLUMNS)}`);
  }
  try {
    await wal.append(lines);
  } catch (error) {
    for (const key of fresh) recent.delete(key); // not acknowledged: a retry must be accepted
    throw error;
  }
  return { duplicates };
}

export async function enqueueExposures(rows: ExposureRow[]): Promise<void> {
  await pipeline().wal.append(rows.map((row) => `X\t${tsvRow(row, EXPOSURE_COLUMNS)}`));
}

/** Starts the pipeline: replays what a previous process logged but did not store. */
export function startIngestion() {
  pipeline();
}

/** Stores everything logged so far (tests, benchmarks, shutdown; the server does this every 200 ms). */
export async function flushIngestion(): Promise<void> {
  await pipeline().wal.drain();
}
