import { describe, expect, it } from "vitest";
import {
  estimateQuantileLift,
  guardrailCheck,
  InsufficientDataError,
  quantileConfidenceIndices,
  quantileStandardError,
  type QuantileSummary,
} from "@/lib/stats";

// A young experiment has a handful of latencies per variant: too few for order statistics to bracket
// the p95. Its summaries then carry no lowerValue/upperValue (see lib/results), and every quantile
// computation must call that too little data (InsufficientDataError, which results render as a note),
// never a misuse (RangeError, an internal error).

const few = (quantile: number, n = 6): QuantileSummary => ({
  n,
  p: 0.95,
  quantile,
  clustering: { users: 3, sumX: n - 1, sumY: n, sumX2: 9, sumY2: 12, sumXY: 10 },
});

describe("quantile metrics with too few events", () => {
  it("calls a summary without order statistics too little data when its events cannot bracket the quantile", () => {
    for (const n of [0, 1, 6, 72]) {
      expect(() => quantileStandardError(few(200, n))).toThrow(InsufficientDataError);
    }
    expect(() => quantileStandardError(few(200))).toThrow(
      /6 events are too few to bracket the 0.95 quantile at alpha = 0.05; at least 73 are needed/,
    );
  });

  it("gives no lift and no guardrail check, but InsufficientDataError, for two such variants", () => {
    expect(() => estimateQuantileLift(few(200), few(230))).toThrow(InsufficientDataError);
    expect(() => guardrailCheck(few(200), few(230), { direction: "higher_is_worse" })).toThrow(InsufficientDataError);
    // Enough events in control, a handful in treatment.
    const control = { ...few(200, 500), lowerValue: 190, upperValue: 215 };
    expect(() => guardrailCheck(control, few(230), { direction: "higher_is_worse" })).toThrow(InsufficientDataError);
    expect(() => estimateQuantileLift(few(230), control)).toThrow(InsufficientDataError);
  });

  it("names the number of events needed, the smallest that brackets the quantile", () => {
    for (const [p, alpha] of [
      [0.95, 0.05],
      [0.5, 0.05],
      [0.99, 0.1],
      [0.9, 0.01],
    ]) {
      const needed = Number(String(catchError(() => quantileConfidenceIndices(1, p, alpha))).match(/at least (\d+) are needed/)![1]);
      expect(quantileConfidenceIndices(needed, p, alpha).upper).toBeLessThanOrEqual(needed);
      expect(() => quantileConfidenceIndices(needed - 1, p, alpha)).toThrow(InsufficientDataError);
    }
  });

  it("still calls a missing order statistic a misuse when the events are enough to bracket the quantile", () => {
    expect(() => quantileStandardError(few(200, 500))).toThrow(RangeError);
    expect(() => quantileStandardError({ ...few(200, 500), lowerValue: 180, upperValue: 220 })).not.toThrow();
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
