import { isRatioMetric, METRICS, SUM_KEYS, type MetricKey, type RatioMetricKey, type SumKey } from "./registry";

// A ratio metric as per-user functions of a sums array: what the statistics see. A sums array holds
// the sums of a layout (SUM_KEYS, or the subset a request needs, in SUM_KEYS order).

/** A user's (or a day's) sums, indexed by their layout. */
export type Sums = ArrayLike<number>;

export interface RatioValues {
  key: RatioMetricKey;
  /**
   * Per-user numerator and denominator of the sums at `at` in `sums` (0 by default: the whole array is
   * one user's); a per-user mean has denominator 1 for every exposed user.
   */
  numerator: SumsFunction;
  denominator: SumsFunction | "per_user";
  higherIsBetter: boolean;
  /** The sums array layout the functions read. */
  layout: readonly SumKey[];
}

/** The sums these metrics need, in SUM_KEYS order: all a results request reads (latency needs none). */
export function sumsFor(metrics: readonly MetricKey[]): SumKey[] {
  const needed = new Set<SumKey>();
  for (const key of metrics) {
    if (!isRatioMetric(key)) continue;
    const metric = METRICS[key];
    for (const sum of metric.numerator) needed.add(sum);
    if (metric.denominator !== "per_user") for (const sum of metric.denominator) needed.add(sum);
  }
  return SUM_KEYS.filter((key) => needed.has(key));
}

type SumsFunction = (sums: Sums, at?: number) => number;

/** The sum of some of the sums, as a closure over their indices (hot: one call per user and metric). */
function adder(keys: readonly SumKey[], layout: readonly SumKey[]): SumsFunction {
  const indices = keys.map((key) => {
    const index = layout.indexOf(key);
    if (index < 0) throw new Error(`the sums layout [${layout.join(", ")}] lacks '${key}'`);
    return index;
  });
  if (indices.length === 1) {
    const [a] = indices;
    return (s, at = 0) => s[at + a];
  }
  if (indices.length === 2) {
    const [a, b] = indices;
    return (s, at = 0) => s[at + a] + s[at + b];
  }
  return (s, at = 0) => indices.reduce((total, i) => total + s[at + i], 0);
}

const compiled = new Map<string, RatioValues>();

export function ratioValues(key: RatioMetricKey, layout: readonly SumKey[] = SUM_KEYS): RatioValues {
  const cacheKey = `${key}:${layout.join(",")}`;
  let values = compiled.get(cacheKey);
  if (!values) {
    const metric = METRICS[key];
    values = {
      key,
      numerator: adder(metric.numerator, layout),
      denominator: metric.denominator === "per_user" ? "per_user" : adder(metric.denominator, layout),
      higherIsBetter: metric.higherIsBetter,
      layout,
    };
    compiled.set(cacheKey, values);
  }
  return values;
}

/** The pooled value of a ratio metric over summed sums (ΣX / ΣY), or null without a denominator. */
export function pooledRatio(key: RatioMetricKey, sums: Sums, users = 1): number | null {
  const values = ratioValues(key);
  const denominator = values.denominator === "per_user" ? users : values.denominator(sums);
  return denominator > 0 ? values.numerator(sums) / denominator : null;
}
