// Calendar arithmetic shared by every domain: all days are UTC days.

export const DAY_MS = 86_400_000;

/** The UTC day of an instant, as YYYY-MM-DD. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The start (epoch milliseconds) of the UTC day of a timestamp text that begins with YYYY-MM-DD (ISO or ClickHouse). */
export function startOfUtcDay(timestamp: string): number {
  return Date.parse(`${timestamp.slice(0, 10)}T00:00:00Z`);
}
