// Calendar arithmetic shared by every domain: all days are UTC days.

export const DAY_MS = 86_400_000;

/** The UTC day of an instant, as YYYY-MM-DD. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
