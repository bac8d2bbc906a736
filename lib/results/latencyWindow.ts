import type { UserDayTable } from "../metrics/userDayTable";
import { bracketRanks, type RatioSummary } from "../stats";
import { positionValue, type RankPosition } from "../stats/histogramQuantile";

// The latency quantile's clustering sums, taken from the users' rows of the sums query instead of a
// second pass over every latency histogram. The correction needs, per user, X = the user's latencies at
// or below the variant's quantile (lib/stats/histogramQuantile valuesAtOrBelow) and Y = the user's
// latencies. X depends on the quantile's bucket, which only the variant's whole histogram tells; so each
// user's row carries the count of latencies below a window of buckets and the count of each bucket in it,
// and X follows for any quantile whose bucket lies in the window. The window is centred on the bucket the
// last answer for the experiment found (a p95 rarely moves by more than a bucket, 1%, between two
// requests), so the sums and the histograms are read at the same time; when the quantile has left the
// window, the sums are read again around it.

/** The quantile of one variant's latencies (lib/results/sql.ts latencyQuantilesSql). */
export interface LatencyQuantile {
  variant: string;
  n: number;
  /** 1-based ranks, in the variant's sorted latencies, of the quantile and of the ends of its interval. */
  ranks: { quantile: number; lower: number; upper: number };
  quantile: number;
  lowerValue: number;
  upperValue: number;
  /** The quantile's histogram bucket and its share of that bucket's latencies (histogramQuantile rankPosition). */
  bucket: number;
  bucketFraction: number;
}

/**
 * A variant's quantile from the positions of its three ranks (the quantile's, the bracket's ends): values
 * interpolated in their buckets (positionValue), whichever read found the positions, so that an answer
 * does not depend on it. A missing end (too few latencies to bracket the quantile) has no value.
 */
export function latencyQuantile(
  variant: string,
  n: number,
  ranks: LatencyQuantile["ranks"],
  quantile: RankPosition,
  lower: RankPosition | null,
  upper: RankPosition | null,
): LatencyQuantile {
  return {
    variant,
    n,
    ranks,
    quantile: positionValue(quantile),
    lowerValue: lower ? positionValue(lower) : NaN,
    upperValue: upper ? positionValue(upper) : NaN,
    bucket: quantile.bucket,
    bucketFraction: quantile.fraction,
  };
}

/**
 * Per variant, its quantile from the users' rows alone (read with `windows`): the rows carry each user's
 * latencies, those below the window and those of each window bucket, so their sums are the variant's
 * histogram around the window, exact. When every rank the answer needs (the quantile's, and the bracket's
 * ends when the latencies suffice for one) falls in its variant's window, no histogram query is needed;
 * otherwise null. Ranks as latencyQuantilesSql computes them (the quantile's floor(p·n) + 1; the bracket's
 * those of lib/stats quantileConfidenceIndices, 0 when there is none).
 */
export function quantilesFromWindows(
  rows: UserDayTable,
  windows: BucketWindows,
  variants: readonly string[],
  p: number,
  z: number,
): LatencyQuantile[] | null {
  // per variant of the rows: its latencies, those below the window, and each window bucket's
  const { latency } = rows;
  const post = rows.days.indexOf("post");
  const width = 2 + LATENCY_WINDOW_BUCKETS;
  const sums = new Float64Array(rows.variants.length * width);
  for (let r = 0; latency && r < rows.length; r++) {
    if (rows.day[r] !== post) continue;
    const into = rows.variant[r] * width;
    if (latency.at.start[r + 1] - latency.at.start[r] > LATENCY_WINDOW_BUCKETS)
      throw new Error(`user-day row ${r} has more than the window's buckets`);
    sums[into] += latency.n[r];
    sums[into + 1] += latency.below[r];
    for (let i = latency.at.start[r], k = into + 2; i < latency.at.start[r + 1]; i++, k++) sums[k] += latency.at.values[i];
  }
  const totals = variants.map((variant) => {
    const slot = rows.variants.indexOf(variant);
    if (slot < 0) return { variant, n: 0, below: 0, at: new Array<number>(LATENCY_WINDOW_BUCKETS).fill(0) };
    const [n, below, ...at] = sums.subarray(slot * width, (slot + 1) * width);
    return { variant, n, below, at };
  });
  const quantiles: LatencyQuantile[] = [];
  for (const { variant, n, below, at } of totals) {
    if (n === 0) continue;
    const low = windows.get(variant);
    if (low === undefined) return null;
    /** The position of a rank (1…n) inside the window, or null outside it. */
    const position = (rank: number): RankPosition | null => {
      let before = below;
      for (let k = 0; k < at.length; k++) {
        if (at[k] > 0 && rank > before && rank <= before + at[k]) return { bucket: low + k, fraction: (rank - before) / at[k] };
        before += at[k];
      }
      return null;
    };
    const quantileRank = Math.min(n, Math.floor(p * n) + 1);
    const bracket = bracketRanks(n, p, z);
    const [quantile, lower, upper] = [quantileRank, bracket?.lower, bracket?.upper].map((rank) => (rank ? position(rank) : null));
    if (!quantile || (bracket && (!lower || !upper))) return null;
    const ranks = { quantile: quantileRank, lower: bracket?.lower ?? 0, upper: bracket?.upper ?? 0 };
    quantiles.push(latencyQuantile(variant, n, ranks, quantile, lower, upper));
  }
  return quantiles;
}

/** Per variant, the first of the LATENCY_WINDOW_BUCKETS buckets whose counts the users' rows carry. */
export type BucketWindows = Map<string, number>;

/** Buckets on each side of the expected quantile's: ±2 buckets is ±2% of latency. */
export const LATENCY_WINDOW_MARGIN = 2;
export const LATENCY_WINDOW_BUCKETS = 2 * LATENCY_WINDOW_MARGIN + 1;

/** Per variant, the window centred on the bucket of its quantile. */
export function bucketWindows(quantiles: ReadonlyMap<string, number>): BucketWindows {
  return new Map([...quantiles].map(([variant, bucket]) => [variant, Math.max(0, bucket - LATENCY_WINDOW_MARGIN)]));
}

/** Whether every variant's quantile bucket lies in its window, so that every user's X can be told. */
export function windowsCover(windows: BucketWindows, quantiles: readonly LatencyQuantile[]): boolean {
  return quantiles.every((q) => {
    const low = windows.get(q.variant);
    return low !== undefined && q.bucket >= low && q.bucket < low + LATENCY_WINDOW_BUCKETS;
  });
}

/**
 * A user's latencies at or below the quantile (valuesAtOrBelow): all those below the window (`below`),
 * those of the window's buckets below the quantile's, and the quantile's share of its own bucket (the
 * window's counts are at[from], at[from + 1], …, the first that of bucket `low`).
 */
export function userValuesAtOrBelow(below: number, at: ArrayLike<number>, from: number, low: number, quantile: LatencyQuantile): number {
  let x = below;
  for (let k = 0; low + k < quantile.bucket; k++) x += at[from + k];
  return x + at[from + quantile.bucket - low] * quantile.bucketFraction;
}

/**
 * Per variant, the clustering sums over its users with latencies (X as above, Y their count), from the
 * post rows read with windows that cover every quantile (windowsCover).
 */
export function latencyClustering(
  rows: UserDayTable,
  windows: BucketWindows,
  quantiles: readonly LatencyQuantile[],
): Map<string, RatioSummary> {
  const byVariant = new Map(quantiles.map((q) => [q.variant, q]));
  const { latency } = rows;
  const post = rows.days.indexOf("post");
  const quantileOf = rows.variants.map((variant) => byVariant.get(variant));
  const lowOf = rows.variants.map((variant) => windows.get(variant)!);
  // per variant of the rows: users, ΣX, ΣY, ΣX², ΣY², ΣXY
  const sums = new Float64Array(rows.variants.length * 6);
  for (let r = 0; latency && r < rows.length; r++) {
    const quantile = quantileOf[rows.variant[r]];
    if (rows.day[r] !== post || latency.n[r] === 0 || !quantile) continue;
    const x = userValuesAtOrBelow(latency.below[r], latency.at.values, latency.at.start[r], lowOf[rows.variant[r]], quantile);
    const y = latency.n[r];
    const at = rows.variant[r] * 6;
    sums[at]++;
    sums[at + 1] += x;
    sums[at + 2] += y;
    sums[at + 3] += x * x;
    sums[at + 4] += y * y;
    sums[at + 5] += x * y;
  }
  const out = new Map<string, RatioSummary>();
  for (const q of quantiles) {
    const slot = rows.variants.indexOf(q.variant);
    const [users, sumX, sumY, sumX2, sumY2, sumXY] = slot < 0 ? [0, 0, 0, 0, 0, 0] : sums.subarray(slot * 6, slot * 6 + 6);
    out.set(q.variant, { users, sumX, sumY, sumX2, sumY2, sumXY });
  }
  return out;
}
