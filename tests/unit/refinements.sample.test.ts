import { describe, expect, it } from "vitest";
import { refinementConfig } from "@/lib/refinements/config";
import { dedupeKey } from "@/lib/refinements/outcome";
import { buildSample, type RefinementInput } from "@/lib/refinements/sample";

const REFINED_AT = Date.UTC(2026, 10, 24, 10, 0, 0);

const input: RefinementInput = {
  suggestionId: "sugg-1",
  projectId: "proj-1",
  userId: "dev-00042",
  modelVersion: "completion-2026-11",
  experimentKey: "refined-vs-production",
  variantKey: "treatment",
  language: "python",
  ide: "vscode",
  userGroup: "beta",
  prefix: "def load_settings(path):\n    with open(path) as fh:\n        data = json.load(fh)\n    ",
  suffix: "\n\n\ndef main():\n    pass\n",
  proposal: "return data\n",
  final: "return Settings(**data)\n",
  windowSeconds: 60,
  refinedAt: REFINED_AT,
  retainedChars: 7,
};

describe("buildSample", () => {
  it("counts secrets redacted before it saw the text (at ingestion) as the sample's secrets", async () => {
    const stored = { ...input, final: "return Settings(**data, token='[REDACTED:github_token]')\n" };
    const sample = await buildSample(stored);
    expect(sample.outcome).toBe("secret");
    expect(sample.reasons).toContain("secret:github_token");
    expect(sample.secretRules).toEqual(["github_token"]);
    expect(sample.secretsFound).toBe(1);
    expect(sample.final).toBe(stored.final);
    expect((await buildSample({ ...stored, final: input.final })).outcome).not.toBe("secret");
  });

  it("runs redact → trim → measures → syntax → outcome on a real refinement", async () => {
    const sample = await buildSample(input);
    expect(sample).toEqual({
      suggestionId: "sugg-1",
      projectId: "proj-1",
      userId: "dev-00042",
      modelVersion: "completion-2026-11",
      experimentKey: "refined-vs-production",
      variantKey: "treatment",
      language: "python",
      ide: "vscode",
      userGroup: "beta",
      prefix: input.prefix,
      suffix: input.suffix,
      proposal: "return data\n",
      final: "return Settings(**data)\n",
      target: "return Settings(**data)\n",
      trimmedPrefixChars: 0,
      trimmedSuffixChars: 0,
      editDistance: 12,
      editRatio: 0.5,
      retainedChars: 12,
      retainedExact: true,
      reportedRetainedChars: 7,
      linesAdded: 1,
      linesRemoved: 1,
      syntax: "ok",
      outcome: "kept",
      reasons: [],
      secretsFound: 0,
      secretRules: [],
      dedupeKey: dedupeKey({ prefix: input.prefix, suffix: input.suffix, target: "return Settings(**data)\n" }),
      acceptedAt: null,
      refinedAt: REFINED_AT,
      windowSeconds: 60,
    });
  });

  it("is deterministic", async () => {
    expect(await buildSample(input)).toEqual(await buildSample(input));
  });

  it("trims context the final repeats before measuring", async () => {
    const sample = await buildSample({ ...input, final: "    return Settings(**data)\n" });
    expect(sample.target).toBe("return Settings(**data)\n");
    expect(sample.trimmedPrefixChars).toBe(4);
  });

  it("labels a plain accept unchanged", async () => {
    const sample = await buildSample({ ...input, final: input.proposal });
    expect(sample).toMatchObject({ outcome: "unchanged", reasons: ["unchanged"], editDistance: 0, retainedChars: 12, linesAdded: 0 });
  });

  it("redacts before anything else and reports the secret", async () => {
    const sample = await buildSample({
      ...input,
      prefix: "import boto3\n\n",
      suffix: "\n",
      proposal: "s3 = boto3.client('s3')",
      final: "s3 = boto3.client('s3', aws_access_key_id='AKIAZ3MSJV4WWNKWW3UW')",
    });
    expect(sample.final).toBe("s3 = boto3.client('s3', aws_access_key_id='[REDACTED:aws_access_key_id]')");
    expect(sample.target).toBe(sample.final);
    expect(sample).toMatchObject({
      outcome: "secret",
      reasons: ["secret:aws_access_key_id"],
      secretsFound: 1,
      secretRules: ["aws_access_key_id"],
    });
  });

  it("calls a rewrite noise, with the configured threshold", async () => {
    const rewrite = { ...input, final: "raise NotImplementedError('the settings loader is not written yet')\n" };
    expect((await buildSample(rewrite)).outcome).toBe("noise");
    expect((await buildSample(rewrite, refinementConfig({ noiseEditRatio: 1 }))).outcome).toBe("kept");
  });

  it("calls a target that breaks the code a syntax error", async () => {
    const sample = await buildSample({ ...input, final: "return Settings(**data\n" });
    expect(sample).toMatchObject({ syntax: "error", outcome: "syntax_error", reasons: ["syntax_error"] });
  });

  it("leaves a language without a grammar unchecked", async () => {
    expect((await buildSample({ ...input, language: "cobol" })).syntax).toBe("unchecked");
    expect((await buildSample({ ...input, language: undefined })).syntax).toBe("unchecked");
  });

  it("asks the caller whether the dedupe key was seen", async () => {
    const seen = new Set<string>();
    const isDuplicate = (key: string) => {
      const was = seen.has(key);
      seen.add(key);
      return was;
    };
    expect((await buildSample(input, undefined, { isDuplicate })).outcome).toBe("kept");
    expect((await buildSample({ ...input, suggestionId: "sugg-2" }, undefined, { isDuplicate })).outcome).toBe("duplicate");
  });

  it("marks an opted-out user's sample first", async () => {
    const sample = await buildSample({ ...input, final: "" }, undefined, { optedOut: true });
    expect(sample.outcome).toBe("opted_out");
    expect(sample.reasons).toEqual(["opted_out", "empty_target", "edit_ratio_above_threshold"]);
  });

  it("takes an injected syntax check and optional fields as null", async () => {
    const calls: unknown[] = [];
    const sample = await buildSample(
      { suggestionId: "s", userId: "u", modelVersion: "m", proposal: "a", final: "ab", windowSeconds: 30, refinedAt: 1, acceptedAt: 0 },
      undefined,
      {
        checkSyntax: async (language, texts) => {
          calls.push([language, texts]);
          return "unchecked";
        },
      },
    );
    expect(calls).toEqual([[null, { prefix: "", suffix: "", proposal: "a", target: "ab" }]]);
    expect(sample).toMatchObject({
      projectId: null,
      experimentKey: null,
      variantKey: null,
      language: null,
      ide: null,
      userGroup: null,
      acceptedAt: 0,
      reportedRetainedChars: null,
      outcome: "kept",
    });
  });
});
