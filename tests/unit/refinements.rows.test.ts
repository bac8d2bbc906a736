import { describe, expect, it } from "vitest";
import { REFINEMENT_SAMPLE_COLUMNS } from "@/lib/clickhouse/tables";
import { clickhouseTime } from "@/lib/clickhouse/time";
import { tsvString, tsvUnescape } from "@/lib/clickhouse/tsv";
import {
  BUILT_COLUMNS,
  builtRow,
  escapedCode,
  parseRefinedLines,
  PASS_COLUMNS,
  REFINED_COLUMNS,
  refinedLineFields,
  refinedSuggestion,
  sampleLine,
  scanRefinedLines,
  type RefinedSuggestion,
} from "@/lib/refinements/rows";
import { buildSample, type RefinementSample } from "@/lib/refinements/sample";

// The pipeline's rows as text: extracted lines read back as written, and sample lines whose every value
// sits under its column (the insert names the columns in REFINEMENT_SAMPLE_COLUMNS's order).

const suggestion = (i: number, code: Partial<RefinedSuggestion> = {}): RefinedSuggestion => ({
  projectId: "proj-1",
  suggestionId: `sugg-${i}`,
  userId: `dev\\${i}`, // a backslash, escaped in the text
  refinedAt: `2026-11-24 10:00:0${i}.000`,
  refinedEventId: `00000000-0000-0000-0000-00000000000${i}`,
  acceptedAt: `2026-11-24 09:59:5${i}.000`,
  modelVersion: "m1",
  language: "python",
  ide: "vscode",
  userGroup: "",
  windowSeconds: 60,
  prefix: "def f(x):\n\t",
  suffix: "\n",
  proposal: "return x\r\n",
  final: "return x + 1  # \\n is not a newline\n",
  ...code,
});

const line = (s: RefinedSuggestion) => REFINED_COLUMNS.map((c) => (c === "windowSeconds" ? String(s[c]) : tsvString(s[c]))).join("\t");

describe("extracted lines", () => {
  const suggestions = [suggestion(1), suggestion(2, { prefix: "", proposal: "a\tb", final: "" }), suggestion(3)];
  const text = suggestions.map(line).join("\n") + "\n";

  it("read back as written, escapes and all", () => {
    expect(parseRefinedLines(text)).toEqual(suggestions);
    expect(parseRefinedLines("")).toEqual([]);
  });

  it("are scanned for their heads, each line's text kept where it starts", () => {
    const lines = scanRefinedLines(text);
    expect(lines.heads).toEqual(
      suggestions.map(({ projectId, suggestionId, userId, refinedAt, refinedEventId }) => ({
        projectId,
        suggestionId,
        userId,
        refinedAt,
        refinedEventId,
      })),
    );
    expect(lines.starts).toHaveLength(4);
    expect(parseRefinedLines(text.slice(lines.starts[1], lines.starts[3]))).toEqual(suggestions.slice(1));
  });

  it("with a column missing are refused", () => {
    expect(() => parseRefinedLines("a\tb\n")).toThrow(/2 columns, not 15/);
    expect(() => scanRefinedLines("a\tb\n")).toThrow(/fewer than 15 columns/);
  });
});

/** The value each column of a sample's row must hold, named column by column. */
function expectedRow(sample: RefinementSample, refinedEventId: string, pass: Record<(typeof PASS_COLUMNS)[number], string>) {
  const code = sample.outcome !== "opted_out";
  const row: Record<string, string> = {
    project_id: sample.projectId ?? "",
    suggestion_id: sample.suggestionId,
    user_id: sample.userId,
    model_version: sample.modelVersion,
    language: sample.language ?? "",
    ide: sample.ide ?? "",
    user_group: sample.userGroup ?? "",
    prefix: code ? sample.prefix : "",
    suffix: code ? sample.suffix : "",
    proposal: code ? sample.proposal : "",
    final: code ? sample.final : "",
    target: code ? sample.target : "",
    edit_distance: String(sample.editDistance),
    edit_ratio: String(sample.editRatio),
    retained_chars: String(sample.retainedChars),
    lines_added: String(sample.linesAdded),
    lines_removed: String(sample.linesRemoved),
    syntax: sample.syntax,
    secrets_found: String(sample.secretsFound),
    dedupe_key: sample.dedupeKey,
    window_seconds: String(sample.windowSeconds),
    accepted_at: clickhouseTime(sample.acceptedAt ?? sample.refinedAt),
    refined_at: clickhouseTime(sample.refinedAt),
    refined_event_id: refinedEventId,
    ...pass,
  };
  return REFINEMENT_SAMPLE_COLUMNS.map((column) => row[column]);
}

describe("sample lines", () => {
  it("end with the columns the pass decides", () => {
    expect([...BUILT_COLUMNS, ...PASS_COLUMNS]).toEqual([...REFINEMENT_SAMPLE_COLUMNS]);
  });

  const cases: [string, Partial<RefinedSuggestion>, boolean][] = [
    ["a refinement", {}, false],
    ["a secret, redacted", { final: "token = 'ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R'\n" }, false],
    ["a final that repeats its context (trimmed)", { final: "def f(x):\n\treturn x * 2\n" }, false],
    ["an opted-out user's", {}, true],
  ];
  for (const [name, code, optedOut] of cases) {
    it(`hold each value under its column, and the same whether or not the extracted text is reused: ${name}`, async () => {
      const extracted = suggestion(1, code);
      const fields = refinedLineFields(line(extracted) + "\n")[0];
      const read = refinedSuggestion(fields);
      const sample = await buildSample({ ...read, refinedAt: Date.parse("2026-11-24T10:00:01Z"), acceptedAt: null }, undefined, {
        optedOut,
      });
      const pass = {
        experimentKey: "exp\t1",
        variantKey: "b",
        outcome: sample.outcome,
        reasons: [...sample.reasons, "duplicate"],
        processedAt: "2026-11-24 10:00:09.000",
      };
      const reused = sampleLine(builtRow(sample, read.refinedEventId, { original: read, escaped: escapedCode(fields) }), pass);
      expect(reused).toBe(sampleLine(builtRow(sample, read.refinedEventId), pass));
      const values = reused.split("\t").map(tsvUnescape);
      expect(values).toEqual(
        expectedRow(sample, read.refinedEventId, {
          experiment_key: "exp\t1",
          variant_key: "b",
          outcome: sample.outcome,
          reasons: `[${pass.reasons.map((r) => `'${r}'`).join(",")}]`,
          processed_at: pass.processedAt,
        }),
      );
    });
  }
});
