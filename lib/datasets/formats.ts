import type { DatasetFormat, DatasetSplit, FimTokens, LineMetadata } from "./schemas";

// Pure: one exported sample as one line of a dataset download, in each format. Every record is built
// with its keys in a fixed order and serialized with JSON.stringify, so a sample renders to the same
// bytes every time (the content hash of a frozen version depends on it).

/** A frozen sample as a download renders it (opted-out samples carry no code and are never exported). */
export interface ExportSample {
  suggestionId: string;
  language: string;
  modelVersion: string;
  /** "" when the user was in no experiment (rendered as null). */
  experimentKey: string;
  variantKey: string;
  outcome: LineMetadata["outcome"];
  /** The label when the version was frozen, "" if none (rendered as null). */
  label: string;
  editRatio: number;
  split: DatasetSplit;
  prefix: string;
  suffix: string;
  /** What the user finally kept at the cursor (the trimmed refinement). */
  target: string;
}

export const CHAT_SYSTEM_PROMPT = "Complete the code at the cursor.";
/** Where the completion goes in the chat format's user message: between the prefix and the suffix. */
export const CURSOR_MARKER = "⟨cursor⟩";

function metadata(sample: ExportSample) {
  return {
    suggestionId: sample.suggestionId,
    language: sample.language,
    modelVersion: sample.modelVersion,
    experimentKey: sample.experimentKey || null,
    variantKey: sample.variantKey || null,
    outcome: sample.outcome,
    label: (sample.label || null) as LineMetadata["label"],
    editRatio: sample.editRatio,
    split: sample.split,
  };
}

/** `{prompt, completion, metadata}`: the code before the cursor, and what the user finally kept there. */
export function jsonlRecord(sample: ExportSample) {
  return { prompt: sample.prefix, completion: sample.target, metadata: metadata(sample) };
}

/** `{messages: [system, user, assistant], metadata}`: the user message is the file around the cursor. */
export function chatRecord(sample: ExportSample) {
  return {
    messages: [
      { role: "system", content: CHAT_SYSTEM_PROMPT },
      { role: "user", content: `${sample.prefix}${CURSOR_MARKER}${sample.suffix}` },
      { role: "assistant", content: sample.target },
    ],
    metadata: metadata(sample),
  };
}

/** `{text, metadata}` in prefix-suffix-middle order: prefixToken prefix suffixToken suffix middleToken target. */
export function fimRecord(sample: ExportSample, tokens: FimTokens) {
  return {
    text: `${tokens.prefixToken}${sample.prefix}${tokens.suffixToken}${sample.suffix}${tokens.middleToken}${sample.target}`,
    metadata: metadata(sample),
  };
}

/** One line of a download: the record as JSON and a newline (the bytes the content hash covers). */
export function renderLine(format: DatasetFormat, sample: ExportSample, tokens: FimTokens): string {
  const record = format === "chat" ? chatRecord(sample) : format === "fim" ? fimRecord(sample, tokens) : jsonlRecord(sample);
  return `${JSON.stringify(record)}\n`;
}

/** A download's file name: the dataset's name reduced to safe characters, with the split. */
export function downloadFileName(name: string, split: string): string {
  const base =
    name
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^[-.]+|-+$/g, "")
      .slice(0, 100) || "dataset";
  return `${base}${split === "all" ? "" : `.${split}`}.jsonl`;
}
