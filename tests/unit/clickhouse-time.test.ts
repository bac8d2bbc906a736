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

  it("reads back every text it writes, and the engine's other shapes as Date.parse does", () => {
    let seed = 11;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 100_000; i++) {
      const ms = Math.floor(random() * 253_402_300_800_000) - 2_208_988_800_000 * (i % 2); // 1900 to 9999
      expect(fromClickhouseTime(clickhouseTime(ms))).toBe(ms);
    }
    expect(fromClickhouseTime("2026-11-24 10:00:00")).toBe(Date.UTC(2026, 10, 24, 10));
    expect(fromClickhouseTime("2026-11-24 10:00:00.5")).toBe(Date.UTC(2026, 10, 24, 10, 0, 0, 500));
  });
});
