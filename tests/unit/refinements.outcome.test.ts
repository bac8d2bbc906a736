import { describe, expect, it } from "vitest";
import { DEFAULT_REFINEMENT_CONFIG, refinementConfig } from "@/lib/refinements/config";
import {
  classifyOutcome,
  dedupeKey,
  lineCount,
  normalizeWhitespace,
  OUTCOME_PRECEDENCE,
  type OutcomeInput,
  reasonOutcome,
} from "@/lib/refinements/outcome";

/** A real refinement: nothing applies. */
const base: OutcomeInput = {
  optedOut: false,
  secretRules: [],
  proposal: "return data\n",
  final: "return settings\n",
  target: "return settings\n",
  editRatio: 7 / 16,
  syntax: "ok",
  duplicate: false,
};

const classify = (changes: Partial<OutcomeInput>, config = DEFAULT_REFINEMENT_CONFIG) => classifyOutcome({ ...base, ...changes }, config);

describe("classifyOutcome: each outcome", () => {
  it("keeps a real refinement, with no reasons", () => {
    expect(classify({})).toEqual({ outcome: "kept", reasons: [] });
  });

  it("labels a plain accept unchanged", () => {
    expect(classify({ final: base.proposal, target: base.proposal, editRatio: 0 })).toEqual({
      outcome: "unchanged",
      reasons: ["unchanged"],
    });
  });

  it("calls an edit ratio above the threshold noise, and one at the threshold not", () => {
    expect(classify({ editRatio: 0.81 })).toEqual({ outcome: "noise", reasons: ["edit_ratio_above_threshold"] });
    expect(classify({ editRatio: 0.8 }).outcome).toBe("kept");
    expect(classify({ editRatio: 0.6 }, refinementConfig({ noiseEditRatio: 0.5 })).outcome).toBe("noise");
  });

  it("calls an empty or whitespace-only target noise", () => {
    expect(classify({ final: "", target: "", editRatio: 1 })).toEqual({
      outcome: "noise",
      reasons: ["empty_target", "edit_ratio_above_threshold"],
    });
    expect(classify({ final: "  \n\t", target: "  \n\t", editRatio: 0.75 })).toEqual({
      outcome: "noise",
      reasons: ["whitespace_only_target"],
    });
  });

  it("calls a final over the size limits noise", () => {
    const config = refinementConfig({ maxFinalChars: 10, maxFinalLines: 2 });
    expect(classify({ final: "x".repeat(11) }, config).reasons).toEqual(["final_too_large"]);
    expect(classify({ final: "a\nb\nc\n" }, config).reasons).toEqual(["final_too_many_lines"]);
    expect(classify({ final: "a\nb\n" }, config).outcome).toBe("kept");
    expect(classify({ final: "x".repeat(DEFAULT_REFINEMENT_CONFIG.maxFinalChars + 1) }).outcome).toBe("noise");
  });

  it("reports a target that introduces syntax errors, and not an unchecked one", () => {
    expect(classify({ syntax: "error" })).toEqual({ outcome: "syntax_error", reasons: ["syntax_error"] });
    expect(classify({ syntax: "unchecked" })).toEqual({ outcome: "kept", reasons: [] });
  });

  it("reports a duplicate the caller has seen", () => {
    expect(classify({ duplicate: true })).toEqual({ outcome: "duplicate", reasons: ["duplicate"] });
  });

  it("reports secrets by rule", () => {
    expect(classify({ secretRules: ["aws_access_key_id", "jwt"] })).toEqual({
      outcome: "secret",
      reasons: ["secret:aws_access_key_id", "secret:jwt"],
    });
  });

  it("reports an opted-out user", () => {
    expect(classify({ optedOut: true })).toEqual({ outcome: "opted_out", reasons: ["opted_out"] });
  });
});

describe("classifyOutcome: precedence", () => {
  it("orders the outcomes as documented", () => {
    expect(OUTCOME_PRECEDENCE).toEqual(["opted_out", "secret", "noise", "syntax_error", "duplicate", "unchanged", "kept"]);
  });

  it("picks the first applicable outcome and keeps every reason, in precedence order", () => {
    const everything = classify({
      optedOut: true,
      secretRules: ["jwt"],
      final: "",
      target: "",
      editRatio: 1,
      syntax: "error",
      duplicate: true,
    });
    expect(everything).toEqual({
      outcome: "opted_out",
      reasons: ["opted_out", "secret:jwt", "empty_target", "edit_ratio_above_threshold", "syntax_error", "duplicate"],
    });
    expect(classify({ secretRules: ["jwt"], editRatio: 0.9, duplicate: true }).outcome).toBe("secret");
    expect(classify({ editRatio: 0.9, syntax: "error", duplicate: true }).outcome).toBe("noise");
    expect(classify({ syntax: "error", duplicate: true }).outcome).toBe("syntax_error");
    expect(classify({ target: base.proposal, final: base.proposal, editRatio: 0, duplicate: true })).toEqual({
      outcome: "duplicate",
      reasons: ["duplicate", "unchanged"],
    });
  });

  it("maps every reason to its outcome", () => {
    expect(reasonOutcome("secret:github_token")).toBe("secret");
    expect(reasonOutcome("final_too_large")).toBe("noise");
    expect(reasonOutcome("unchanged")).toBe("unchanged");
  });
});

describe("dedupeKey", () => {
  it("is the same for the same context and target up to whitespace", () => {
    const a = dedupeKey({ prefix: "def f(x):\n    ", suffix: "\n", target: "return x + 1" });
    const b = dedupeKey({ prefix: "def f(x):\n\t", suffix: "", target: "return  x + 1\n" });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it("differs when the target or the context differs, and keeps the fields apart", () => {
    const key = dedupeKey({ prefix: "a", suffix: "c", target: "b" });
    expect(dedupeKey({ prefix: "a", suffix: "c", target: "B" })).not.toBe(key);
    expect(dedupeKey({ prefix: "x", suffix: "c", target: "b" })).not.toBe(key);
    expect(dedupeKey({ prefix: "ab", suffix: "c", target: "" })).not.toBe(dedupeKey({ prefix: "a", suffix: "c", target: "b" }));
  });

  it("treats absent context as empty", () => {
    expect(dedupeKey({ target: "x" })).toBe(dedupeKey({ prefix: "", suffix: " ", target: "x" }));
  });
});

describe("helpers", () => {
  it("normalizes whitespace", () => {
    expect(normalizeWhitespace("  a\n\t b  ")).toBe("a b");
  });

  it("normalizes whitespace exactly as replacing every run of \\s by one space (dedupe keys stay the same)", () => {
    // Every character JavaScript's \s matches, some it does not (U+180E, U+200B), and two letters.
    const pieces = [" ", "\t", "\n", "\r", "\v", "\f", "\u00a0", "\u1680", "\u2000", "\u200a", "\u2028", "\u2029"];
    pieces.push("\u202f", "\u205f", "\u3000", "\ufeff", "\u180e", "\u200b", "x", "y");
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20_000; i++) {
      let text = "";
      for (let k = 0; k < 1 + Math.floor(random() * 12); k++) text += pieces[Math.floor(random() * pieces.length)];
      expect(normalizeWhitespace(text)).toBe(text.replace(/\s+/g, " ").trim());
    }
  });

  it("counts lines", () => {
    expect([lineCount(""), lineCount("a"), lineCount("a\n"), lineCount("a\nb"), lineCount("\n\n")]).toEqual([0, 1, 1, 2, 2]);
  });
});
