import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { adjustPValues, DEFAULT_SRM_THRESHOLD, srmCheck } from "@/lib/stats";

// Expected values: scripts/fixtures/stats_fixtures.py (scipy.stats.chisquare; numpy re-implementations
// of statsmodels' multipletests "holm" and "fdr_bh").
const fixtures = JSON.parse(readFileSync(new URL("../fixtures/stats.json", import.meta.url), "utf8")) as {
  srm: { counts: number[]; weights: number[]; chiSquare: number; pValue: number; expected: number[] }[];
  multipleComparisons: { pValues: number[]; holm: number[]; benjaminiHochberg: number[] }[];
};

function expectClose(actual: number, expected: number, label: string): void {
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-12 * Math.abs(expected) + 1e-300);
}

describe("srmCheck", () => {
  it.each(fixtures.srm)("matches scipy.stats.chisquare for counts $counts, weights $weights", (c) => {
    const result = srmCheck(c.counts, c.weights);
    expectClose(result.chiSquare, c.chiSquare, "chiSquare");
    expectClose(result.pValue, c.pValue, "pValue");
    c.expected.forEach((e, i) => expectClose(result.expected[i], e, `expected[${i}]`));
    expect(result.df).toBe(c.counts.length - 1);
    expect(result.mismatch).toBe(c.pValue < DEFAULT_SRM_THRESHOLD);
  });

  it("flags a clear mismatch and not a balanced split at the default 0.001", () => {
    expect(srmCheck([5000, 5000], [1, 1]).mismatch).toBe(false);
    expect(srmCheck([5210, 4790], [1, 1]).mismatch).toBe(true);
    expect(srmCheck([5100, 4900], [1, 1], 0.05).mismatch).toBe(true);
  });

  it("handles zero weights, empty experiments and bad input", () => {
    expect(srmCheck([100, 0, 95], [1, 0, 1]).df).toBe(1);
    expect(srmCheck([100, 3, 95], [1, 0, 1])).toMatchObject({ pValue: 0, mismatch: true });
    expect(srmCheck([0, 0], [1, 1])).toMatchObject({ chiSquare: 0, pValue: 1, mismatch: false });
    expect(() => srmCheck([1, 2], [1])).toThrow(RangeError);
    expect(() => srmCheck([1, 2], [0, 0])).toThrow(RangeError);
    expect(() => srmCheck([1, 2], [1, -1])).toThrow(RangeError);
  });
});

describe("adjustPValues", () => {
  it.each(fixtures.multipleComparisons)("matches the statsmodels-equivalent reference for $pValues", (c) => {
    adjustPValues(c.pValues, "holm").forEach((p, i) => expectClose(p, c.holm[i], `holm[${i}]`));
    adjustPValues(c.pValues, "benjamini_hochberg").forEach((p, i) => expectClose(p, c.benjaminiHochberg[i], `bh[${i}]`));
    expect(adjustPValues(c.pValues, "none")).toEqual(c.pValues);
  });

  it("is monotone in the raw p-values, never below them and capped at 1", () => {
    for (const c of fixtures.multipleComparisons) {
      for (const method of ["holm", "benjamini_hochberg"] as const) {
        const adjusted = adjustPValues(c.pValues, method);
        const order = c.pValues.map((_, i) => i).sort((a, b) => c.pValues[a] - c.pValues[b]);
        for (let k = 1; k < order.length; k++) expect(adjusted[order[k]]).toBeGreaterThanOrEqual(adjusted[order[k - 1]]);
        adjusted.forEach((p, i) => {
          expect(p).toBeGreaterThanOrEqual(c.pValues[i]);
          expect(p).toBeLessThanOrEqual(1);
        });
      }
    }
  });

  it("Holm is never less conservative than Benjamini–Hochberg", () => {
    const pValues = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205];
    const holm = adjustPValues(pValues, "holm");
    const bh = adjustPValues(pValues, "benjamini_hochberg");
    holm.forEach((p, i) => expect(p).toBeGreaterThanOrEqual(bh[i]));
    expect(adjustPValues([], "holm")).toEqual([]);
    expect(() => adjustPValues([0.5, 1.2], "holm")).toThrow(RangeError);
  });
});
