import { tsvUnescape } from "../clickhouse/tsv";
import { SUM_KEYS } from "../metrics/registry";
import { distinctValues, RaggedColumnBuilder, type UserDayTable } from "../metrics/userDayTable";

const TAB = 9;
const NEWLINE = 10;
const COMMA = 44;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/**
 * The table of the user-day query (lib/results/sql.ts userDayRowsSql) from its TabSeparated answer: four
 * string columns (variant, user, day, segment), then one unsigned integer per sum of the metric
 * registry, with `withSeries` three arrays of unsigned integers (the user's days for the series), and with
 * `withLatency` two unsigned integers and an array of them (the user's latencies around the quantile).
 * A hand-written scanner, because splitting every line and field costs several times the query itself:
 * numbers are read digit by digit straight into the table's columns, and each distinct string is kept
 * once. User ids stay escaped (they only group rows); the other strings are unescaped. The scanning
 * functions take a position and return the next one, so that the position stays in a register.
 */
export function parseUserDayRows(text: string, sumCount = SUM_KEYS.length, withSeries = false, withLatency = false): UserDayTable {
  // (a last line without its newline counts: the scanner then names what is missing)
  let lines = text === "" || text.endsWith("\n") ? 0 : 1;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) lines++;
  const users = distinctValues();
  const [variants, days, segments] = [new FewStrings(), new FewStrings(), new FewStrings()];
  const table: UserDayTable = {
    length: lines,
    width: sumCount,
    sums: new Float64Array(lines * sumCount),
    variant: new Uint32Array(lines),
    variants: variants.values,
    user: new Uint32Array(lines),
    userIds: users.values,
    day: new Uint32Array(lines),
    days: days.values,
    segment: new Uint32Array(lines),
    segments: segments.values,
  };
  const column = () => new RaggedColumnBuilder(lines);
  const series = withSeries ? { days: column(), x: column(), y: column() } : null;
  const latency = withLatency ? { n: new Float64Array(lines), below: new Float64Array(lines), at: column() } : null;
  const fields = 4 + sumCount;
  const lastSumEnd = withSeries || withLatency ? TAB : NEWLINE;
  let at = 0;
  for (let row = 0; at < text.length; row++) {
    at = variants.scan(text, at, table.variant, row, 0, fields);
    const userEnd = fieldEnd(text, at, 1, fields);
    table.user[row] = users.index(text.slice(at, userEnd));
    at = days.scan(text, userEnd + 1, table.day, row, 2, fields);
    at = segments.scan(text, at, table.segment, row, 3, fields);
    for (let field = 0; field < sumCount; field++) {
      at = scanUnsigned(text, at, field === sumCount - 1 ? lastSumEnd : TAB, table.sums, row * sumCount + field, field + 5);
    }
    if (series) {
      at = scanArray(text, at, TAB, series.days);
      at = scanArray(text, at, TAB, series.x);
      at = scanArray(text, at, withLatency ? TAB : NEWLINE, series.y);
      if (series.x.length !== series.days.length || series.y.length !== series.days.length) {
        throw new Error(`user-day rows: row ${row + 1}'s series arrays differ in length`);
      }
      series.days.close(row);
      series.x.close(row);
      series.y.close(row);
    }
    if (latency) {
      at = scanUnsigned(text, at, TAB, latency.n, row, fields + 1);
      at = scanUnsigned(text, at, TAB, latency.below, row, fields + 2);
      at = scanArray(text, at, NEWLINE, latency.at);
      latency.at.close(row);
    }
  }
  if (series) table.series = series;
  if (latency) table.latency = latency;
  return table;
}

/** Where the string field starting at `at` ends (its tab). */
function fieldEnd(text: string, at: number, field: number, fields: number): number {
  const end = text.indexOf("\t", at);
  if (end < 0) throw new Error(`user-day rows: a row ends after ${field} of ${fields} fields at offset ${at}`);
  return end;
}

/**
 * The distinct values of a string column with few of them (variants, periods, segment values): a field
 * is compared in place with the values seen, so that no row slices a string of its own.
 */
class FewStrings {
  readonly values: string[] = [];
  private readonly raw: string[] = [];

  /** Reads the field at `at` into `into[row]` (its value's index); returns the position after its tab. */
  scan(text: string, at: number, into: Uint32Array, row: number, field: number, fields: number): number {
    for (let i = 0; i < this.raw.length; i++) {
      const raw = this.raw[i];
      if (text.charCodeAt(at + raw.length) === TAB && text.startsWith(raw, at)) {
        into[row] = i;
        return at + raw.length + 1;
      }
    }
    const end = fieldEnd(text, at, field, fields);
    into[row] = this.raw.length;
    this.raw.push(text.slice(at, end));
    this.values.push(tsvUnescape(this.raw[this.raw.length - 1]));
    return end + 1;
  }
}

/** An unsigned integer followed by `end`, into `into[index]` (field: its place in the row, for the error). */
function scanUnsigned(text: string, at: number, end: number, into: Float64Array, index: number, field: number): number {
  const start = at;
  let value = 0;
  let code = text.charCodeAt(at);
  while (code >= 48 && code <= 57) {
    value = value * 10 + (code - 48);
    code = text.charCodeAt(++at);
  }
  // each number ends in a tab (the last in a newline): anything else is not this query's answer
  if (at === start || code !== end) throw new Error(`user-day rows: field ${field} at offset ${start} is not an unsigned integer`);
  into[index] = value;
  return at + 1;
}

/** An array of unsigned integers ([1,2,3]) followed by `end`, appended to `values`. */
function scanArray(text: string, at: number, end: number, values: RaggedColumnBuilder): number {
  const start = at;
  if (text.charCodeAt(at) !== OPEN_BRACKET) throw new Error(`user-day rows: no array at offset ${start}`);
  let code = text.charCodeAt(++at);
  while (code !== CLOSE_BRACKET) {
    const first = at;
    let value = 0;
    while (code >= 48 && code <= 57) {
      value = value * 10 + (code - 48);
      code = text.charCodeAt(++at);
    }
    if (at === first || (code !== COMMA && code !== CLOSE_BRACKET)) throw new Error(`user-day rows: a bad array at offset ${start}`);
    values.push(value);
    if (code === COMMA) code = text.charCodeAt(++at);
  }
  if (text.charCodeAt(++at) !== end) throw new Error(`user-day rows: an array ends badly at offset ${start}`);
  return at + 1;
}
