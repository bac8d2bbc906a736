import { describe, expect, it } from "vitest";
import { CHAT_SYSTEM_PROMPT, CURSOR_MARKER, downloadFileName, renderLine, type ExportSample } from "@/lib/datasets/formats";
import { DEFAULT_FIM_TOKENS, chatLineSchema, fimLineSchema, jsonlLineSchema } from "@/lib/datasets/schemas";

const sample: ExportSample = {
  suggestionId: "s-1",
  language: "python",
  modelVersion: "mv-1",
  experimentKey: "exp",
  variantKey: "treatment",
  outcome: "kept",
  label: "good",
  editRatio: 0.25,
  split: "train",
  prefix: "def add(a, b):\n",
  suffix: "\n\nprint(add(1, 2))\n",
  target: "    return a + b",
};

const metadata =
  '{"suggestionId":"s-1","language":"python","modelVersion":"mv-1","experimentKey":"exp","variantKey":"treatment",' +
  '"outcome":"kept","label":"good","editRatio":0.25,"split":"train"}';

describe("dataset formats", () => {
  it("jsonl: prompt is the prefix, completion the kept target, metadata in a fixed key order", () => {
    const line = renderLine("jsonl", sample, DEFAULT_FIM_TOKENS);
    expect(line).toBe(`{"prompt":"def add(a, b):\\n","completion":"    return a + b","metadata":${metadata}}\n`);
    expect(jsonlLineSchema.parse(JSON.parse(line))).toEqual(JSON.parse(line));
  });

  it("chat: system prompt, the file around a cursor marker, the target as the assistant's answer", () => {
    const line = renderLine("chat", sample, DEFAULT_FIM_TOKENS);
    const record = chatLineSchema.parse(JSON.parse(line));
    expect(Object.keys(JSON.parse(line))).toEqual(["messages", "metadata"]);
    expect(record.messages).toEqual([
      { role: "system", content: CHAT_SYSTEM_PROMPT },
      { role: "user", content: `def add(a, b):\n${CURSOR_MARKER}\n\nprint(add(1, 2))\n` },
      { role: "assistant", content: "    return a + b" },
    ]);
    expect(CHAT_SYSTEM_PROMPT).toBe("Complete the code at the cursor.");
    expect(line.endsWith(`"metadata":${metadata}}\n`)).toBe(true);
  });

  it("fim: StarCoder's sentinels by default, in prefix-suffix-middle order", () => {
    const line = renderLine("fim", sample, DEFAULT_FIM_TOKENS);
    expect(line).toBe(
      `{"text":"<fim_prefix>def add(a, b):\\n<fim_suffix>\\n\\nprint(add(1, 2))\\n<fim_middle>    return a + b","metadata":${metadata}}\n`,
    );
    expect(fimLineSchema.safeParse(JSON.parse(line)).success).toBe(true);
  });

  it("fim: configurable sentinel tokens", () => {
    const tokens = { prefixToken: "<|fim_begin|>", suffixToken: "<|fim_hole|>", middleToken: "<|fim_end|>" };
    const { text } = JSON.parse(renderLine("fim", sample, tokens));
    expect(text).toBe("<|fim_begin|>def add(a, b):\n<|fim_hole|>\n\nprint(add(1, 2))\n<|fim_end|>    return a + b");
  });

  it("renders no experiment and no label as null, and the validation split", () => {
    const { metadata: meta } = JSON.parse(
      renderLine("jsonl", { ...sample, experimentKey: "", variantKey: "", label: "", split: "validation" }, DEFAULT_FIM_TOKENS),
    );
    expect(meta).toMatchObject({ experimentKey: null, variantKey: null, label: null, split: "validation" });
  });

  it("gives the same bytes for the same sample, whatever order its fields were built in", () => {
    const shuffled = Object.fromEntries(Object.entries(sample).reverse()) as unknown as ExportSample;
    for (const format of ["jsonl", "chat", "fim"] as const) {
      expect(renderLine(format, shuffled, DEFAULT_FIM_TOKENS)).toBe(renderLine(format, sample, DEFAULT_FIM_TOKENS));
    }
  });

  it("keeps one line per sample whatever the code holds (newlines, quotes, unicode, lone surrogates)", () => {
    const tricky = { ...sample, prefix: 'say("héllo\\n")\r\n\t', target: "🙂 \u2028 \ud800 end" };
    for (const format of ["jsonl", "chat", "fim"] as const) {
      const line = renderLine(format, tricky, DEFAULT_FIM_TOKENS);
      expect(line.indexOf("\n")).toBe(line.length - 1);
      expect(JSON.stringify(JSON.parse(line))).toBe(line.slice(0, -1));
      // well-formed: encodes to UTF-8 and back without loss (the content hash covers these bytes)
      expect(new TextDecoder().decode(new TextEncoder().encode(line))).toBe(line);
    }
  });

  it("names downloads after the dataset with safe characters", () => {
    expect(downloadFileName("Kept python, Nov 2026", "all")).toBe("Kept-python-Nov-2026.jsonl");
    expect(downloadFileName("naïve/../set", "validation")).toBe("naive-..-set.validation.jsonl");
    expect(downloadFileName('"";', "train")).toBe("dataset.train.jsonl");
  });
});
