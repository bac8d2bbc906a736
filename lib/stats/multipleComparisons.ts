// Adjusting p-values when many variants × metrics are tested at once.

export type PValueAdjustment = "none" | "holm" | "benjamini_hochberg";

/** Indices of `values` sorted ascending (stable). */
function ascendingOrder(values: readonly number[]): number[] {
  return values.map((_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
}

/**
 * Holm's step-down adjustment (Holm 1979, "A Simple Sequentially Rejective Multiple Test Procedure"),
 * controlling the family-wise error rate: with p₍₁₎ ≤ … ≤ p₍ₘ₎,
 *   p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎).
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const adjusted = new Array<number>(m);
  let runningMax = 0;
  ascendingOrder(pValues).forEach((index, rank) => {
    runningMax = Math.max(runningMax, Math.min(1, (m - rank) * pValues[index]));
    adjusted[index] = runningMax;
  });
  return adjusted;
}

/**
 * Benjamini–Hochberg step-up adjustment (Benjamini & Hochberg 1995, "Controlling the False Discovery
 * Rate"), controlling the false discovery rate: p̃₍ᵢ₎ = min_{j ≥ i} min(1, m·p₍ⱼ₎/j).
 */
export function benjaminiHochbergAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const adjusted = new Array<number>(m);
  const order = ascendingOrder(pValues);
  let runningMin = 1;
  for (let rank = m - 1; rank >= 0; rank--) {
    const index = order[rank];
    // p·(m/j) rather than m·p/j: the factor is ≥ 1, so rounding can never push p̃ below p
    runningMin = Math.min(runningMin, pValues[index] * (m / (rank + 1)));
    adjusted[index] = runningMin;
  }
  return adjusted;
}

/** Adjusted p-values in the input order (monotone in the raw p-values, capped at 1). */
export function adjustPValues(pValues: readonly number[], method: PValueAdjustment): number[] {
  if (pValues.some((p) => !(p >= 0 && p <= 1))) throw new RangeError("p-values must be in [0, 1]");
  switch (method) {
    case "none":
      return [...pValues];
    case "holm":
      return holmAdjust(pValues);
    case "benjamini_hochberg":
      return benjaminiHochbergAdjust(pValues);
  }
}
