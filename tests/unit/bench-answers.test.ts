import { describe, expect, it } from "vitest";
import { compareAnswers, relativeDifference } from "@/scripts/bench/answers";

const answer = () => ({
  metric: "acceptance_rate",
  variants: [
    { key: "control", numerator: 1200, denominator: 4000, rate: 0.3, interval: [0.28, 0.32] },
    { key: "treatment", numerator: 1380, denominator: 4010, rate: 1380 / 4010, interval: null },
  ],
  srm: { pValue: 0.81, mismatch: false },
});

describe("bench answers", () => {
  it("measures relative differences, 0 for equal numbers and for two NaNs", () => {
    expect(relativeDifference(0.3, 0.3)).toBe(0);
    expect(relativeDifference(Number.NaN, Number.NaN)).toBe(0);
    expect(relativeDifference(100, 101)).toBeCloseTo(1 / 101, 15);
    expect(relativeDifference(0, 1e-300)).toBe(1);
    expect(relativeDifference(1, Number.NaN)).toBe(Infinity);
  });

  it("agrees on equal answers and on numbers within the tolerance, reporting the largest difference", () => {
    expect(compareAnswers(answer(), answer())).toEqual({ agree: true, largestRelativeDifference: 0, firstDisagreement: null });
    const nudged = answer();
    nudged.variants[1].rate *= 1 + 1e-12;
    const difference = compareAnswers(answer(), nudged);
    expect(difference.agree).toBe(true);
    expect(difference.largestRelativeDifference).toBeGreaterThan(0);
    expect(difference.largestRelativeDifference).toBeLessThan(1e-11);
  });

  it("names the first place two answers disagree: a number beyond the tolerance, a value, a length, a missing key", () => {
    const count = answer();
    count.variants[0].numerator += 1;
    expect(compareAnswers(answer(), count)).toMatchObject({ agree: false, firstDisagreement: "variants[0].numerator" });
    const stat = answer();
    stat.srm.pValue *= 1 + 1e-8;
    expect(compareAnswers(answer(), stat)).toMatchObject({ agree: false, firstDisagreement: "srm.pValue" });
    const flag = answer();
    flag.srm.mismatch = true;
    expect(compareAnswers(answer(), flag)).toMatchObject({ agree: false, firstDisagreement: "srm.mismatch" });
    const interval = answer();
    interval.variants[1].interval = [0.33, 0.36];
    expect(compareAnswers(answer(), interval)).toMatchObject({ agree: false, firstDisagreement: "variants[1].interval" });
    const shorter = answer();
    shorter.variants.pop();
    expect(compareAnswers(answer(), shorter)).toMatchObject({ agree: false, firstDisagreement: "variants" });
    const extra = { ...answer(), note: "late events" };
    expect(compareAnswers(answer(), extra)).toMatchObject({ agree: false, firstDisagreement: "note" });
    expect(compareAnswers(answer(), null)).toMatchObject({ agree: false, firstDisagreement: "(the answer)" });
  });
});
