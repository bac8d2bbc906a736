import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  compareBayesian,
  compareCuped,
  compareFrequentist,
  compareQuantiles,
  compareSequential,
  confidenceSequenceHalfWidth,
  confidenceSequenceRho,
  estimateCupedLift,
  estimateRatioLift,
  fixedHorizonInference,
  guardrailCheck,
  InsufficientDataError,
  meanMetricSummary,
  quantileClusteringInflation,
  quantileConfidenceIndices,
  quantileStandardError,
  quantileStandardErrorIid,
  rateInterval,
  ratioVariance,
  sequentialInference,
  type BayesianResult,
  type ComparisonResult,
  type CupedRatioSummary,
  type GuardrailResult,
  type NormalPrior,
  type QuantileSummary,
  type RatioSummary,
} from "@/lib/stats";

// Expected values: scripts/fixtures/stats_fixtures.py, computed from raw per-user arrays by per-user
// linearization (a different route from lib/stats' moment formulas on sums). The tests only feed sums.
type Expected<T> = { [K in keyof T]?: T[K] };
interface RatioScenario {
  name: string;
  alpha: number;
  tuningUsers: number;
  control: RatioSummary;
  treatment: RatioSummary;
  rateInterval: Record<"control" | "treatment", { estimate: number; se: number; ci: [number, number]; df: number }>;
  frequentist: ComparisonResult;
  sequential: Expected<ComparisonResult>;
  bayesianFlat: Omit<BayesianResult, "scale">;
  relativePrior: NormalPrior;
  bayesianPrior: Omit<BayesianResult, "scale">;
  absolutePrior: NormalPrior;
  bayesianAbsolutePrior: Omit<BayesianResult, "scale">;
  guardrail: Record<"relativeHigherIsWorse" | "relativeLowerIsWorse" | "absoluteHigherIsWorse", Pick<GuardrailResult, "pValue" | "worse">>;
}
interface CupedScenario {
  name: string;
  alpha: number;
  control: CupedRatioSummary;
  treatment: CupedRatioSummary;
  expected: ComparisonResult & { theta: number; varianceReduction: number };
}
interface QuantileExpectation {
  ranks: { lower: number; upper: number };
  seIid: number;
  inflation: number;
  se: number;
}
interface QuantileScenario {
  name: string;
  control: QuantileSummary & Required<Pick<QuantileSummary, "lowerValue" | "upperValue" | "clustering">>;
  treatment: QuantileSummary & Required<Pick<QuantileSummary, "lowerValue" | "upperValue" | "clustering">>;
  expectedControl: QuantileExpectation;
  expectedTreatment: QuantileExpectation;
  comparison: Expected<ComparisonResult>;
  guardrail: Pick<GuardrailResult, "pValue" | "worse">;
}
const fixtures = JSON.parse(readFileSync(new URL("../fixtures/stats.json", import.meta.url), "utf8")) as {
  ratio: RatioScenario[];
  cuped: CupedScenario[];
  quantile: QuantileScenario[];
};

const RELATIVE_TOLERANCE = 1e-9;

/** |actual − expected| ≤ 1e-9·|expected| (+ a tiny absolute floor for values that are ~0). */
function expectClose(actual: number, expected: number, label: string, absolute = 1e-15): void {
  const tolerance = RELATIVE_TOLERANCE * Math.abs(expected) + absolute;
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

/** Compares every numeric or interval field present in `expected`. */
function expectFieldsClose(actual: object, expected: object, label: string): void {
  const actualRecord = actual as Record<string, unknown>;
  for (const [key, value] of Object.entries(expected)) {
    const got = actualRecord[key];
    if (typeof value === "number") expectClose(got as number, value, `${label}.${key}`);
    else if (typeof value === "boolean") expect(got, `${label}.${key}`).toBe(value);
    else if (Array.isArray(value)) value.forEach((v, i) => expectClose((got as number[])[i], v, `${label}.${key}[${i}]`));
    else if (value && typeof value === "object") expectFieldsClose(got as object, value, `${label}.${key}`);
  }
}

describe.each(fixtures.ratio)("ratio metric: $name", (scenario) => {
  const { control, treatment, alpha } = scenario;

  it("rateInterval gives each variant's delta-method t-interval", () => {
    expectFieldsClose(rateInterval(control, alpha), scenario.rateInterval.control, "control");
    expectFieldsClose(rateInterval(treatment, alpha), scenario.rateInterval.treatment, "treatment");
  });

  it("compareFrequentist matches the Welch / delta-method reference", () => {
    expectFieldsClose(compareFrequentist(control, treatment, { alpha }), scenario.frequentist, "frequentist");
  });

  it("compareSequential matches GrowthBook's confidence sequence, p-value found by bisection", () => {
    const result = compareSequential(control, treatment, { alpha, tuningUsers: scenario.tuningUsers });
    expectFieldsClose(result, scenario.sequential, "sequential");
    expect(result.df).toBe(Infinity);
  });

  it("the sequential interval is wider than the fixed-horizon one and contains it", () => {
    const fixed = compareFrequentist(control, treatment, { alpha });
    const sequential = compareSequential(control, treatment, { alpha, tuningUsers: scenario.tuningUsers });
    for (const key of ["ciAbsolute", "ciRelative"] as const) {
      expect(sequential[key][0]).toBeLessThan(fixed[key][0]);
      expect(sequential[key][1]).toBeGreaterThan(fixed[key][1]);
    }
    expect(sequential.pValue).toBeGreaterThanOrEqual(fixed.pValue);
  });

  it("compareBayesian matches scipy (flat prior, relative prior, absolute scale)", () => {
    expectFieldsClose(compareBayesian(control, treatment, { alpha }), scenario.bayesianFlat, "flat");
    expectFieldsClose(
      compareBayesian(control, treatment, { alpha, prior: scenario.relativePrior }),
      scenario.bayesianPrior,
      "relative prior",
    );
    expectFieldsClose(
      compareBayesian(control, treatment, { alpha, prior: scenario.absolutePrior, scale: "absolute" }),
      scenario.bayesianAbsolutePrior,
      "absolute prior",
    );
  });

  it("guardrailCheck gives one-sided p-values in the harmful direction", () => {
    const check = (direction: "higher_is_worse" | "lower_is_worse", scale: "relative" | "absolute") =>
      guardrailCheck(control, treatment, { direction, alpha, scale });
    expectFieldsClose(check("higher_is_worse", "relative"), scenario.guardrail.relativeHigherIsWorse, "higher");
    expectFieldsClose(check("lower_is_worse", "relative"), scenario.guardrail.relativeLowerIsWorse, "lower");
    expectFieldsClose(check("higher_is_worse", "absolute"), scenario.guardrail.absoluteHigherIsWorse, "absolute");
  });
});

describe("delta method and comparisons: properties", () => {
  const control = fixtures.ratio[0].control;
  const treatment = fixtures.ratio[0].treatment;

  it("with a constant denominator the ratio variance is Var(X)/(n·c²)", () => {
    const xs = [3, 8, 1, 0, 5, 9, 2];
    const c = 4;
    const n = xs.length;
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
    const summary: RatioSummary = {
      users: n,
      sumX: xs.reduce((a, b) => a + b, 0),
      sumY: c * n,
      sumX2: xs.reduce((a, x) => a + x * x, 0),
      sumY2: c * c * n,
      sumXY: c * xs.reduce((a, b) => a + b, 0),
    };
    expectClose(ratioVariance(summary), variance / (n * c * c), "constant denominator");
  });

  it("meanMetricSummary is the Y = 1 special case", () => {
    expect(meanMetricSummary(10, 42, 300)).toEqual({ users: 10, sumX: 42, sumY: 10, sumX2: 300, sumY2: 10, sumXY: 42 });
  });

  it("the always-valid p-value is exactly where the sequence touches 0", () => {
    const estimate = estimateRatioLift(control, treatment);
    const result = sequentialInference(estimate, { alpha: 0.05, tuningUsers: 4000 });
    const rho = confidenceSequenceRho(0.05, 4000);
    const n = estimate.sampleSize;
    const halfWidthAtP = confidenceSequenceHalfWidth(result.se * Math.sqrt(n), n, rho, result.pValue);
    expectClose(halfWidthAtP, Math.abs(estimate.absolute), "boundary");
    // consistent with the interval at the design alpha
    const excludesZero = result.ciAbsolute[0] > 0 || result.ciAbsolute[1] < 0;
    expect(excludesZero).toBe(result.pValue < 0.05);
  });

  it("a larger tuningUsers widens early intervals and narrows late ones", () => {
    const estimate = estimateRatioLift(control, treatment);
    const width = (tuningUsers: number, sampleSize: number) => {
      const r = sequentialInference({ ...estimate, sampleSize }, { tuningUsers });
      return r.ciAbsolute[1] - r.ciAbsolute[0];
    };
    expect(width(100_000, 500)).toBeGreaterThan(width(1000, 500));
    expect(width(100_000, 200_000)).toBeLessThan(width(1000, 200_000));
  });

  it("a zero standard error gives a degenerate interval, not NaN", () => {
    const constant: RatioSummary = { users: 4, sumX: 8, sumY: 4, sumX2: 16, sumY2: 4, sumXY: 8 };
    const same = compareFrequentist(constant, constant);
    expect(same.pValue).toBe(1);
    expect(same.ciAbsolute).toEqual([0, 0]);
    const shifted = compareFrequentist(constant, { ...constant, sumX: 12, sumX2: 36, sumXY: 12 });
    expect(shifted.pValue).toBe(0);
    expect(shifted.df).toBe(6);
  });

  it("a stronger prior shrinks the posterior toward its mean", () => {
    const weak = compareBayesian(control, treatment, { prior: { variance: 1 } });
    const strong = compareBayesian(control, treatment, { prior: { variance: 1e-6 } });
    const flat = compareBayesian(control, treatment);
    expect(Math.abs(strong.posteriorMean)).toBeLessThan(Math.abs(weak.posteriorMean));
    expect(Math.abs(weak.posteriorMean)).toBeLessThanOrEqual(Math.abs(flat.posteriorMean));
    expect(flat.posteriorMean).toBe(compareFrequentist(control, treatment).relative);
    expect(() => compareBayesian(control, treatment, { prior: { variance: 0 } })).toThrow(RangeError);
  });

  it("rejects summaries that cannot carry a variance", () => {
    const one: RatioSummary = { users: 1, sumX: 1, sumY: 2, sumX2: 1, sumY2: 4, sumXY: 2 };
    const noDenominator: RatioSummary = { users: 5, sumX: 0, sumY: 0, sumX2: 0, sumY2: 0, sumXY: 0 };
    expect(() => compareFrequentist(one, treatment)).toThrow(InsufficientDataError);
    expect(() => compareFrequentist(control, noDenominator)).toThrow(InsufficientDataError);
    expect(() => rateInterval(one)).toThrow(InsufficientDataError);
    const zeroControl: RatioSummary = { users: 5, sumX: 0, sumY: 10, sumX2: 0, sumY2: 30, sumXY: 0 };
    expect(() => compareFrequentist(zeroControl, treatment)).toThrow(/relative lift is undefined/);
  });
});

describe.each(fixtures.cuped)("CUPED: $name", (scenario) => {
  it("matches the numpy reference computed on raw per-user arrays", () => {
    const result = compareCuped(scenario.control, scenario.treatment, { alpha: scenario.alpha });
    expectFieldsClose(result, scenario.expected, "cuped");
  });

  it("reduces variance, and the unadjusted comparison is what you get without pre-period data", () => {
    const result = compareCuped(scenario.control, scenario.treatment, { alpha: scenario.alpha });
    expect(result.varianceReduction).toBeGreaterThan(0.1);
    const unadjusted = compareFrequentist(scenario.control, scenario.treatment, { alpha: scenario.alpha });
    expect(result.se).toBeLessThan(unadjusted.se);
    expectClose(result.se ** 2, unadjusted.se ** 2 * (1 - result.varianceReduction), "varianceReduction");
  });
});

describe("CUPED without usable pre-period data", () => {
  const { control, treatment } = fixtures.cuped[0];
  const withoutPre = (s: CupedRatioSummary): CupedRatioSummary => ({
    ...s,
    sumX0: 0,
    sumY0: 0,
    sumX02: 0,
    sumY02: 0,
    sumX0Y0: 0,
    sumXX0: 0,
    sumXY0: 0,
    sumYX0: 0,
    sumYY0: 0,
  });

  it("falls back to the plain delta-method comparison (θ = 0)", () => {
    const cuped = compareCuped(withoutPre(control), treatment);
    const plain = compareFrequentist(control, treatment);
    expect(cuped.theta).toBe(0);
    expect(cuped.varianceReduction).toBe(0);
    expectFieldsClose(cuped, plain, "fallback");
  });

  it("composes with sequential inference", () => {
    const estimate = estimateCupedLift(control, treatment);
    const sequential = sequentialInference(estimate);
    const fixed = fixedHorizonInference(estimate);
    expect(sequential.absolute).toBe(fixed.absolute);
    expect(sequential.ciAbsolute[1] - sequential.ciAbsolute[0]).toBeGreaterThan(fixed.ciAbsolute[1] - fixed.ciAbsolute[0]);
  });
});

describe.each(fixtures.quantile)("quantile metric: $name", (scenario) => {
  it("computes the order-statistic ranks, iid SE and clustering inflation", () => {
    for (const [summary, expected] of [
      [scenario.control, scenario.expectedControl],
      [scenario.treatment, scenario.expectedTreatment],
    ] as const) {
      expect(quantileConfidenceIndices(summary.n, summary.p, summary.ciAlpha)).toEqual(expected.ranks);
      const seIid = quantileStandardErrorIid(summary.n, summary.p, summary.lowerValue, summary.upperValue, summary.ciAlpha);
      expectClose(seIid, expected.seIid, "seIid");
      expectClose(quantileClusteringInflation(summary.n, summary.p, summary.clustering), expected.inflation, "inflation");
      expectClose(quantileStandardError(summary), expected.se, "se");
      // latencies cluster within users: the correction must matter
      expect(expected.inflation).toBeGreaterThan(1.5);
    }
  });

  it("compareQuantiles and the quantile guardrail match the reference", () => {
    const result = compareQuantiles(scenario.control, scenario.treatment);
    expectFieldsClose(result, scenario.comparison, "comparison");
    expect(result.df).toBe(Infinity);
    expectFieldsClose(
      guardrailCheck(scenario.control, scenario.treatment, { direction: "higher_is_worse" }),
      scenario.guardrail,
      "guardrail",
    );
  });
});

describe("quantile helpers", () => {
  it("seOverride takes precedence over order statistics", () => {
    expect(quantileStandardError({ n: 1000, p: 0.95, quantile: 800, seOverride: 12.5 })).toBe(12.5);
    expect(() => quantileStandardError({ n: 1000, p: 0.95, quantile: 800 })).toThrow(RangeError);
  });

  it("refuses samples too small to bracket the quantile", () => {
    expect(() => quantileConfidenceIndices(50, 0.95)).toThrow(InsufficientDataError);
    expect(quantileConfidenceIndices(100, 0.95)).toEqual({ lower: 90, upper: 100 });
  });

  it("rejects mixing ratio and quantile summaries in a guardrail", () => {
    const quantile: QuantileSummary = { n: 1000, p: 0.95, quantile: 800, seOverride: 10 };
    const ratio = fixtures.ratio[0].control;
    expect(() => guardrailCheck(quantile as never, ratio as never, { direction: "higher_is_worse" })).toThrow(TypeError);
  });
});
