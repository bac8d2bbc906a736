import { describe, expect, it } from "vitest";
import {
  addToHistogram,
  histogramOrderStatistic,
  LATENCY_BUCKET_RATIO,
  latencyBucket,
  latencyBucketBounds,
  rankPosition,
  valuesAtOrBelow,
} from "@/lib/stats/histogramQuantile";
import { quantileConfidenceIndices, quantileStandardErrorIid } from "@/lib/stats/quantile";

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("latency histogram buckets", () => {
  it("puts every value in the bucket whose bounds hold it, each bucket spanning a factor of 1.01", () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucketBounds(0)).toEqual({ low: 0, high: 0 });
    for (const value of [0.5, 1, 2, 99, 100, 101, 287, 1_000, 30_000, 4_294_967_295]) {
      const { low, high } = latencyBucketBounds(latencyBucket(value));
      expect(value).toBeGreaterThan(low);
      expect(value).toBeLessThanOrEqual(high * (1 + 1e-12));
      expect(high / low).toBeCloseTo(LATENCY_BUCKET_RATIO, 12);
    }
    expect(latencyBucket(4_294_967_295)).toBeLessThan(65_535); // stored as UInt16
  });
});

describe("order statistics from a latency histogram", () => {
  const next = random(1);
  // Lognormal latencies in whole milliseconds, as clients report them: many ties.
  const values = Array.from({ length: 20_000 }, () => {
    const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    return Math.round(180 * Math.exp(0.35 * normal));
  });
  const sorted = [...values].sort((a, b) => a - b);
  const histogram = addToHistogram(new Map(), values);

  it("reports each order statistic within 1% of the exact one", () => {
    for (const rank of [1, 100, 5_000, 10_000, 19_000, 19_001, 19_500, 20_000]) {
      const exact = sorted[rank - 1];
      expect(Math.abs(histogramOrderStatistic(histogram, rank) - exact) / exact).toBeLessThan(LATENCY_BUCKET_RATIO - 1);
    }
  });

  it("keeps the bracketing order statistics apart where exact ones tie, so the standard error does not vanish", () => {
    // The same whole milliseconds a thousand times over (n = 20,000,000): the exact order statistics that
    // bracket the p95 are one and the same value, and the order-statistic standard error would be 0.
    const copies = 1_000;
    const many = new Map([...histogram].map(([bucket, count]) => [bucket, count * copies]));
    const n = values.length * copies;
    const { lower, upper } = quantileConfidenceIndices(n, 0.95, 0.05);
    const exactAt = (rank: number) => sorted[Math.ceil(rank / copies) - 1];
    expect(exactAt(lower)).toBe(exactAt(upper));
    const [low, high] = [histogramOrderStatistic(many, lower), histogramOrderStatistic(many, upper)];
    expect(high).toBeGreaterThan(low);
    // The interpolated interval estimates the density: the standard error is close to the lognormal's
    // asymptotic one, √(p(1 − p)/n) / f(ξ), with f(ξ) = φ(z)/(ξσ) at ξ = 180·e^(0.35·z), z = Φ⁻¹(0.95).
    const z = 1.6448536269514722;
    const xi = 180 * Math.exp(0.35 * z);
    const density = Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI) / (xi * 0.35);
    const asymptotic = Math.sqrt((0.95 * 0.05) / n) / density;
    const se = quantileStandardErrorIid(n, 0.95, low, high);
    expect(se / asymptotic).toBeGreaterThan(0.5);
    expect(se / asymptotic).toBeLessThan(2);
  });

  it("splits the quantile's bucket among users so that their values at or below it add up to its rank", () => {
    const users = Array.from({ length: 50 }, (_, u) => values.filter((_, i) => i % 50 === u));
    const rank = Math.floor(0.95 * values.length) + 1;
    const position = rankPosition(histogram, rank);
    const xs = users.map((v) => valuesAtOrBelow(addToHistogram(new Map(), v), position));
    expect(xs.reduce((a, b) => a + b, 0)).toBeCloseTo(rank, 6);
    // each user's share lies between the values strictly below the bucket and those at or below its top
    users.forEach((v, u) => {
      const { low, high } = latencyBucketBounds(position.bucket);
      expect(xs[u]).toBeGreaterThanOrEqual(v.filter((x) => x <= low).length);
      expect(xs[u]).toBeLessThanOrEqual(v.filter((x) => x <= high).length);
    });
  });

  it("refuses a rank above the histogram's values", () => {
    expect(() => rankPosition(histogram, 20_001)).toThrow(RangeError);
  });
});
