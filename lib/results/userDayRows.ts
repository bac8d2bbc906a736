import { tsvUnescape } from "../clickhouse/tsv";
import type { UserDayRow } from "../metrics/summaries";
import { SUM_KEYS } from "../metrics/registry";

/**
 * Rows of the user-day query (lib/results/sql.ts userDayRowsSql) from its TabSeparated answer: four
 * string columns (variant, user, day, segment), then one unsigned integer per sum of the metric
 * registry. A hand-written scanner, because splitting every line and field costs several times the
 * query itself: numbers are read digit by digit, and the few distinct variants, days and segments are
 * shared rather than copied per row. User ids stay escaped (they only group rows); the other strings
 * are unescaped.
 */
export function parseUserDayRows(text: string, sumCount = SUM_KEYS.length): UserDayRow[] {
  const rows: UserDayRow[] = [];
  const interned = new Map<string, string>();
  const userIndex = new Map<string, number>();
  const intern = (raw: string) => interned.get(raw) ?? (interned.set(raw, tsvUnescape(raw)), interned.get(raw)!);
  const fields = 4 + sumCount;
  let at = 0;
  while (at < text.length) {
    const strings: string[] = [];
    for (let field = 0; field < 4; field++) {
      const end = text.indexOf("\t", at);
      if (end < 0) throw new Error(`user-day rows: a row ends after ${field} of ${fields} fields at offset ${at}`);
      strings.push(text.slice(at, end));
      at = end + 1;
    }
    const sums = new Float64Array(sumCount);
    for (let field = 0; field < sumCount; field++) {
      const start = at;
      let value = 0;
      let code = text.charCodeAt(at);
      while (code >= 48 && code <= 57) {
        value = value * 10 + (code - 48);
        code = text.charCodeAt(++at);
      }
      // each number ends in a tab (the last in a newline): anything else is not this query's answer
      if (at === start || code !== (field === sumCount - 1 ? 10 : 9)) {
        throw new Error(`user-day rows: field ${field + 5} at offset ${start} is not an unsigned integer`);
      }
      sums[field] = value;
      at++;
    }
    let user = userIndex.get(strings[1]);
    if (user === undefined) userIndex.set(strings[1], (user = userIndex.size));
    rows.push({ variant: intern(strings[0]), userId: strings[1], user, day: intern(strings[2]), segment: intern(strings[3]), sums });
  }
  return rows;
}
