// Quantiles of non-negative values (latencies in ms) from a histogram of logarithmic buckets, the
// summary the experiment rollup keeps per user and day instead of every value. The SQL of lib/results
// computes the same quantities inside ClickHouse; these functions are their definition and the tests'
// reference.
//
// Buckets follow DDSketch's logarithmic mapping (Masson, Rim & Lee, "DDSketch: a fast and fully-mergeable
// quantile sketch with relative-error guarantees", VLDB 2019): bucket i ≥ 1 holds the values in
// (γ^(i−2), γ^(i−1)], bucket 0 holds 0. Counts are exact, so the bucket of the order statistic at any rank
// is exact too, and a value reported inside that bucket is within a factor γ of the exact order statistic.
// Inside a bucket the values are taken as evenly spread (the histogram's linear interpolation), so the
// order statistics that bracket a quantile keep their distance when many values share a bucket (or, with
// integer milliseconds, a value): their difference estimates the density the standard error needs.

/** Ratio of a bucket's upper to its lower bound: every reported order statistic is within 1% of the exact one. */
export const LATENCY_BUCKET_RATIO = 1.01;

/** The bucket of a value ≥ 0: 0 for 0, else 1 + ⌈log_γ value⌉. */
export function latencyBucket(value: number): number {
  return value === 0 ? 0 : 1 + Math.ceil(Math.log(value) / Math.log(LATENCY_BUCKET_RATIO));
}

/** The values bucket `bucket` holds: (low, high], or exactly 0 for bucket 0. */
export function latencyBucketBounds(bucket: number): { low: number; high: number } {
  if (bucket === 0) return { low: 0, high: 0 };
  return { low: LATENCY_BUCKET_RATIO ** (bucket - 2), high: LATENCY_BUCKET_RATIO ** (bucket - 1) };
}

/** A histogram: bucket → count, over every value of a group. */
export type LatencyHistogram = Map<number, number>;

/** Adds values to a histogram (the rollup's per-row summary; histograms of one group merge by adding counts). */
export function addToHistogram(histogram: LatencyHistogram, values: Iterable<number>): LatencyHistogram {
  for (const value of values) {
    const bucket = latencyBucket(value);
    histogram.set(bucket, (histogram.get(bucket) ?? 0) + 1);
  }
  return histogram;
}

/** Where rank `rank` (1-based) falls: its bucket, and the share of that bucket's count at or below it. */
export interface RankPosition {
  bucket: number;
  /** (rank − values in lower buckets) / values in the bucket, in (0, 1]. */
  fraction: number;
}

/** The bucket holding the order statistic at `rank` (1 ≤ rank ≤ n) and its position inside it. */
export function rankPosition(histogram: LatencyHistogram, rank: number): RankPosition {
  const buckets = [...histogram.keys()].sort((a, b) => a - b);
  let below = 0;
  for (const bucket of buckets) {
    const count = histogram.get(bucket)!;
    if (below + count >= rank) return { bucket, fraction: (rank - below) / count };
    below += count;
  }
  throw new RangeError(`rank ${rank} is above the histogram's ${below} values`);
}

/** The order statistic at `rank`, interpolated linearly inside its bucket: low + fraction · (high − low). */
export function histogramOrderStatistic(histogram: LatencyHistogram, rank: number): number {
  return positionValue(rankPosition(histogram, rank));
}

/** The value at a rank's position: its bucket's low bound + fraction · (high − low). */
export function positionValue({ bucket, fraction }: RankPosition): number {
  const { low, high } = latencyBucketBounds(bucket);
  return low + fraction * (high - low);
}

/**
 * A user's values at or below the order statistic at `position` (the clustering correction's X): every
 * value of lower buckets and, of the quantile's own bucket, the same share as the whole group's. Summed
 * over a group's users, X is the rank itself.
 */
export function valuesAtOrBelow(userHistogram: LatencyHistogram, position: RankPosition): number {
  let x = 0;
  for (const [bucket, count] of userHistogram) {
    if (bucket < position.bucket) x += count;
    else if (bucket === position.bucket) x += count * position.fraction;
  }
  return x;
}
