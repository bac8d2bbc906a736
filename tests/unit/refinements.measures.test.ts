import { describe, expect, it } from "vitest";
import { DEFAULT_REFINEMENT_CONFIG, refinementConfig } from "@/lib/refinements/config";
import { structuredPatch } from "diff";
import { editDistance, editRatio, lcsLength, lineChanges, measureRefinement, retainedChars, unifiedDiff } from "@/lib/refinements/measures";

describe("editDistance and editRatio", () => {
  it("counts insertions, deletions and substitutions", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("return data\n", "return settings\n")).toBe(7);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
  });

  it("normalizes by the longer text, and never divides by zero", () => {
    expect(editRatio(3, "kitten", "sitting")).toBeCloseTo(3 / 7);
    expect(editRatio(0, "", "")).toBe(0);
    expect(editRatio(editDistance("abc", ""), "abc", "")).toBe(1);
  });
});

describe("retainedChars", () => {
  it("is the longest common subsequence of proposal and target", () => {
    // "return " + "t" + "\n": the characters of the proposal kept, in order.
    expect(retainedChars("return data\n", "return settings\n")).toEqual({ retainedChars: 9, exact: true });
    expect(retainedChars("ABCBDAB", "BDCABA").retainedChars).toBe(4);
    expect(retainedChars("abc", "abc").retainedChars).toBe(3);
    expect(retainedChars("abc", "").retainedChars).toBe(0);
    expect(retainedChars("", "abc").retainedChars).toBe(0);
  });

  it("does not count characters the user moved", () => {
    expect(retainedChars("ab", "ba").retainedChars).toBe(1);
  });

  it("equals the textbook dynamic-programming LCS on random texts of every word boundary", () => {
    const reference = (a: string, b: string) => {
      let previous = new Array<number>(b.length + 1).fill(0);
      for (let i = 1; i <= a.length; i++) {
        const current = new Array<number>(b.length + 1).fill(0);
        for (let j = 1; j <= b.length; j++) {
          current[j] = a[i - 1] === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
        }
        previous = current;
      }
      return previous[b.length];
    };
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const text = (length: number) => Array.from({ length }, () => "ab{} \n;x"[Math.floor(random() * 8)]).join("");
    for (let trial = 0; trial < 500; trial++) {
      const a = text(Math.floor(random() * 130));
      const b = text(Math.floor(random() * 130));
      expect(lcsLength(a, b), JSON.stringify([a, b])).toBe(reference(a, b));
    }
  });

  it("falls back to a deterministic lower bound past the diff budget", () => {
    const proposal = "start " + "abcdefghij".repeat(30) + " end";
    const target = "start " + "jihgfedcba".repeat(30) + " end";
    const exact = retainedChars(proposal, target);
    const bounded = retainedChars(proposal, target, 1_000);
    expect(exact.exact).toBe(true);
    expect(bounded.exact).toBe(false);
    expect(bounded.retainedChars).toBeGreaterThanOrEqual(10);
    expect(bounded.retainedChars).toBeLessThanOrEqual(exact.retainedChars);
    expect(retainedChars(proposal, target, 1_000)).toEqual(bounded);
  });
});

describe("lineChanges and unifiedDiff", () => {
  it("count changed lines once on each side, and give a unified diff", () => {
    expect(lineChanges("a\nb\nc\n", "a\nB\nc\nd\n")).toEqual({ linesAdded: 2, linesRemoved: 1 });
    expect(unifiedDiff("a\nb\nc\n", "a\nB\nc\nd\n")).toBe("--- proposal\n+++ target\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n");
  });

  it("count a last line that only gained its newline", () => {
    expect(lineChanges("x = 1", "x = 1\n")).toEqual({ linesAdded: 1, linesRemoved: 1 });
    expect(unifiedDiff("x = 1", "x = 1\n")).toContain("\\ No newline at end of file");
  });

  it("are empty for equal texts", () => {
    expect(lineChanges("same\n", "same\n")).toEqual({ linesAdded: 0, linesRemoved: 0 });
    expect(unifiedDiff("same\n", "same\n")).toBe("");
  });

  it("keeps the configured context lines", () => {
    const proposal = "1\n2\n3\n4\n5\n6\n7\n";
    const target = "1\n2\n3\nfour\n5\n6\n7\n";
    expect(unifiedDiff(proposal, target, 1)).toBe("--- proposal\n+++ target\n@@ -3,3 +3,3 @@\n 3\n-4\n+four\n 5\n");
  });

  it("count the + and - lines of the unified diff, on random texts", () => {
    // Lines drawn from a few, so texts share lines in many arrangements (and ties between alignments).
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const pool = ["a", "b", "c", "  d", "", "e e"];
    const text = () => {
      const lines = Array.from({ length: Math.floor(random() * 9) }, () => pool[Math.floor(random() * pool.length)]);
      return lines.join("\n") + (random() < 0.7 && lines.length ? "\n" : "");
    };
    for (let i = 0; i < 2_000; i++) {
      const [proposal, target] = [text(), text()];
      const lines = structuredPatch("p", "t", proposal, target, undefined, undefined, { context: 0 }).hunks.flatMap((h) => h.lines);
      expect(lineChanges(proposal, target)).toEqual({
        linesAdded: lines.filter((l) => l.startsWith("+")).length,
        linesRemoved: lines.filter((l) => l.startsWith("-")).length,
      });
    }
  });
});

describe("measureRefinement", () => {
  it("measures a refinement, deterministically", () => {
    const measures = measureRefinement("return data\n", "return settings\n");
    expect(measures).toEqual({
      editDistance: 7,
      editRatio: 7 / 16,
      retainedChars: 9,
      retainedExact: true,
      linesAdded: 1,
      linesRemoved: 1,
    });
    expect(measureRefinement("return data\n", "return settings\n")).toEqual(measures);
  });

  it("measures an unchanged proposal as zero change", () => {
    expect(measureRefinement("x = 1\n", "x = 1\n", DEFAULT_REFINEMENT_CONFIG)).toEqual({
      editDistance: 0,
      editRatio: 0,
      retainedChars: 6,
      retainedExact: true,
      linesAdded: 0,
      linesRemoved: 0,
    });
  });
});

describe("refinementConfig", () => {
  it("completes a partial config with the defaults", () => {
    expect(refinementConfig({ noiseEditRatio: 0.5 })).toEqual({ ...DEFAULT_REFINEMENT_CONFIG, noiseEditRatio: 0.5 });
    expect(DEFAULT_REFINEMENT_CONFIG.noiseEditRatio).toBe(0.8);
  });

  it("refuses settings out of range", () => {
    expect(() => refinementConfig({ noiseEditRatio: 1.5 })).toThrow(/noiseEditRatio/);
    expect(() => refinementConfig({ maxFinalChars: -1 })).toThrow(/maxFinalChars/);
    expect(() => refinementConfig({ diffContextLines: 1.5 })).toThrow(/diffContextLines/);
  });
});
