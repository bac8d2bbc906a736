import fs from "node:fs";
import path from "node:path";

// A write-ahead log of blocks in numbered segment files. A block is what one append() wrote: a header
// line `#<tag> <rows> <bytes>` followed by exactly <bytes> bytes of newline-terminated rows. append()
// resolves once its block is written to the segment file, so it survives the process being killed
// (kill -9) the moment after; set fsync to also survive a power cut, at the cost of one fdatasync per
// group of appends.
//
// A block is all or nothing: a crash in the middle of a write leaves a block shorter than its header
// says, which was never acknowledged and is dropped on replay with everything after it in that
// segment (a failed write closes the segment, so nothing acknowledged ever follows a torn block).
//
// Every rotateMs the segment is closed and handed to the consumer; a segment is deleted only after the
// consumer has stored it, and segments left by a crash are consumed again at start-up, so the consumer
// must be idempotent (it is: see pipeline.ts). Blocks keep the bytes that were written, so the consumer
// inserts them as they are, without splitting or re-encoding rows.
//
// The consumer is paced: it stores closed segments at once when it last stored them at least
// consumeIntervalMs ago, and otherwise waits until that much time has passed or they hold
// minRowsPerConsume rows. A lone event is stored within one rotation, as before; under heavy traffic
// the engine gets fewer, larger inserts, which cost it less per row (chDB, rows of the ingestion
// benchmark: about 10 µs of CPU per event in inserts of 16,000 rows, 7 µs from 50,000 on) and leave
// fewer parts to merge.

export interface WalBlock {
  tag: string;
  rows: number;
  /** The rows, each ending in "\n". */
  data: Buffer;
  /** Read back from a segment file that an earlier process left, rather than appended by this one. */
  replayed: boolean;
}

export interface WalOptions {
  dir: string;
  /** Stores the blocks of one or more closed segments; throws to have them retried later. */
  consume: (blocks: WalBlock[]) => Promise<void>;
  rotateMs?: number;
  /** Largest number of rows handed to one consume() call when segments have piled up. */
  maxRowsPerConsume?: number;
  /** The consumer's pace (see above): default 1,000 ms, and 100,000 rows. */
  consumeIntervalMs?: number;
  minRowsPerConsume?: number;
  /**
   * Bytes of closed segments' blocks kept in memory for the consumer (default 64 MB). Beyond it (a store
   * down for a while) segments wait on disk alone and are read back, so memory does not grow with the backlog.
   */
  maxBufferedBytes?: number;
  fsync?: boolean;
}

interface ClosedSegment {
  file: string;
  ownRows: number;
  blocks?: WalBlock[];
  bytes: number;
}

interface PendingAppend {
  header: Buffer;
  block: WalBlock;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const SEGMENT = /^(\d{12})\.log$/;
const NEWLINE = 0x0a;

/**
 * Segments written before blocks existed (Echo 0.1.0) hold one line per row, `E\t<project>\t<id>\t<row>`
 * or `X\t<row>`; they are read as one block per line so that an upgrade replays them too.
 */
function readLegacySegment(text: string): WalBlock[] {
  const complete = text.slice(0, text.lastIndexOf("\n") + 1);
  return complete
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const row = line.startsWith("X\t") ? line.slice(2) : line.split("\t").slice(3).join("\t");
      return { tag: line[0], rows: 1, data: Buffer.from(row + "\n"), replayed: true };
    });
}

/** An error's message for /api/health, which is public: a file is named without its directory. */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const file = (error as NodeJS.ErrnoException).path;
  return file ? error.message.replaceAll(file, path.basename(file)) : error.message;
}

/** The complete blocks of a segment file (a torn tail, never acknowledged, is dropped). */
export function readSegment(file: string): WalBlock[] {
  const bytes = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
  if (bytes.length && bytes[0] !== 0x23 /* # */) return readLegacySegment(bytes.toString("utf8"));
  const blocks: WalBlock[] = [];
  let at = 0;
  while (at < bytes.length) {
    const headerEnd = bytes.indexOf(NEWLINE, at);
    if (headerEnd < 0) break;
    const header = bytes.toString("utf8", at, headerEnd).match(/^#(\S+) (\d+) (\d+)$/);
    if (!header) break;
    const dataEnd = headerEnd + 1 + Number(header[3]);
    if (dataEnd > bytes.length) break;
    blocks.push({ tag: header[1], rows: Number(header[2]), data: bytes.subarray(headerEnd + 1, dataEnd), replayed: true });
    at = dataEnd;
  }
  return blocks;
}

/** The part of `buffers` after the first `offset` bytes. */
function unwritten(buffers: Buffer[], offset: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const buffer of buffers) {
    if (offset >= buffer.length) offset -= buffer.length;
    else {
      rest.push(offset ? buffer.subarray(offset) : buffer);
      offset = 0;
    }
  }
  return rest;
}

export class WriteAheadLog {
  private fd: number | null = null;
  private segment = 0;
  private segmentBytes = 0;
  private pending: PendingAppend[] = [];
  private writing: Promise<void> | null = null;
  /**
   * Closed segments waiting for the consumer: the file; the rows this process appended to it; and its
   * blocks (`bytes` of data) while they fit the memory budget.
   */
  private closed: ClosedSegment[] = [];
  /** Bytes of blocks held in `closed`. */
  private closedBytes = 0;
  /** Blocks of the open segment, kept so the consumer need not read back what this process just wrote. */
  private openBlocks: WalBlock[] = [];
  private consuming: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Consecutive failed attempts to store closed segments, and why the last one failed. */
  private storeFailures = 0;
  private storeError: string | null = null;
  /** Consecutive failed attempts to write to the log (open a segment, writev, fdatasync), and why the last one failed. */
  private writeFailures = 0;
  private writeError: string | null = null;
  /** Rows this process appended that the consumer has not stored yet (health). */
  private pendingRows = 0;
  /** When the consumer last stored segments (ms since the epoch), for its pace. */
  private lastConsumedAt = 0;
  /** drain() calls in progress: they take every closed segment, whatever the pace. */
  private draining = 0;

  constructor(private readonly options: WalOptions) {}

  /** Picks up segments a previous process left behind and starts the rotation timer. */
  start() {
    fs.mkdirSync(this.options.dir, { recursive: true });
    const existing = fs
      .readdirSync(this.options.dir)
      .filter((f) => SEGMENT.test(f))
      .sort();
    for (const f of existing) this.closed.push({ file: path.join(this.options.dir, f), ownRows: 0, bytes: 0 });
    this.segment = existing.length ? Number(existing.at(-1)!.match(SEGMENT)![1]) : 0;
    this.timer = setInterval(() => void this.rotate().then(() => this.consume()), this.options.rotateMs ?? 200);
    this.timer.unref();
    void this.consume();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * What is logged but not stored yet: segments (closed or open), and the rows this process appended
   * among them; and whether the log works: `writable` is false from a failed write until a write
   * succeeds, `failures` counts the consecutive failed attempts to write and to store the log.
   */
  backlog(): { segments: number; rows: number; failures: number; writable: boolean; lastError: string | null; bufferedBytes: number } {
    return {
      segments: this.closed.length + (this.segmentBytes > 0 ? 1 : 0),
      rows: this.pendingRows,
      bufferedBytes: this.closedBytes + this.openBlocks.reduce((sum, b) => sum + b.data.length, 0),
      failures: this.writeFailures + this.storeFailures,
      writable: this.writeError === null,
      lastError: this.writeError ?? this.storeError,
    };
  }

  /** Logs `rows` (without newlines; TabSeparated escapes them) as one all-or-nothing block. */
  append(tag: string, rows: string[]): Promise<void> {
    if (!rows.length) return Promise.resolve();
    return this.appendBlock(tag, rows.length, Buffer.from(rows.join("\n") + "\n"));
  }

  /** Logs `rows` rows already encoded as `data` (each ending in "\n") as one all-or-nothing block. */
  appendBlock(tag: string, rows: number, data: Buffer): Promise<void> {
    if (!rows) return Promise.resolve();
    const header = Buffer.from(`#${tag} ${rows} ${data.length}\n`);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ header, block: { tag, rows, data, replayed: false }, resolve, reject });
      this.writing ??= this.writePending();
    });
  }

  private openSegment() {
    this.fd = fs.openSync(this.segmentFile(this.segment + 1), "a");
    this.segment += 1;
    this.segmentBytes = 0;
    if (this.options.fsync) {
      // A new file's directory entry must reach the disk too, or a power cut could lose the whole segment.
      const dir = fs.openSync(this.options.dir, "r");
      fs.fsyncSync(dir);
      fs.closeSync(dir);
    }
  }

  private segmentFile(segment: number): string {
    return path.join(this.options.dir, `${String(segment).padStart(12, "0")}.log`);
  }

  /** Writes every queued append in one writev (group commit), repeating while appends keep arriving. */
  private async writePending(): Promise<void> {
    // Yield before the first write: when opening a segment fails, nothing below awaits, and without this
    // the loop would finish (clearing this.writing) before append() stored the returned promise there,
    // leaving a settled promise that rotate() would await in an endless loop, starving the process.
    await undefined;
    while (this.pending.length) {
      const group = this.pending;
      this.pending = [];
      const buffers = group.flatMap((p) => [p.header, p.block.data]);
      const total = buffers.reduce((sum, b) => sum + b.length, 0);
      try {
        if (this.fd === null) this.openSegment();
        // A short write is not an error (a full disk first takes what fits): write the rest, and the next
        // writev reports why it cannot (ENOSPC), which is what the 503 and the health report then say.
        let written = 0;
        while (written < total) {
          const bytes = await new Promise<number>((resolve, reject) =>
            fs.writev(this.fd!, unwritten(buffers, written), (error, n) => (error ? reject(error) : resolve(n))),
          );
          if (bytes === 0) throw new Error(`the ingestion log took no bytes (${written} of ${total} written)`);
          written += bytes;
        }
        if (this.options.fsync) {
          await new Promise<void>((resolve, reject) => fs.fdatasync(this.fd!, (error) => (error ? reject(error) : resolve())));
        }
        this.segmentBytes += written;
        if (this.writeError !== null) console.error("[echo] the ingestion log is writable again");
        this.writeFailures = 0;
        this.writeError = null;
        for (const p of group) this.openBlocks.push(p.block);
        for (const p of group) this.pendingRows += p.block.rows;
        for (const p of group) p.resolve();
      } catch (error) {
        // Whatever reached the file is a torn block: close the segment so that later, acknowledged
        // blocks never sit behind it (replay stops at a torn block).
        this.closeSegment();
        if (this.writeError === null) {
          console.error("[echo] writing the ingestion log failed; ingestion is refused until a write succeeds:", error);
        }
        this.writeFailures += 1;
        this.writeError = reason(error);
        for (const p of group) p.reject(error);
      }
    }
    this.writing = null;
  }

  private closeSegment() {
    if (this.fd === null) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // close(2) releases the descriptor even when it reports an error; the segment must reach the consumer regardless.
    }
    const bytes = this.openBlocks.reduce((sum, b) => sum + b.data.length, 0);
    const ownRows = this.openBlocks.reduce((sum, b) => sum + b.rows, 0);
    const file = this.segmentFile(this.segment);
    if (this.closedBytes + bytes <= (this.options.maxBufferedBytes ?? 64 << 20)) {
      this.closed.push({ file, ownRows, blocks: this.openBlocks, bytes });
      this.closedBytes += bytes;
    } else {
      this.closed.push({ file, ownRows, bytes: 0 });
    }
    this.openBlocks = [];
    this.fd = null;
    this.segmentBytes = 0;
  }

  /** Closes the open segment (after in-flight writes) so the consumer can take it. */
  private async rotate() {
    while (this.writing) await this.writing;
    if (this.fd === null || this.segmentBytes === 0) return;
    this.closeSegment();
  }

  private consume(): Promise<void> {
    this.consuming ??= this.consumeClosed().finally(() => (this.consuming = null));
    return this.consuming;
  }

  /** Whether the closed segments are due for the consumer now (the pace above). */
  private closedAreDue(): boolean {
    if (this.draining > 0 || Date.now() - this.lastConsumedAt >= (this.options.consumeIntervalMs ?? 1_000)) return true;
    let rows = 0;
    for (const segment of this.closed) {
      if (!segment.blocks) return true; // on disk only (replayed, or beyond the memory budget): its rows are unknown
      rows += segment.ownRows;
    }
    return rows >= (this.options.minRowsPerConsume ?? 100_000);
  }

  private async consumeClosed() {
    const limit = this.options.maxRowsPerConsume ?? 200_000;
    while (this.closed.length && this.closedAreDue()) {
      const taken: ClosedSegment[] = [];
      const blocks: WalBlock[] = [];
      let rows = 0;
      while (this.closed.length && (taken.length === 0 || rows < limit)) {
        const segment = this.closed.shift()!;
        taken.push(segment);
        // Read back from disk: this process's own blocks when it wrote the segment, else a crash's leftovers.
        const own = segment.ownRows > 0;
        for (const block of segment.blocks ?? readSegment(segment.file).map((b) => ({ ...b, replayed: !own }))) {
          blocks.push(block);
          rows += block.rows;
        }
      }
      try {
        await this.options.consume(blocks);
        this.lastConsumedAt = Date.now();
        for (const { file } of taken) fs.rmSync(file, { force: true });
        for (const segment of taken) {
          this.pendingRows -= segment.ownRows;
          this.closedBytes -= segment.bytes;
        }
        this.storeFailures = 0;
        this.storeError = null;
      } catch (error) {
        this.closed.unshift(...taken);
        this.storeFailures += 1;
        this.storeError = reason(error);
        const attempt = this.storeFailures;
        console.error(`[echo] storing ${rows} logged rows failed (attempt ${attempt}); kept on disk, retrying:`, this.storeError);
        await new Promise((r) => setTimeout(r, Math.min(30_000, 250 * 2 ** this.storeFailures)).unref());
        return;
      }
    }
  }

  /** Rotates and stores everything appended so far (tests, benchmarks, shutdown). */
  async drain(): Promise<void> {
    this.draining += 1;
    try {
      await this.rotate();
      while (this.closed.length || this.consuming) {
        await this.consume();
      }
    } finally {
      this.draining -= 1;
    }
  }
}
