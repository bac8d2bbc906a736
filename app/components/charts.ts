// Shared chart settings (Recharts).

/** A rate axis within 0–100%, rounded out to tens: a thin day's wide interval is clipped, never stretching the axis below zero. */
export const RATE_DOMAIN: [(min: number) => number, (max: number) => number] = [
  (min) => Math.max(0, Math.floor(min * 10) / 10),
  (max) => Math.min(1, Math.ceil(max * 10) / 10),
];
