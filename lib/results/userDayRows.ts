import { tsvUnescape } from "../clickhouse/tsv";
import type { UserDayRow } from "../metrics/summaries";
import { SUM_KEYS } from "../metrics/registry";

/**
 * Rows of the user-day query (lib/results/sql.ts userDayRowsSql) from its TabSeparated answer: four
 * string columns (variant, user, day, segment), then one unsigned integer per sum of the metric
 * registry, with `withSeries` three arrays of unsigned integers (the user's days for the series), and with
 * `withLatency` two unsigned integers and an array of them (the user's latencies around the quantile).
 * A hand-written scanner, because splitting every line and field costs several times the query itself:
 * numbers are read digit by digit, and the few distinct variants, days and segments are shared rather
 * than copied per row. User ids stay escaped (they only group rows); the other strings are unescaped.
 */
export function parseUserDayRows(text: string, sumCount = SUM_KEYS.length, withSeries = false, withLatency = false): UserDayRow[] {
  const interned = new Map<string, string>();
  const userIndex = new Map<string, number>();
  const intern = (raw: string) => interned.get(raw) ?? (interned.set(raw, tsvUnescape(raw)), interned.get(raw)!);
  const fields = 4 + sumCount;
  // Every row's sums in one buffer, each row a view of its part: a typed array of its own per row cost
  // more in allocation and garbage collection than the scanning itself.
  // (a last line without its newline counts: the scanner then names what is missing)
  let lines = text === "" || text.endsWith("\n") ? 0 : 1;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) lines++;
  const allSums = new Float64Array(lines * sumCount);
  const rows: UserDayRow[] = new Array(lines);
  const stringField = (field: number) => {
    const end = text.indexOf("\t", at);
    if (end < 0) throw new Error(`user-day rows: a row ends after ${field} of ${fields} fields at offset ${at}`);
    const value = text.slice(at, end);
    at = end + 1;
    return value;
  };
  /** An array of unsigned integers ([1,2,3]) followed by `end` (a tab or the newline). */
  const unsignedArray = (end: number) => {
    const start = at;
    const values: number[] = [];
    if (text.charCodeAt(at) !== 91) throw new Error(`user-day rows: no array at offset ${start}`);
    at++;
    let code = text.charCodeAt(at);
    while (code !== 93) {
      const first = at;
      let value = 0;
      while (code >= 48 && code <= 57) {
        value = value * 10 + (code - 48);
        code = text.charCodeAt(++at);
      }
      if (at === first || (code !== 44 && code !== 93)) throw new Error(`user-day rows: a bad array at offset ${start}`);
      values.push(value);
      if (code === 44) code = text.charCodeAt(++at);
    }
    if (text.charCodeAt(++at) !== end) throw new Error(`user-day rows: an array ends badly at offset ${start}`);
    at++;
    return values;
  };
  /** An unsigned integer followed by `end`. */
  const unsigned = (end: number) => {
    const start = at;
    let value = 0;
    let code = text.charCodeAt(at);
    while (code >= 48 && code <= 57) {
      value = value * 10 + (code - 48);
      code = text.charCodeAt(++at);
    }
    if (at === start || code !== end) throw new Error(`user-day rows: no unsigned integer at offset ${start}`);
    at++;
    return value;
  };
  let at = 0;
  let row = 0;
  while (at < text.length) {
    const variant = stringField(0);
    const userId = stringField(1);
    const day = stringField(2);
    const segment = stringField(3);
    const sums = allSums.subarray(row * sumCount, (row + 1) * sumCount);
    for (let field = 0; field < sumCount; field++) {
      const start = at;
      let value = 0;
      let code = text.charCodeAt(at);
      while (code >= 48 && code <= 57) {
        value = value * 10 + (code - 48);
        code = text.charCodeAt(++at);
      }
      // each number ends in a tab (the last in a newline): anything else is not this query's answer
      if (at === start || code !== (field === sumCount - 1 && !withSeries && !withLatency ? 10 : 9)) {
        throw new Error(`user-day rows: field ${field + 5} at offset ${start} is not an unsigned integer`);
      }
      sums[field] = value;
      at++;
    }
    let user = userIndex.get(userId);
    if (user === undefined) userIndex.set(userId, (user = userIndex.size));
    const parsed: UserDayRow = { variant: intern(variant), userId, user, day: intern(day), segment: intern(segment), sums };
    if (withSeries) parsed.series = { days: unsignedArray(9), x: unsignedArray(9), y: unsignedArray(withLatency ? 9 : 10) };
    if (withLatency) parsed.latency = { n: unsigned(9), below: unsigned(9), at: unsignedArray(10) };
    rows[row++] = parsed;
  }
  return rows;
}
