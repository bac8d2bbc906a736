import { METRICS, SUM_KEYS, type RatioMetricKey, type SumKey } from "./registry";

// A ratio metric as per-user functions of the sums array (SUM_KEYS order): what the statistics see.

/** A user's (or a day's) sums, indexed in SUM_KEYS order. */
export type Sums = ArrayLike<number>;

export interface RatioValues {
  key: RatioMetricKey;
  /** Per-user numerator and denominator; a per-user mean has denominator 1 for every exposed user. */
  numerator: (sums: Sums) => number;
  denominator: ((sums: Sums) => number) | "per_user";
  higherIsBetter: boolean;
}

const SUM_INDEX = new Map(SUM_KEYS.map((key, index) => [key, index]));

export function sumIndex(key: SumKey): number {
  return SUM_INDEX.get(key)!;
}

/** The sum of some of the sums, as a closure over their indices (hot: one call per row and metric). */
function adder(keys: readonly SumKey[]): (sums: Sums) => number {
  const indices = keys.map(sumIndex);
  if (indices.length === 1) {
    const [a] = indices;
    return (s) => s[a];
  }
  if (indices.length === 2) {
    const [a, b] = indices;
    return (s) => s[a] + s[b];
  }
  return (s) => indices.reduce((total, i) => total + s[i], 0);
}

const compiled = new Map<RatioMetricKey, RatioValues>();

export function ratioValues(key: RatioMetricKey): RatioValues {
  let values = compiled.get(key);
  if (!values) {
    const metric = METRICS[key];
    values = {
      key,
      numerator: adder(metric.numerator),
      denominator: metric.denominator === "per_user" ? "per_user" : adder(metric.denominator),
      higherIsBetter: metric.higherIsBetter,
    };
    compiled.set(key, values);
  }
  return values;
}

/** The pooled value of a ratio metric over summed sums (ΣX / ΣY), or null without a denominator. */
export function pooledRatio(key: RatioMetricKey, sums: Sums, users = 1): number | null {
  const values = ratioValues(key);
  const denominator = values.denominator === "per_user" ? users : values.denominator(sums);
  return denominator > 0 ? values.numerator(sums) / denominator : null;
}
