// Group commit: concurrent writers share one INSERT. A write waits for the insert that carries its rows
// (so an answer sent after `await write()` means the rows are in the engine, and a kill -9 right after
// loses nothing), but writers that arrive while an insert is in flight are batched into the next one.
// At low load every write is inserted at once; under load inserts grow instead of multiplying, which
// is what ClickHouse wants (few large parts, not many small ones).

export interface GroupCommitOptions {
  /** Upper bound of rows per flush; larger queues flush in several inserts. */
  maxRows: number;
}

interface Pending<Row, Result> {
  rows: Row[];
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<Row, Result> {
  private queue: Pending<Row, Result>[] = [];
  private queuedRows = 0;
  private flushing = false;

  /**
   * @param flush writes every row of a group and returns one result per writer, in order; it either
   *   stores the whole group or throws (then every writer of the group gets the error).
   */
  constructor(
    private readonly flush: (groups: Row[][]) => Promise<Result[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  write(rows: Row[]): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      this.queuedRows += rows.length;
      if (!this.flushing) void this.drain();
    });
  }

  private takeBatch(): Pending<Row, Result>[] {
    const batch: Pending<Row, Result>[] = [];
    let rows = 0;
    while (this.queue.length && (batch.length === 0 || rows + this.queue[0].rows.length <= this.options.maxRows)) {
      const next = this.queue.shift()!;
      rows += next.rows.length;
      batch.push(next);
    }
    this.queuedRows -= rows;
    return batch;
  }

  private async drain() {
    this.flushing = true;
    try {
      while (this.queue.length) {
        const batch = this.takeBatch();
        try {
          const results = await this.flush(batch.map((p) => p.rows));
          batch.forEach((p, i) => p.resolve(results[i]));
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
