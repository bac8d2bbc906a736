import { describe, expect, it } from "vitest";
import type { LiftEstimate, RatioSummary } from "@/lib/stats";
import { nonInferiorityTest } from "@/lib/stats/nonInferiority";
import { type ArmData, DEFAULT_GUARDRAIL_OPTIONS, acceptanceCheck, evaluateStep, srmRampCheck, verdictOf } from "@/lib/releases/guardrails";
import { decideAutomatic, decideManual, DEFAULT_STEPS, stepDueAt, type RampState } from "@/lib/releases/ramp";
import { rampStepsSchema } from "@/lib/releases/schemas";

// The pure core of release management: the non-inferiority test (against scipy), the guardrail checks
// and the ramp's decisions.

const estimate = (absolute: number, se: number, df: number): LiftEstimate => ({
  control: 0.3,
  treatment: 0.3 + absolute,
  absolute,
  relative: absolute / 0.3,
  varianceAbsolute: se * se,
  varianceRelative: (se / 0.3) ** 2,
  df,
  sampleSize: 1000,
});

describe("nonInferiorityTest", () => {
  // Expected values: scipy.stats.t.sf / t.ppf and scipy.stats.norm.sf / norm.ppf (SciPy 1.x).
  it("matches scipy on the t and normal references, in both directions", () => {
    const a = nonInferiorityTest(estimate(-0.004, 0.005, 120), { margin: 0.01, direction: "lower_is_worse" });
    expect(a.pValue).toBeCloseTo(0.11625154688340888, 10); // t.sf(1.2, 120)
    expect(a.lowerBound).toBeCloseTo(-0.012288254496776176, 10); // −0.004 − t.ppf(0.95, 120)·0.005
    expect(a.nonInferior).toBe(false);

    const b = nonInferiorityTest(estimate(0.02, 0.012, Infinity), { margin: 0.01, direction: "lower_is_worse" });
    expect(b.pValue).toBeCloseTo(0.006209665325776132, 10); // norm.sf(2.5)
    expect(b.lowerBound).toBeCloseTo(0.0002617564765823345, 10);
    expect(b.nonInferior).toBe(true);

    // Latency-like: higher is worse, +15 ms with se 10 and a 20 ms margin.
    const c = nonInferiorityTest(estimate(15, 10, 50), { margin: 20, direction: "higher_is_worse" });
    expect(c.estimate).toBe(-15);
    expect(c.pValue).toBeCloseTo(0.3096342837558857, 10); // t.sf(0.5, 50)
    expect(c.lowerBound).toBeCloseTo(-31.75905025163097, 8);
  });

  it("agrees with its lower bound: non-inferior exactly when the bound is above −margin", () => {
    for (const d of [-0.03, -0.015, -0.01, -0.005, 0, 0.01]) {
      const r = nonInferiorityTest(estimate(d, 0.004, 400), { margin: 0.01, direction: "lower_is_worse" });
      expect(r.nonInferior).toBe(r.lowerBound > -0.01);
    }
    expect(() => nonInferiorityTest(estimate(0, 0.01, 10), { margin: -1, direction: "lower_is_worse" })).toThrow(RangeError);
  });
});

/** An arm of `users` users with `shown` suggestions each, `rate` of them accepted, spread evenly. */
function arm(users: number, shown: number, rate: number, spread = 0.1): ArmData {
  const acceptance: RatioSummary = { users, sumX: 0, sumY: 0, sumX2: 0, sumY2: 0, sumXY: 0 };
  for (let i = 0; i < users; i++) {
    const accepted = Math.round(shown * Math.min(1, Math.max(0, rate + (spread * ((i % 5) - 2)) / 2)));
    acceptance.sumX += accepted;
    acceptance.sumY += shown;
    acceptance.sumX2 += accepted * accepted;
    acceptance.sumY2 += shown * shown;
    acceptance.sumXY += accepted * shown;
  }
  const showRate: RatioSummary = {
    users,
    sumX: users * shown,
    sumY: users * shown,
    sumX2: users * shown * shown,
    sumY2: users * shown * shown,
    sumXY: users * shown * shown,
  };
  return { users, acceptance, showRate, latency: null };
}

describe("guardrails of a ramp step", () => {
  it("passes acceptance when non-inferiority is shown and fails it with the numbers when it is not", () => {
    const pass = acceptanceCheck(arm(2000, 20, 0.3), arm(400, 20, 0.31), DEFAULT_GUARDRAIL_OPTIONS);
    expect(pass.status).toBe("pass");
    expect(pass.lowerBound!).toBeGreaterThan(-0.01);
    const fail = acceptanceCheck(arm(2000, 20, 0.3), arm(400, 20, 0.26), DEFAULT_GUARDRAIL_OPTIONS);
    expect(fail.status).toBe("fail");
    expect(fail.summary).toMatch(
      /acceptance 2\d\.\d% vs 30\.0% in production \(−\d\.\d\d pp; one-sided 95% lower bound −\d\.\d\d pp ≤ −1\.00 pp margin\)/,
    );
    const few = acceptanceCheck(arm(2000, 20, 0.3), arm(10, 20, 0.5), DEFAULT_GUARDRAIL_OPTIONS);
    expect(few.status).toBe("insufficient");
  });

  it("flags a split far from the step's share (SRM), as scipy's chi-square test does", () => {
    const check = srmRampCheck(arm(930, 5, 0.3), arm(70, 5, 0.3), 0.1, DEFAULT_GUARDRAIL_OPTIONS);
    expect(check.pValue).toBeCloseTo(0.001565402258002549, 10); // scipy.stats.chisquare([930, 70], [900, 100])
    expect(check.status).toBe("pass"); // 0.0016 is above the 0.001 threshold
    expect(srmRampCheck(arm(950, 5, 0.3), arm(50, 5, 0.3), 0.1, DEFAULT_GUARDRAIL_OPTIONS).status).toBe("fail");
  });

  it("skips every check without a production version, and takes the worst status as the verdict", () => {
    const step = evaluateStep({ step: 0, percent: 5, from: new Date(0), at: new Date(1000), baseline: null, candidate: arm(50, 10, 0.3) });
    expect(step.checks.map((c) => c.status)).toEqual(["skipped", "skipped", "skipped", "skipped"]);
    expect(step.verdict).toBe("pass");
    const mixed = evaluateStep({
      step: 0,
      percent: 10,
      from: new Date(0),
      at: new Date(1000),
      baseline: arm(900, 20, 0.3),
      candidate: arm(100, 20, 0.2),
    });
    expect(mixed.checks.find((c) => c.check === "latency_p95")?.status).toBe("insufficient");
    expect(mixed.verdict).toBe("fail");
    expect(verdictOf([])).toBe("pass");
  });
});

describe("ramp decisions", () => {
  const state = (overrides: Partial<RampState> = {}): RampState => ({
    status: "running",
    steps: DEFAULT_STEPS,
    stepIndex: 0,
    stepStartedAt: new Date("2026-12-01T00:00:00Z"),
    ...overrides,
  });
  const evaluation = (verdict: "pass" | "fail" | "insufficient") => ({
    at: "",
    step: 0,
    percent: 5,
    from: "",
    users: { baseline: 0, candidate: 0 },
    verdict,
    checks: [],
  });

  it("pauses on a failing check at once, otherwise waits for the step's minimum duration, then advances on passing checks or waits for data", () => {
    const early = new Date("2026-12-01T23:00:00Z");
    const due = new Date("2026-12-02T00:00:00Z");
    expect(stepDueAt(state()).toISOString()).toBe(due.toISOString());
    expect(decideAutomatic(state(), evaluation("pass"), early).action).toBe("wait");
    expect(decideAutomatic(state(), evaluation("fail"), early).action).toBe("pause");
    expect(decideAutomatic(state(), evaluation("insufficient"), early).action).toBe("wait");
    expect(decideAutomatic(state(), evaluation("pass"), due)).toEqual({ action: "advance", to: 1 });
    expect(decideAutomatic(state(), evaluation("fail"), due).action).toBe("pause");
    expect(decideAutomatic(state(), evaluation("insufficient"), due).action).toBe("wait");
    expect(decideAutomatic(state({ status: "paused" }), evaluation("pass"), due).action).toBe("wait");
  });

  it("lets a person advance early or short of data, never over a failing check", () => {
    expect(decideManual(state(), evaluation("insufficient"))).toEqual({ action: "advance", to: 1 });
    expect(decideManual(state({ status: "paused", stepIndex: 2 }), evaluation("pass"))).toEqual({ action: "advance", to: 3 });
    expect(decideManual(state(), evaluation("fail")).action).toBe("pause");
    expect(decideManual(state({ status: "completed" }), null).action).toBe("wait");
  });

  it("accepts increasing steps ending at 100% and names the offending step otherwise", () => {
    expect(rampStepsSchema.safeParse(DEFAULT_STEPS).success).toBe(true);
    const bad = rampStepsSchema.safeParse([
      { percent: 25, minHours: 1 },
      { percent: 10, minHours: 1 },
      { percent: 50, minHours: -1 },
    ]);
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["1.percent", "2.minHours", "2.percent"]));
  });
});
