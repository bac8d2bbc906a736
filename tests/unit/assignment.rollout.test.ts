import { describe, expect, it } from "vitest";
import { type AssignmentConfig, assignmentConfigSchema, assignUser, compileConfig, hashV2, rolloutShare } from "@/lib/assignment";

// The production ramp inside assignment: users outside running experiments whose hash under the
// promotion's seed is below the step's share get the promoted version.

const experiment = {
  key: "exp",
  seed: "exp",
  hashVersion: 2 as const,
  coverage: 0.4,
  phase: 1,
  variants: [
    { key: "control", modelVersion: "prod", weight: 0.5 },
    { key: "treatment", modelVersion: "cand", weight: 0.5 },
  ],
  namespace: null,
  targeting: null,
};
const config = (share: number): AssignmentConfig => ({
  productionVersion: "prod",
  experiments: [experiment],
  rollout: { modelVersion: "next", seed: "promotion:p1", share },
});
const users = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);

describe("production ramp in assignment", () => {
  it("serves the promoted version to the step's share of users outside experiments, by the hash under the promotion's seed", () => {
    const result = users.map((u) => assignUser(config(0.25), u));
    const outside = result.filter((r) => !r.assignments.some((a) => a.inExperiment));
    const promoted = outside.filter((r) => r.modelVersion === "next").length;
    expect(promoted / outside.length).toBeGreaterThan(0.23);
    expect(promoted / outside.length).toBeLessThan(0.27);
    users.forEach((u, i) => {
      const inExperiment = result[i].assignments.some((a) => a.inExperiment);
      if (inExperiment) expect(result[i].modelVersion).not.toBe("next");
      else expect(result[i].modelVersion).toBe(hashV2("promotion:p1", u) < 0.25 ? "next" : "prod");
    });
  });

  it("keeps every user who had the version at an earlier step (5% → 25% → 50% → 100%)", () => {
    const shares = [5, 25, 50, 100].map(rolloutShare);
    const served = shares.map((share) => {
      const compiled = compileConfig(config(share));
      return new Set(users.filter((u) => assignUser(compiled, u).modelVersion === "next"));
    });
    for (let i = 1; i < served.length; i++) for (const user of served[i - 1]) expect(served[i].has(user)).toBe(true);
    const outsideCount = users.filter((u) => !assignUser(config(0), u).assignments.some((a) => a.inExperiment)).length;
    expect(served[0].size).toBeGreaterThan(0);
    expect(served[3].size).toBe(outsideCount);
  });

  it("reports the served version on the assignments of experiments that do not take the user", () => {
    const user = users.find((u) => {
      const r = assignUser(config(1), u);
      return !r.assignments[0].inExperiment;
    })!;
    expect(assignUser(config(1), user).assignments[0].modelVersion).toBe("next");
  });

  it("gives the same answers compiled and plain, and without a rollout as before", () => {
    const compiled = compileConfig(config(0.5));
    for (const u of users.slice(0, 2_000)) expect(assignUser(compiled, u)).toEqual(assignUser(config(0.5), u));
    const plain = { productionVersion: "prod", experiments: [experiment] };
    for (const u of users.slice(0, 2_000)) {
      expect(assignUser(plain, u).modelVersion).toBe(assignUser({ ...plain, rollout: null }, u).modelVersion);
      expect(["prod", "cand"]).toContain(assignUser(plain, u).modelVersion);
    }
  });

  it("parses configs with and without a rollout, and refuses a share outside [0, 1]", () => {
    expect(assignmentConfigSchema.safeParse(config(0.05)).success).toBe(true);
    expect(assignmentConfigSchema.safeParse({ productionVersion: null, experiments: [] }).success).toBe(true);
    expect(assignmentConfigSchema.safeParse(config(1.5)).success).toBe(false);
    expect(rolloutShare(0)).toBe(0);
    expect(rolloutShare(5)).toBe(0.05);
    expect(rolloutShare(100)).toBe(1);
  });
});
