import { describe, expect, it } from "vitest";
import { clickhouseTime, fromClickhouseTime } from "@/lib/clickhouse/time";

// clickhouseTime assembles the text from tables and a cached date instead of a Date per call: it must
// give exactly the ISO text's date and time, on any day, including after a change of day.
const fromIso = (ms: number) => {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
};

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe("clickhouseTime", () => {
  it("matches the ISO text for any millisecond from 1970 to 9999, days changing between calls", () => {
    const random = rng(7);
    const now = Date.UTC(2026, 11, 1);
    for (let i = 0; i < 200_000; i++) {
      const ms = i % 2 ? Math.floor(random() * 253_402_300_800_000) : now - Math.floor(random() * 40 * 86_400_000);
      expect(clickhouseTime(ms)).toBe(fromIso(ms));
    }
  });

  it("handles the edges of a day and of the range, and non-integer or negative instants", () => {
    const edges = [0, 1, 86_399_999, 86_400_000, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2024, 2, 1), 253_402_300_799_999];
    for (const ms of [...edges, -1, -86_400_001, 1.5, 1_764_590_400_000.9]) expect(clickhouseTime(ms)).toBe(fromIso(ms));
    expect(fromClickhouseTime(clickhouseTime(1_764_590_400_123))).toBe(1_764_590_400_123);
  });
});
