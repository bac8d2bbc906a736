const DAY_MS = 86_400_000;
/** Year 10000: DateTime64 text has four-digit years. */
const MAX_MS = 253_402_300_800_000;
const pad2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
const pad3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
// Ingestion formats one time per event, and a batch's events share a few days: the date part is kept
// for the last day seen, and the time of day is assembled from tables (a Date and its ISO text per
// event cost several times more).
let cachedDay = NaN;
let cachedDate = "";

/** ClickHouse DateTime64(3, 'UTC') text: `2026-11-24 10:00:00.000`. */
export function clickhouseTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= MAX_MS) {
    const iso = new Date(ms).toISOString(); // 2026-11-24T10:00:00.000Z
    return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  }
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 11).replace("T", " ");
    cachedDay = day;
  }
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${cachedDate}${pad2[hours]}:${pad2[minutes]}:${pad2[seconds]}.${pad3[rest - seconds * 1000]}`;
}

const DIGITS = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/;

/** The instant of a ClickHouse DateTime64(3, 'UTC') text (the inverse of clickhouseTime), in epoch milliseconds. */
export function fromClickhouseTime(text: string): number {
  // The engine's own shape read field by field (the refinement pipeline reads two per sample): several
  // times faster than building an ISO text for Date.parse, which reads any other shape.
  const m = DIGITS.exec(text);
  if (!m) return Date.parse(`${text.replace(" ", "T")}Z`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]);
}
