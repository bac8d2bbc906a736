// The users' rows that every ratio metric and the latency quantile are computed from, held as columns:
// one typed array per column and a table of the distinct values of each string column. A results
// request reads tens of thousands of rows and evaluates several metrics over them; an object, a typed
// array and a few small arrays per row cost more in allocation and garbage collection than the
// arithmetic on them. Pure.

/** One row, as the user-day query answers it (lib/results/sql.ts userDayRowsSql): for tests and diagnostics. */
export interface UserDayRow {
  variant: string;
  userId: string;
  /** "post" for the window after the user's first exposure, "pre" for the CUPED lookback before it. */
  day: string;
  segment: string;
  /** The sums of the request's layout (SUM_KEYS order; see lib/metrics/values.ts). */
  sums: ArrayLike<number>;
  /**
   * For the day-by-day series of one metric (post rows): the user's days after exposure, ascending, as
   * indexes from the window's first day, with that day's numerator and denominator.
   */
  series?: { days: number[]; x: number[]; y: number[] };
  /**
   * For the latency quantile (post rows): the user's latencies, those in buckets below the variant's
   * window of buckets, and the count in each bucket of the window (lib/results/latencyWindow.ts).
   */
  latency?: { n: number; below: number; at: number[] };
}

/** Numbers per row, each row's run of `values` from `start[row]` to `start[row + 1]`. */
export interface RaggedColumn {
  start: Uint32Array;
  values: Float64Array;
}

export interface UserDayTable {
  /** Rows. */
  length: number;
  /** Sums per row (the layout's length): row r's are sums[r·width] … sums[(r+1)·width − 1]. */
  width: number;
  sums: Float64Array;
  /** Per row, the index of its value in the column's distinct values (variants, userIds, days, segments). */
  variant: Uint32Array;
  variants: string[];
  /** The user's dense index (0, 1, 2, … in order of appearance): lets per-user state live in arrays. */
  user: Uint32Array;
  userIds: string[];
  day: Uint32Array;
  days: string[];
  segment: Uint32Array;
  segments: string[];
  /** With the series (see UserDayRow.series). */
  series?: { days: RaggedColumn; x: RaggedColumn; y: RaggedColumn };
  /** With the latency window (see UserDayRow.latency). */
  latency?: { n: Float64Array; below: Float64Array; at: RaggedColumn };
}

/** Distinct values in order of appearance, each stored once. */
export function distinctValues() {
  const values: string[] = [];
  const indexOf = new Map<string, number>();
  return {
    values,
    index(key: string): number {
      let index = indexOf.get(key);
      if (index === undefined) {
        indexOf.set(key, (index = values.length));
        values.push(key);
      }
      return index;
    },
  };
}

/**
 * A column of `rows` rows to fill: each row's numbers appended in turn, then the row closed. The values
 * grow by doubling (a plain array's growth by half copied its values three times over).
 */
export class RaggedColumnBuilder implements RaggedColumn {
  readonly start: Uint32Array;
  values: Float64Array;
  private count = 0;

  constructor(rows: number, capacity = 4 * rows + 16) {
    this.start = new Uint32Array(rows + 1);
    this.values = new Float64Array(capacity);
  }

  push(value: number) {
    if (this.count === this.values.length) {
      const grown = new Float64Array(2 * this.values.length);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = value;
  }

  /** Numbers appended so far, in all rows. */
  get length(): number {
    return this.count;
  }

  close(row: number) {
    this.start[row + 1] = this.count;
  }
}

/** The table of rows given one by one, each with `width` sums. */
export function userDayTable(rows: readonly UserDayRow[], width: number): UserDayTable {
  const [variants, users, days, segments] = [distinctValues(), distinctValues(), distinctValues(), distinctValues()];
  const withSeries = rows.length > 0 && rows.every((row) => row.series);
  const withLatency = rows.length > 0 && rows.every((row) => row.latency);
  const table: UserDayTable = {
    length: rows.length,
    width,
    sums: new Float64Array(rows.length * width),
    variant: new Uint32Array(rows.length),
    variants: variants.values,
    user: new Uint32Array(rows.length),
    userIds: users.values,
    day: new Uint32Array(rows.length),
    days: days.values,
    segment: new Uint32Array(rows.length),
    segments: segments.values,
  };
  const column = () => new RaggedColumnBuilder(rows.length);
  const series = withSeries ? { days: column(), x: column(), y: column() } : null;
  const latency = withLatency ? { n: new Float64Array(rows.length), below: new Float64Array(rows.length), at: column() } : null;
  rows.forEach((row, r) => {
    if (row.sums.length !== width) throw new Error(`user-day row ${r} has ${row.sums.length} sums, not ${width}`);
    table.sums.set(Array.from(row.sums), r * width);
    table.variant[r] = variants.index(row.variant);
    table.user[r] = users.index(row.userId);
    table.day[r] = days.index(row.day);
    table.segment[r] = segments.index(row.segment);
    if (series) {
      for (const part of ["days", "x", "y"] as const) {
        for (const value of row.series![part]) series[part].push(value);
        series[part].close(r);
      }
    }
    if (latency) {
      latency.n[r] = row.latency!.n;
      latency.below[r] = row.latency!.below;
      for (const value of row.latency!.at) latency.at.push(value);
      latency.at.close(r);
    }
  });
  if (series) table.series = series;
  if (latency) table.latency = latency;
  return table;
}

/** A row's numbers in a ragged column. */
function raggedRow(column: RaggedColumn, row: number): number[] {
  return Array.from(column.values.subarray(column.start[row], column.start[row + 1]));
}

/** Row r of a table, as an object (for tests and diagnostics; the computations read the columns). */
export function userDayRowAt(table: UserDayTable, r: number): UserDayRow {
  const row: UserDayRow = {
    variant: table.variants[table.variant[r]],
    userId: table.userIds[table.user[r]],
    day: table.days[table.day[r]],
    segment: table.segments[table.segment[r]],
    sums: Array.from(table.sums.subarray(r * table.width, (r + 1) * table.width)),
  };
  const { series, latency } = table;
  if (series) row.series = { days: raggedRow(series.days, r), x: raggedRow(series.x, r), y: raggedRow(series.y, r) };
  if (latency) row.latency = { n: latency.n[r], below: latency.below[r], at: raggedRow(latency.at, r) };
  return row;
}
