import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  type AssignmentConfig,
  type AssignResult,
  type BucketRange,
  type ExperimentConfig,
  type Namespace,
  type UserAttributes,
  assignExperiment,
  assignmentConfigSchema,
  assignUser,
  bucketRanges,
  checkExposure,
  chooseVariant,
  compileConfig,
  compileExperiment,
  fnv1a32,
  hashValue,
  inNamespace,
  matchesTargeting,
  namespaceHash,
} from "@/lib/assignment";

// Expected values come from an independent Python implementation (scripts/fixtures/assignment_fixtures.py),
// which itself reproduces GrowthBook's cross-SDK vectors (packages/sdk-js/test/cases.json).
interface Fixtures {
  growthbook: {
    fnv: { input: string; hash: number }[];
    hash: { seed: string; userId: string; version: 1 | 2; value: number }[];
    bucketRanges: { numVariants: number; coverage: number; weights: number[] | null; ranges: BucketRange[] }[];
    inNamespace: { userId: string; namespace: Namespace; inNamespace: boolean }[];
  };
  fnv: { input: string; codeUnits: number; hash: number }[];
  hash: { seed: string; userId: string; version: 1 | 2; value: number }[];
  namespace: { userId: string; namespace: Namespace; hash: number; inNamespace: boolean }[];
  bucketRanges: { numVariants: number; coverage: number; weights: number[] | null; ranges: BucketRange[] }[];
  chooseVariant: { n: number; ranges: BucketRange[]; index: number }[];
  assignUser: {
    config: AssignmentConfig;
    cases: { userId: string; attributes: UserAttributes; result: AssignResult }[];
  };
}

const fixtures: Fixtures = JSON.parse(readFileSync(path.join(__dirname, "..", "fixtures", "assignment.json"), "utf8"));

function experiment(overrides: Partial<ExperimentConfig> = {}): ExperimentConfig {
  return {
    key: "exp",
    seed: "exp-seed",
    hashVersion: 2,
    coverage: 1,
    phase: 1,
    variants: [
      { key: "control", modelVersion: "m-prod", weight: 0.5 },
      { key: "treatment", modelVersion: "m-new", weight: 0.5 },
    ],
    namespace: null,
    targeting: null,
    ...overrides,
  };
}

/** Naive string-building form of the v2 formula, to pin the allocation-free implementation to the spec. */
function naiveHashV2(seed: string, userId: string): number {
  return (fnv1a32(String(fnv1a32(seed + userId))) % 10000) / 10000;
}

describe("fnv1a32", () => {
  it("matches the FNV reference vectors", () => {
    expect(fnv1a32("")).toBe(2166136261);
    for (const { input, hash } of fixtures.growthbook.fnv) expect(fnv1a32(input)).toBe(hash);
  });

  it("hashes UTF-16 code units, including both halves of surrogate pairs", () => {
    expect(fixtures.fnv.some((c) => c.input === "😀" && c.codeUnits === 2)).toBe(true);
    for (const { input, hash } of fixtures.fnv) expect(fnv1a32(input), JSON.stringify(input)).toBe(hash);
  });

  it("returns an unsigned 32-bit integer", () => {
    for (const { input } of fixtures.fnv) {
      const hash = fnv1a32(input);
      expect(Number.isInteger(hash) && hash >= 0 && hash < 2 ** 32).toBe(true);
    }
  });
});

describe("hashValue", () => {
  it("reproduces GrowthBook's published hash vectors", () => {
    for (const { seed, userId, version, value } of fixtures.growthbook.hash) {
      expect(hashValue(seed, userId, version), `${seed}|${userId}|v${version}`).toBe(value);
    }
  });

  it("matches the Python reference for every seed, user id and version", () => {
    expect(fixtures.hash.length).toBeGreaterThan(500);
    for (const { seed, userId, version, value } of fixtures.hash) {
      expect(hashValue(seed, userId, version), `${JSON.stringify(seed)}|${JSON.stringify(userId)}|v${version}`).toBe(value);
    }
  });

  it("equals the literal string-concatenating formula for random inputs", () => {
    let state = 12345;
    const nextChar = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return String.fromCharCode(state % 0xffff);
    };
    for (let i = 0; i < 2000; i++) {
      const seed = Array.from({ length: i % 7 }, nextChar).join("");
      const userId = Array.from({ length: i % 23 }, nextChar).join("");
      expect(hashValue(seed, userId, 2)).toBe(naiveHashV2(seed, userId));
      expect(hashValue(seed, userId, 1)).toBe((fnv1a32(userId + seed) % 1000) / 1000);
    }
  });

  it("gives null for an unknown hash version, as GrowthBook does", () => {
    expect(hashValue("abc", "def", 99 as 2)).toBeNull();
  });
});

describe("bucketRanges and chooseVariant", () => {
  it("reproduce GrowthBook's published range vectors", () => {
    for (const { numVariants, coverage, weights, ranges } of fixtures.growthbook.bucketRanges) {
      const actual = bucketRanges(numVariants, coverage, weights);
      expect(actual).toHaveLength(ranges.length);
      actual.forEach(([start, end], i) => {
        expect(start).toBeCloseTo(ranges[i][0], 12);
        expect(end).toBeCloseTo(ranges[i][1], 12);
      });
    }
  });

  it("match the Python reference exactly, including invalid weights and coverage", () => {
    for (const { numVariants, coverage, weights, ranges } of fixtures.bucketRanges) {
      expect(bucketRanges(numVariants, coverage, weights), JSON.stringify({ numVariants, coverage, weights })).toEqual(ranges);
    }
  });

  it("fall back to equal weights for mismatched counts or sums outside 1 ± 0.01", () => {
    expect(bucketRanges(3, 1, [0.5, 0.5])).toEqual(bucketRanges(3, 1));
    expect(bucketRanges(2, 1, [0.6, 0.3])).toEqual([
      [0, 0.5],
      [0.5, 1],
    ]);
    expect(bucketRanges(2, 1, [0.6, 0.395])).toEqual([
      [0, 0.6],
      [0.6, 0.6 + 0.395],
    ]);
  });

  it("keep covered users in their variant when coverage grows", () => {
    const small = bucketRanges(2, 0.1, [0.4, 0.6]);
    const full = bucketRanges(2, 1, [0.4, 0.6]);
    for (let n = 0; n < 1; n += 0.001) {
      const before = chooseVariant(n, small);
      if (before >= 0) expect(chooseVariant(n, full)).toBe(before);
    }
  });

  it("choose half-open ranges like the Python reference", () => {
    for (const { n, ranges, index } of fixtures.chooseVariant) expect(chooseVariant(n, ranges)).toBe(index);
    expect(
      chooseVariant(0.5, [
        [0, 0.5],
        [0.5, 0.5],
        [0.5, 1],
      ]),
    ).toBe(2);
    expect(
      chooseVariant(0.3, [
        [0, 0.25],
        [0.5, 0.75],
      ]),
    ).toBe(-1);
  });
});

describe("inNamespace", () => {
  it("reproduces GrowthBook's published namespace vectors", () => {
    for (const { userId, namespace, inNamespace: expected } of fixtures.growthbook.inNamespace) {
      expect(inNamespace(userId, namespace), `${userId} ${namespace.name} ${namespace.start}`).toBe(expected);
    }
  });

  it("matches the Python reference and equals hash v1 with seed '__' + name", () => {
    for (const { userId, namespace, hash, inNamespace: expected } of fixtures.namespace) {
      expect(namespaceHash(userId, namespace.name)).toBe(hash);
      expect(hashValue("__" + namespace.name, userId, 1)).toBe(hash);
      expect(inNamespace(userId, namespace)).toBe(expected);
    }
  });
});

describe("matchesTargeting", () => {
  const targeting = { language: { in: ["python", "typescript"] }, ide: { notIn: ["vim"] } };

  it("requires every condition", () => {
    expect(matchesTargeting(targeting, { language: "python", ide: "vscode" })).toBe(true);
    expect(matchesTargeting(targeting, { language: "go", ide: "vscode" })).toBe(false);
    expect(matchesTargeting(targeting, { language: "python", ide: "vim" })).toBe(false);
  });

  it("fails `in` and passes `notIn` when the attribute is missing", () => {
    expect(matchesTargeting(targeting, { language: "typescript" })).toBe(true);
    expect(matchesTargeting(targeting, { ide: "vscode" })).toBe(false);
    expect(matchesTargeting(targeting, { language: null, ide: null })).toBe(false);
    expect(matchesTargeting({ plan: { notIn: ["free"] } }, {})).toBe(true);
    expect(matchesTargeting({ plan: { notIn: ["free"] } }, null)).toBe(true);
  });

  it("supports arbitrary string attributes and combined in/notIn", () => {
    const both = { userGroup: { in: ["beta", "staff"], notIn: ["staff"] } };
    expect(matchesTargeting(both, { userGroup: "beta" })).toBe(true);
    expect(matchesTargeting(both, { userGroup: "staff" })).toBe(false);
    expect(matchesTargeting({ region: { in: ["eu"] } }, { region: "eu" })).toBe(true);
  });

  it("admits everyone without targeting and nobody with an empty `in` list", () => {
    expect(matchesTargeting(null, {})).toBe(true);
    expect(matchesTargeting({}, {})).toBe(true);
    expect(matchesTargeting({ plan: { in: [] } }, { plan: "pro" })).toBe(false);
  });

  it("is case-sensitive (values are compared exactly)", () => {
    expect(matchesTargeting({ language: { in: ["python"] } }, { language: "Python" })).toBe(false);
  });
});

describe("assignExperiment", () => {
  it("assigns the variant whose range contains the user's hash", () => {
    const exp = experiment();
    for (let i = 0; i < 200; i++) {
      const userId = `user-${i}`;
      const n = hashValue(exp.seed, userId, 2)!;
      const result = assignExperiment(exp, userId, {}, "m-prod");
      expect(result.hashValue).toBe(n);
      expect(result.inExperiment).toBe(true);
      expect(result.reason).toBe("assigned");
      expect(result.variantKey).toBe(n < 0.5 ? "control" : "treatment");
      expect(result.modelVersion).toBe(n < 0.5 ? "m-prod" : "m-new");
    }
  });

  it("reports why a user is left out, serving the production version", () => {
    const targeted = experiment({ targeting: { language: { in: ["python"] } } });
    expect(assignExperiment(targeted, "u1", { language: "go" }, "m-prod")).toEqual({
      experimentKey: "exp",
      variantKey: null,
      modelVersion: "m-prod",
      inExperiment: false,
      hashValue: null,
      reason: "not_targeted",
    });

    const emptyNamespace = experiment({ namespace: { name: "ns", start: 0.3, end: 0.3 } });
    expect(assignExperiment(emptyNamespace, "u1", {}).reason).toBe("not_in_namespace");
    expect(assignExperiment(emptyNamespace, "u1", {}).hashValue).toBeNull();

    const uncovered = assignExperiment(experiment({ coverage: 0 }), "u1", {}, "m-prod");
    expect(uncovered).toMatchObject({ reason: "not_in_coverage", inExperiment: false, modelVersion: "m-prod" });
    expect(uncovered.hashValue).toBe(hashValue("exp-seed", "u1", 2));
  });

  it("honours namespaces: disjoint slices never share a user", () => {
    const left = experiment({ key: "left", namespace: { name: "models", start: 0, end: 0.5 } });
    const right = experiment({ key: "right", seed: "other", namespace: { name: "models", start: 0.5, end: 1 } });
    for (let i = 0; i < 2000; i++) {
      const inLeft = assignExperiment(left, `u${i}`).inExperiment;
      const inRight = assignExperiment(right, `u${i}`).inExperiment;
      expect(inLeft && inRight).toBe(false);
      expect(inLeft || inRight).toBe(true);
    }
  });

  it("gives the same answer compiled or not", () => {
    const exp = experiment({ hashVersion: 1, coverage: 0.7, namespace: { name: "n", start: 0.1, end: 0.9 } });
    const compiled = compileExperiment(exp);
    for (let i = 0; i < 500; i++) {
      expect(assignExperiment(compiled, `u${i}`, {}, "p")).toEqual(assignExperiment(exp, `u${i}`, {}, "p"));
    }
  });

  it("splits 10^5 users 50/50 within 4 standard deviations", () => {
    const users = 100_000;
    const exp = compileExperiment(experiment({ seed: "stat-check" }));
    let treatment = 0;
    for (let i = 0; i < users; i++) if (assignExperiment(exp, `user-${i}`).variantKey === "treatment") treatment++;
    const sd = Math.sqrt(users * 0.25);
    expect(Math.abs(treatment - users / 2)).toBeLessThan(4 * sd);
  });

  it("respects uneven weights and partial coverage statistically", () => {
    const users = 100_000;
    const exp = compileExperiment(
      experiment({
        coverage: 0.5,
        variants: [
          { key: "a", modelVersion: "m-a", weight: 0.2 },
          { key: "b", modelVersion: "m-b", weight: 0.8 },
        ],
      }),
    );
    const counts = { a: 0, b: 0, out: 0 };
    for (let i = 0; i < users; i++) {
      const key = assignExperiment(exp, `id:${i}`).variantKey;
      counts[key === "a" ? "a" : key === "b" ? "b" : "out"]++;
    }
    const within = (count: number, p: number) => Math.abs(count - users * p) < 4 * Math.sqrt(users * p * (1 - p));
    expect(within(counts.a, 0.1)).toBe(true);
    expect(within(counts.b, 0.4)).toBe(true);
    expect(within(counts.out, 0.5)).toBe(true);
  });
});

describe("assignUser", () => {
  it("matches the Python reference (targeting, namespaces, coverage, conflicts)", () => {
    const { config, cases } = fixtures.assignUser;
    const compiled = compileConfig(config);
    const reasons = new Set<string>();
    for (const { userId, attributes, result } of cases) {
      expect(assignUser(config, userId, attributes), JSON.stringify(userId)).toEqual(result);
      expect(assignUser(compiled, userId, attributes)).toEqual(result);
      result.assignments.forEach((a) => reasons.add(a.reason));
    }
    // The fixture must exercise every outcome, or it proves less than it seems.
    expect([...reasons].sort()).toEqual(["assigned", "in_other_experiment", "not_in_coverage", "not_in_namespace", "not_targeted"].sort());
  });

  it("puts a user in at most one experiment: the earliest one that takes them", () => {
    const config: AssignmentConfig = {
      productionVersion: "m-prod",
      experiments: [experiment({ key: "first", seed: "s1" }), experiment({ key: "second", seed: "s2" })],
    };
    const result = assignUser(config, "someone", {});
    expect(result.assignments[0].inExperiment).toBe(true);
    expect(result.modelVersion).toBe(result.assignments[0].modelVersion);
    expect(result.assignments[1]).toEqual({
      experimentKey: "second",
      variantKey: null,
      modelVersion: "m-prod",
      inExperiment: false,
      hashValue: hashValue("s2", "someone", 2),
      reason: "in_other_experiment",
    });
  });

  it("lets a later experiment take users the earlier one does not", () => {
    const config: AssignmentConfig = {
      productionVersion: "m-prod",
      experiments: [
        experiment({ key: "python-only", targeting: { language: { in: ["python"] } } }),
        experiment({ key: "everyone", seed: "s2" }),
      ],
    };
    const result = assignUser(config, "someone", { language: "go" });
    expect(result.assignments.map((a) => a.reason)).toEqual(["not_targeted", "assigned"]);
    expect(result.modelVersion).toBe(result.assignments[1].modelVersion);
  });

  it("serves the production version when no experiment runs", () => {
    expect(assignUser({ productionVersion: "m-prod", experiments: [] }, "u", {})).toEqual({
      modelVersion: "m-prod",
      assignments: [],
    });
    expect(assignUser({ productionVersion: null, experiments: [] }, "u").modelVersion).toBeNull();
  });
});

describe("checkExposure", () => {
  const exp = experiment({ coverage: 0.5 });
  const covered = Array.from({ length: 100 }, (_, i) => `u${i}`).find((id) => assignExperiment(exp, id).inExperiment)!;
  const uncovered = Array.from({ length: 100 }, (_, i) => `u${i}`).find((id) => !assignExperiment(exp, id).inExperiment)!;

  it("accepts an exposure that agrees with the hash", () => {
    expect(checkExposure(exp, covered, assignExperiment(exp, covered).variantKey)).toEqual({ ok: true });
  });

  it("rejects a wrong variant and says which one was expected", () => {
    const right = assignExperiment(exp, covered).variantKey;
    const wrong = right === "control" ? "treatment" : "control";
    expect(checkExposure(exp, covered, wrong)).toEqual({ ok: false, expected: right });
  });

  it("rejects an exposure for a user outside coverage", () => {
    expect(checkExposure(exp, uncovered, "control")).toEqual({ ok: false, expected: null });
  });

  it("checks targeting only when attributes are given", () => {
    const targeted = experiment({ targeting: { plan: { in: ["pro"] } } });
    const variant = assignExperiment(targeted, covered, { plan: "pro" }).variantKey;
    expect(checkExposure(targeted, covered, variant)).toEqual({ ok: true });
    expect(checkExposure(targeted, covered, variant, { plan: "pro" })).toEqual({ ok: true });
    expect(checkExposure(targeted, covered, variant, { plan: "free" })).toEqual({ ok: false, expected: null });
  });
});

describe("assignmentConfigSchema", () => {
  it("accepts the fixture config and rejects malformed experiments", () => {
    expect(assignmentConfigSchema.parse(fixtures.assignUser.config)).toEqual(fixtures.assignUser.config);
    const bad = { productionVersion: "p", experiments: [{ ...experiment(), hashVersion: 3 }] };
    expect(assignmentConfigSchema.safeParse(bad).success).toBe(false);
    const noVariants = { productionVersion: "p", experiments: [{ ...experiment(), variants: [] }] };
    expect(assignmentConfigSchema.safeParse(noVariants).success).toBe(false);
  });
});
