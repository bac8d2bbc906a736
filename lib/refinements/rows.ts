/**
 * The pipeline's rows as text, both ways: the extraction's TabSeparated lines (one refined suggestion
 * each) and the samples' TabSeparated lines for the insert. Pure.
 *
 * A pass reads each extracted line's first columns only (what it decides itself: ids, times) and hands
 * whole runs of lines to the sample builders (lib/refinements/build.ts) as they are; a builder answers
 * each sample's line up to the columns only the pass can decide (the experiment and variant, a duplicate,
 * the time of writing), which the pass appends. The code, which is most of the bytes, is then never parsed
 * into objects, copied or collected on the pass's thread.
 */
import { REFINEMENT_SAMPLE_COLUMNS } from "../clickhouse/tables";
import { clickhouseTime, fromClickhouseTime } from "../clickhouse/time";
import { tsvString, tsvStringArray, tsvUnescape } from "../clickhouse/tsv";
import type { Outcome, Reason } from "./outcome";
import type { RefinementInput, RefinementSample } from "./sample";

/** The extraction's columns, in order: what the pass reads first, the code last. */
export const REFINED_COLUMNS = [
  "projectId",
  "suggestionId",
  "userId",
  "refinedAt",
  "refinedEventId",
  "acceptedAt",
  "modelVersion",
  "language",
  "ide",
  "userGroup",
  "windowSeconds",
  "prefix",
  "suffix",
  "proposal",
  "final",
] as const;

/** The first columns of an extracted line: what the pass itself needs of a suggestion. */
export interface RefinedHead {
  projectId: string;
  suggestionId: string;
  userId: string;
  /** The last refined event's time, as the engine writes DateTime64(3) (sorts as the time). */
  refinedAt: string;
  refinedEventId: string;
}
const HEAD_FIELDS = 5;

/** A whole extracted line. */
export interface RefinedSuggestion extends RefinedHead {
  acceptedAt: string;
  modelVersion: string;
  language: string;
  ide: string;
  userGroup: string;
  windowSeconds: number;
  prefix: string;
  suffix: string;
  proposal: string;
  final: string;
}

/** Extracted lines: the text, where each line starts (one more entry: the end), and each line's head. */
export interface RefinedLines {
  text: string;
  starts: number[];
  heads: RefinedHead[];
}

/** The lines of a TabSeparated answer (ending with a newline, or empty), reading only each line's head. */
export function scanRefinedLines(text: string): RefinedLines {
  const starts: number[] = [];
  const heads: RefinedHead[] = [];
  let at = 0;
  while (at < text.length) {
    const end = lineEnd(text, at);
    const fields: string[] = [];
    let from = at;
    for (let i = 0; i < HEAD_FIELDS; i++) {
      const tab = text.indexOf("\t", from);
      if (tab === -1 || tab > end) throw new Error(`refined suggestion ${heads.length + 1}: fewer than ${REFINED_COLUMNS.length} columns`);
      fields.push(tsvUnescape(text.slice(from, tab)));
      from = tab + 1;
    }
    starts.push(at);
    heads.push({ projectId: fields[0], suggestionId: fields[1], userId: fields[2], refinedAt: fields[3], refinedEventId: fields[4] });
    at = end + 1;
  }
  starts.push(text.length);
  return { text, starts, heads };
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf("\n", from);
  return end === -1 ? text.length : end;
}

/** The fields of each extracted line of `text`, as written (escaped). */
export function refinedLineFields(text: string): string[][] {
  const lines: string[][] = [];
  for (let at = 0; at < text.length;) {
    const end = lineEnd(text, at);
    const fields = text.slice(at, end).split("\t");
    if (fields.length !== REFINED_COLUMNS.length) {
      throw new Error(`refined suggestion ${lines.length + 1}: ${fields.length} columns, not ${REFINED_COLUMNS.length}`);
    }
    lines.push(fields);
    at = end + 1;
  }
  return lines;
}

/** An extracted line's fields read. */
export function refinedSuggestion(fields: readonly string[]): RefinedSuggestion {
  return {
    projectId: tsvUnescape(fields[0]),
    suggestionId: tsvUnescape(fields[1]),
    userId: tsvUnescape(fields[2]),
    refinedAt: fields[3],
    refinedEventId: fields[4],
    acceptedAt: fields[5],
    modelVersion: tsvUnescape(fields[6]),
    language: tsvUnescape(fields[7]),
    ide: tsvUnescape(fields[8]),
    userGroup: tsvUnescape(fields[9]),
    windowSeconds: Number(fields[10]),
    prefix: tsvUnescape(fields[11]),
    suffix: tsvUnescape(fields[12]),
    proposal: tsvUnescape(fields[13]),
    final: tsvUnescape(fields[14]),
  };
}

/** Every extracted line of `text` read whole. */
export function parseRefinedLines(text: string): RefinedSuggestion[] {
  return refinedLineFields(text).map(refinedSuggestion);
}

/** The four code texts of a suggestion or sample. */
export interface CodeTexts {
  prefix: string;
  suffix: string;
  proposal: string;
  final: string;
}

/** An extracted line's code texts as written (escaped), to be written again as they are when unchanged. */
export function escapedCode(fields: readonly string[]): CodeTexts {
  return { prefix: fields[11], suffix: fields[12], proposal: fields[13], final: fields[14] };
}

/** What the sample builder takes of an extracted suggestion. */
export function refinementInput(suggestion: RefinedSuggestion): RefinementInput {
  return {
    ...suggestion,
    refinedAt: fromClickhouseTime(suggestion.refinedAt),
    acceptedAt: fromClickhouseTime(suggestion.acceptedAt),
  };
}

/** Columns of a sample's row that the pass decides once the sample is built: last in REFINEMENT_SAMPLE_COLUMNS. */
export const PASS_COLUMNS = ["experiment_key", "variant_key", "outcome", "reasons", "processed_at"] as const;

/** A built sample: its row up to the pass's columns, and what the pass decides them by. */
export interface BuiltRow {
  /** TabSeparated values of every column before PASS_COLUMNS, each followed by a tab. */
  head: string;
  dedupeKey: string;
  outcome: Outcome;
  reasons: Reason[];
}

/**
 * A sample's row up to the pass's columns (an opted-out user's row keeps no code). A code text the sample
 * keeps as it was extracted (redaction found nothing in it, the target is the whole final) is written as
 * the extraction wrote it, without escaping it again.
 */
export function builtRow(
  sample: RefinementSample,
  refinedEventId: string,
  extracted?: { original: CodeTexts; escaped: CodeTexts },
): BuiltRow {
  const code = sample.outcome !== "opted_out";
  const escape = (field: keyof CodeTexts) =>
    !code ? "" : extracted && sample[field] === extracted.original[field] ? extracted.escaped[field] : tsvString(sample[field]);
  const final = escape("final");
  const target = !code ? "" : sample.target === sample.final ? final : tsvString(sample.target);
  const head =
    `${tsvString(sample.projectId ?? "")}\t${tsvString(sample.suggestionId)}\t${tsvString(sample.userId)}\t` +
    `${tsvString(sample.modelVersion)}\t${tsvString(sample.language ?? "")}\t${tsvString(sample.ide ?? "")}\t` +
    `${tsvString(sample.userGroup ?? "")}\t${escape("prefix")}\t${escape("suffix")}\t${escape("proposal")}\t` +
    `${final}\t${target}\t${sample.editDistance}\t${sample.editRatio}\t` +
    `${sample.retainedChars}\t${sample.linesAdded}\t${sample.linesRemoved}\t${sample.syntax}\t${sample.secretsFound}\t` +
    `${tsvString(sample.dedupeKey)}\t${sample.windowSeconds}\t${clickhouseTime(sample.acceptedAt ?? sample.refinedAt)}\t` +
    `${clickhouseTime(sample.refinedAt)}\t${tsvString(refinedEventId)}\t`;
  return { head, dedupeKey: sample.dedupeKey, outcome: sample.outcome, reasons: sample.reasons };
}

/** The insert's line of a built row, with the pass's columns. */
export function sampleLine(
  row: Pick<BuiltRow, "head">,
  pass: { experimentKey: string; variantKey: string; outcome: Outcome; reasons: readonly string[]; processedAt: string },
): string {
  const attribution = `${tsvString(pass.experimentKey)}\t${tsvString(pass.variantKey)}`;
  return `${row.head}${attribution}\t${pass.outcome}\t${tsvStringArray(pass.reasons)}\t${pass.processedAt}`;
}

/** The columns of `builtRow`'s head, in its order (tests hold the two together). */
export const BUILT_COLUMNS = REFINEMENT_SAMPLE_COLUMNS.slice(0, REFINEMENT_SAMPLE_COLUMNS.length - PASS_COLUMNS.length);
