import { describe, expect, it } from "vitest";
import {
  commonPrefixLength,
  commonSuffixLength,
  overlapAtEnd,
  overlapAtStart,
  overlapsAtEnd,
  overlapsAtStart,
  trimToTarget,
} from "@/lib/refinements/trim";

describe("trimToTarget", () => {
  it("keeps the final whole when no context was sent", () => {
    expect(trimToTarget({ proposal: "return data\n", final: "return settings\n" })).toEqual({
      target: "return settings\n",
      strippedPrefix: 0,
      strippedSuffix: 0,
    });
    expect(trimToTarget({ prefix: "", suffix: "", proposal: "a", final: "b" }).target).toBe("b");
  });

  it("keeps the final whole when it repeats no context", () => {
    const input = {
      prefix: "def load(path):\n    ",
      suffix: "\n\ndef main():\n",
      proposal: "return read(path)",
      final: "return read_json(path)",
    };
    expect(trimToTarget(input)).toEqual({ target: "return read_json(path)", strippedPrefix: 0, strippedSuffix: 0 });
  });

  it("strips the prefix's tail the final starts with (a client that captured whole lines)", () => {
    const input = {
      prefix: "import json\n\ndef load(path):\n    data = ",
      proposal: "json.load(open(path))",
      final: "    data = json.loads(read(path))",
    };
    expect(trimToTarget(input)).toEqual({ target: "json.loads(read(path))", strippedPrefix: 11, strippedSuffix: 0 });
  });

  it("strips the suffix's head the final ends with", () => {
    const input = { prefix: "const total = ", suffix: ";\nreturn total;\n}\n", proposal: "a + b", final: "a + b + c;\nreturn total;" };
    expect(trimToTarget(input)).toEqual({ target: "a + b + c", strippedPrefix: 0, strippedSuffix: 15 });
  });

  it("strips both ends", () => {
    const input = { prefix: "if (x) {\n  ", suffix: "\n}\n", proposal: "run();", final: "  run(x);\n}" };
    expect(trimToTarget(input)).toEqual({ target: "run(x);", strippedPrefix: 2, strippedSuffix: 2 });
  });

  it("strips nothing the proposal itself explains (a completion starting with the newline the prefix ends with)", () => {
    const input = {
      prefix: "x = 1\n",
      suffix: ")\n",
      proposal: "\ndef f(a, b):\n    return g(a, b)",
      final: "\ndef f(a, b):\n    return g(b, a)",
    };
    expect(trimToTarget(input)).toEqual({ target: input.final, strippedPrefix: 0, strippedSuffix: 0 });
    const closing = { prefix: "print(", suffix: ")\n", proposal: "a, b)", final: "a, c)" };
    expect(trimToTarget(closing).target).toBe("a, c)");
  });

  it("strips no coincidental overlap that does not start a line of the prefix or end a line of the suffix", () => {
    // The prefix ends with "= " and the final happens to start with a space; the suffix starts with ")" and so does the final's end.
    expect(trimToTarget({ prefix: "x = ", suffix: ") + 1\n", proposal: "f(a", final: " g(a)" })).toEqual({
      target: " g(a)",
      strippedPrefix: 0,
      strippedSuffix: 0,
    });
  });

  it("leaves an edited context in the target: overlaps are exact", () => {
    const input = { prefix: "function f() {\n  const x = ", proposal: "compute();", final: "  let x = compute();" };
    expect(trimToTarget(input)).toEqual({ target: "  let x = compute();", strippedPrefix: 0, strippedSuffix: 0 });
  });

  it("trims a final shorter than the context that is only the context's tail to nothing", () => {
    expect(trimToTarget({ prefix: "a very long prefix\n    return ", proposal: "value", final: "    return " })).toEqual({
      target: "",
      strippedPrefix: 11,
      strippedSuffix: 0,
    });
  });

  it("keeps a final shorter than the context when it overlaps nothing", () => {
    expect(
      trimToTarget({ prefix: "a long prefix of many characters = ", suffix: "; and a long suffix", proposal: "1", final: "2" }).target,
    ).toBe("2");
  });

  it("never strips a character twice when the prefix's tail and the suffix's head overlap in the final", () => {
    // The user deleted the completion; the client captured "ab", both the prefix's last line and the suffix's first.
    expect(trimToTarget({ prefix: "x\nab", suffix: "ab\ny", proposal: "zzz", final: "ab" })).toEqual({
      target: "",
      strippedPrefix: 2,
      strippedSuffix: 0,
    });
    expect(trimToTarget({ prefix: "x\na", suffix: "a\ny", proposal: " = 2 * ", final: "a = 3 * a" })).toEqual({
      target: " = 3 * ",
      strippedPrefix: 1,
      strippedSuffix: 1,
    });
  });
});

describe("overlaps and common affixes", () => {
  it("lists every overlap, largest first", () => {
    expect(overlapsAtStart("xabab", "ababz")).toEqual([4, 2]);
    expect(overlapsAtEnd("zabab", "ababx")).toEqual([4, 2]);
    expect(overlapsAtStart("abc", "xyz")).toEqual([]);
  });

  it("finds the longest overlap of a head's tail with a text's start, and of a text's end with a tail's head", () => {
    expect(overlapAtStart("abcab", "abx")).toBe(2);
    expect(overlapAtStart("aaaa", "aaab")).toBe(3);
    expect(overlapAtStart("abc", "")).toBe(0);
    expect(overlapAtStart("", "abc")).toBe(0);
    expect(overlapAtStart("xyz", "abc")).toBe(0);
    expect(overlapAtEnd("xxab", "abyy")).toBe(2);
    expect(overlapAtEnd("baaa", "aaaa")).toBe(3);
  });

  it("agrees with the quadratic definition on every short binary string pair", () => {
    const strings = [""];
    for (let length = 1; length <= 6; length++)
      for (let bits = 0; bits < 1 << length; bits++) strings.push(bits.toString(2).padStart(length, "0"));
    const naiveStart = (head: string, text: string) => {
      for (let k = Math.min(head.length, text.length); k > 0; k--) if (head.endsWith(text.slice(0, k))) return k;
      return 0;
    };
    for (const a of strings) for (const b of strings) expect(overlapAtStart(a, b)).toBe(naiveStart(a, b));
  });

  it("runs in linear time on a worst case", () => {
    const head = "a".repeat(65_536) + "b";
    const started = performance.now();
    expect(overlapAtStart(head, "a".repeat(65_536))).toBe(0);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("measures common prefixes and suffixes", () => {
    expect(commonPrefixLength("return data", "return settings")).toBe(7);
    expect(commonSuffixLength("foo(a)", "bar(a)")).toBe(3);
    expect(commonSuffixLength("", "x")).toBe(0);
  });
});
