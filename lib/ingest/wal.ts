import fs from "node:fs";
import path from "node:path";

// A write-ahead log of text lines in numbered segment files. append() resolves once its lines are
// written to the segment file, so they survive the process being killed (kill -9) the moment after;
// set fsync to also survive a power cut, at the cost of one fdatasync per group of appends.
// Every rotateMs the segment is closed and handed to the consumer; a segment is deleted only after
// the consumer has stored it, and segments left by a crash are consumed again at start-up, so the
// consumer must be idempotent (it is: see pipeline.ts).

export interface WalOptions {
  dir: string;
  /** Stores the lines of one or more closed segments; throws to have them retried later. */
  consume: (lines: string[]) => Promise<void>;
  rotateMs?: number;
  /** Largest number of lines handed to one consume() call when segments have piled up. */
  maxLinesPerConsume?: number;
  fsync?: boolean;
}

interface PendingAppend {
  lines: string[];
  data: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const SEGMENT = /^(\d{12})\.log$/;

/** Lines of a segment file; a crash mid-write can leave a torn last line, never acknowledged, so it is dropped. */
function readSegment(file: string): string[] {
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const complete = text.endsWith("\n") ? text : text.slice(0, text.lastIndexOf("\n") + 1);
  return complete ? complete.slice(0, -1).split("\n") : [];
}

export class WriteAheadLog {
  private fd: number | null = null;
  private segment = 0;
  private segmentBytes = 0;
  private pending: PendingAppend[] = [];
  private writing: Promise<void> | null = null;
  /** Closed segments waiting for the consumer: the file, and its lines when this process wrote them. */
  private closed: { file: string; lines?: string[] }[] = [];
  /** Lines of the open segment, kept so the consumer need not read back what this process just wrote. */
  private openLines: string[] = [];
  private consuming: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;

  constructor(private readonly options: WalOptions) {}

  /** Picks up segments a previous process left behind and starts the rotation timer. */
  start() {
    fs.mkdirSync(this.options.dir, { recursive: true });
    const existing = fs
      .readdirSync(this.options.dir)
      .filter((f) => SEGMENT.test(f))
      .sort();
    for (const f of existing) this.closed.push({ file: path.join(this.options.dir, f) });
    this.segment = existing.length ? Number(existing.at(-1)!.match(SEGMENT)![1]) : 0;
    this.timer = setInterval(() => void this.rotate().then(() => this.consume()), this.options.rotateMs ?? 200);
    this.timer.unref();
    void this.consume();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Segments not yet stored (closed or open), for health and tests. */
  backlog(): number {
    return this.closed.length + (this.segmentBytes > 0 ? 1 : 0);
  }

  append(lines: string[]): Promise<void> {
    if (!lines.length) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ lines, data: lines.join("\n") + "\n", resolve, reject });
      if (!this.writing) this.writing = this.writePending();
    });
  }

  private openSegment() {
    this.segment += 1;
    const file = path.join(this.options.dir, `${String(this.segment).padStart(12, "0")}.log`);
    this.fd = fs.openSync(file, "a");
    this.segmentBytes = 0;
    if (this.options.fsync) {
      // A new file's directory entry must reach the disk too, or a power cut could lose the whole segment.
      const dir = fs.openSync(this.options.dir, "r");
      fs.fsyncSync(dir);
      fs.closeSync(dir);
    }
  }

  private currentFile(): string {
    return path.join(this.options.dir, `${String(this.segment).padStart(12, "0")}.log`);
  }

  /** Writes every queued append in one write (group commit), repeating while appends keep arriving. */
  private async writePending(): Promise<void> {
    while (this.pending.length) {
      const group = this.pending;
      this.pending = [];
      try {
        if (this.fd === null) this.openSegment();
        const data = group.length === 1 ? group[0].data : group.map((p) => p.data).join("");
        const written = await new Promise<number>((resolve, reject) => fs.write(this.fd!, data, null, "utf8", (error, bytes) => (error ? reject(error) : resolve(bytes))));
        if (this.options.fsync) await new Promise<void>((resolve, reject) => fs.fdatasync(this.fd!, (error) => (error ? reject(error) : resolve())));
        this.segmentBytes += written;
        for (const p of group) for (const line of p.lines) this.openLines.push(line);
        for (const p of group) p.resolve();
      } catch (error) {
        for (const p of group) p.reject(error);
      }
    }
    this.writing = null;
  }

  /** Closes the open segment (after in-flight writes) so the consumer can take it. */
  private async rotate() {
    while (this.writing) await this.writing;
    if (this.fd === null || this.segmentBytes === 0) return;
    fs.closeSync(this.fd);
    this.closed.push({ file: this.currentFile(), lines: this.openLines });
    this.openLines = [];
    this.fd = null;
    this.segmentBytes = 0;
  }

  private consume(): Promise<void> {
    this.consuming ??= this.consumeClosed().finally(() => (this.consuming = null));
    return this.consuming;
  }

  private async consumeClosed() {
    const limit = this.options.maxLinesPerConsume ?? 200_000;
    while (this.closed.length) {
      const taken: { file: string; lines?: string[] }[] = [];
      let lines: string[] = [];
      while (this.closed.length && (taken.length === 0 || lines.length < limit)) {
        const segment = this.closed.shift()!;
        taken.push(segment);
        lines = lines.length ? lines.concat(segment.lines ?? readSegment(segment.file)) : (segment.lines ?? readSegment(segment.file));
      }
      try {
        await this.options.consume(lines);
        for (const { file } of taken) fs.rmSync(file, { force: true });
        this.failures = 0;
      } catch (error) {
        this.closed.unshift(...taken);
        this.failures += 1;
        console.error(`[echo] storing ${lines.length} logged rows failed (attempt ${this.failures}); kept on disk, retrying:`, (error as Error).message);
        await new Promise((r) => setTimeout(r, Math.min(30_000, 250 * 2 ** this.failures)).unref());
        return;
      }
    }
  }

  /** Rotates and stores everything appended so far (tests, benchmarks, shutdown). */
  async drain(): Promise<void> {
    await this.rotate();
    while (this.closed.length || this.consuming) {
      await this.consume();
    }
  }
}
