/** ClickHouse DateTime64(3, 'UTC') text: `2026-11-24 10:00:00.000`. */
export function clickhouseTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-24T10:00:00.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** The instant of a ClickHouse DateTime64(3, 'UTC') text (the inverse of clickhouseTime), in epoch milliseconds. */
export function fromClickhouseTime(text: string): number {
  return Date.parse(`${text.replace(" ", "T")}Z`);
}
