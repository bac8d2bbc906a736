import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  cochranQ,
  daysRemaining,
  estimateRatioLift,
  fixedHorizonInference,
  minimumDetectableEffect,
  sequentialInference,
  usersNeededForEffect,
  type RatioSummary,
} from "@/lib/stats";
import { scorecardOrder } from "@/lib/results/scorecard";

// Expected values: scripts/fixtures/scorecard_fixtures.py (scipy, computed by other routes than lib/stats:
// per-user linearization from raw arrays, root finding on the power function, the expanded form of Q).
const fixtures = JSON.parse(readFileSync("tests/fixtures/scorecard.json", "utf8")) as {
  relativeLift: {
    name: string;
    alpha: number;
    control: RatioSummary;
    treatment: RatioSummary;
    relative: number;
    seRelative: number;
    df: number;
    pValueRelative: number;
    ciRelative: [number, number];
  }[];
  power: { se: number; users: number; target: number; alpha: number; power: number; mde: number; usersNeeded: number }[];
  heterogeneity: { estimates: number[]; variances: number[]; pooled: number; q: number; df: number; pValue: number; iSquared: number }[];
};

const close = (actual: number, expected: number, relative = 1e-9) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.max(1e-300, Math.abs(expected)));

describe("relative-lift test (delta method on the ratio of means, as gbstats)", () => {
  for (const s of fixtures.relativeLift) {
    it(`matches scipy: ${s.name}`, () => {
      const result = fixedHorizonInference(estimateRatioLift(s.control, s.treatment), { alpha: s.alpha });
      close(result.relative, s.relative, 1e-12);
      close(result.seRelative, s.seRelative, 1e-9);
      close(result.df, s.df, 1e-9);
      close(result.pValueRelative, s.pValueRelative, 1e-8);
      close(result.ciRelative[0], s.ciRelative[0], 1e-9);
      close(result.ciRelative[1], s.ciRelative[1], 1e-9);
      // one story: the p-value belongs to the interval
      const excludesZero = result.ciRelative[0] > 0 || result.ciRelative[1] < 0;
      expect(result.pValueRelative < s.alpha).toBe(excludesZero);
    });
  }

  it("keeps p-value and interval together at the border, on both scales and under sequential testing", () => {
    // Scale the treatment so that the relative lift sweeps across the border of significance.
    const s = fixtures.relativeLift[3];
    let disagreements = 0;
    for (let k = 0; k <= 400; k++) {
      const factor = 0.9 + k * 0.0005;
      const treatment = {
        ...s.treatment,
        sumX: s.treatment.sumX * factor,
        sumX2: s.treatment.sumX2 * factor ** 2,
        sumXY: s.treatment.sumXY * factor,
      };
      const estimate = estimateRatioLift(s.control, treatment);
      for (const result of [fixedHorizonInference(estimate, { alpha: 0.05 }), sequentialInference(estimate, { alpha: 0.05 })]) {
        const relativeExcludes = result.ciRelative[0] > 0 || result.ciRelative[1] < 0;
        const absoluteExcludes = result.ciAbsolute[0] > 0 || result.ciAbsolute[1] < 0;
        expect(result.pValueRelative < 0.05).toBe(relativeExcludes);
        expect(result.pValue < 0.05).toBe(absoluteExcludes);
        if (relativeExcludes !== absoluteExcludes) disagreements++;
      }
    }
    // the two scales do disagree near the border: why each interval needs its own p-value
    expect(disagreements).toBeGreaterThan(0);
  });
});

describe("minimum detectable effect and users needed", () => {
  for (const c of fixtures.power) {
    it(`match root finding in scipy (se ${c.se}, ${c.users} users, target ${c.target}, alpha ${c.alpha}, power ${c.power})`, () => {
      close(minimumDetectableEffect(c.se, c.alpha, c.power), c.mde, 1e-10);
      expect(usersNeededForEffect(c.se, c.users, c.target, c.alpha, c.power)).toBe(c.usersNeeded);
    });
  }

  it("needs fewer users than it has once the MDE is below the target, and refuses nonsense", () => {
    expect(usersNeededForEffect(0.001, 10_000, 0.02)).toBeLessThan(10_000);
    expect(usersNeededForEffect(Number.NaN, 10_000, 0.02)).toBe(Infinity);
    expect(() => usersNeededForEffect(0.01, 100, 0)).toThrow(RangeError);
    expect(() => minimumDetectableEffect(-1)).toThrow(RangeError);
  });

  it("counts whole days remaining at the current traffic", () => {
    expect(daysRemaining(1000, 400, 100)).toBe(6);
    expect(daysRemaining(1000, 401, 100)).toBe(6);
    expect(daysRemaining(1000, 1000, 100)).toBe(0);
    expect(daysRemaining(1000, 400, 0)).toBeNull();
    expect(daysRemaining(Infinity, 400, 10)).toBeNull();
  });
});

describe("heterogeneity across cohorts (Cochran's Q, I²)", () => {
  for (const c of fixtures.heterogeneity) {
    it(`matches scipy for ${c.estimates.length} cohorts`, () => {
      const result = cochranQ(c.estimates, c.variances)!;
      expect(result.k).toBe(c.estimates.length);
      expect(result.df).toBe(c.df);
      close(result.pooled, c.pooled, 1e-12);
      close(result.q, c.q, 1e-9);
      close(result.pValue, c.pValue, 1e-9);
      close(result.iSquared, c.iSquared, 1e-9);
    });
  }

  it("leaves out cohorts without a usable variance and needs two", () => {
    expect(cochranQ([0.1], [0.01])).toBeNull();
    expect(cochranQ([0.1, 0.2, 0.5], [0.01, 0, Number.NaN])).toBeNull();
    expect(cochranQ([0.1, 0.1], [0.01, 0.02])).toMatchObject({ q: 0, pValue: 1, iSquared: 0 });
  });
});

describe("scorecard order", () => {
  it("puts the primary first, then secondary metrics in registry order, then guardrails, each once", () => {
    const order = scorecardOrder("latency_p95", ["show_rate", "latency_p95"]);
    expect(order[0]).toEqual({ metric: "latency_p95", role: "primary" });
    expect(order.at(-1)).toEqual({ metric: "show_rate", role: "guardrail" });
    expect(order.filter((m) => m.role === "secondary").map((m) => m.metric)[0]).toBe("acceptance_rate");
    expect(new Set(order.map((m) => m.metric)).size).toBe(order.length);
  });
});
