/**
 * How far a refinement moved from the proposal: measures of (proposal, target). Pure and deterministic.
 *
 * Lengths are JavaScript string lengths (UTF-16 code units), like the events' character counts.
 *
 * - `editDistance`: Levenshtein distance (insertions, deletions and substitutions of one character, each
 *   costing 1), computed with `fastest-levenshtein` (Myers' bit-parallel algorithm).
 * - `editRatio`: editDistance / max(|proposal|, |target|, 1), in [0, 1]: 0 for an unchanged proposal, 1 for
 *   a complete rewrite (or an empty target).
 * - `retainedChars`: characters of the proposal kept in the target, in order: the length of their longest
 *   common subsequence (LCS), computed with the bit-parallel LCS-length algorithm (Allison & Dix 1986, in
 *   Hyyrö's formulation V' = (V + U) | (V − U), U = V & Peq[c]), which costs |target| · ⌈|proposal| / 32⌉
 *   word operations. Characters the user moved elsewhere do not count. Within `retainedDiffBudget` (counted
 *   in character pairs, |proposal| · |target|) the count is exact; beyond it (large, mostly rewritten texts)
 *   it falls back to a lower bound: the larger of (common prefix + common suffix) and
 *   (|proposal| − editDistance), since each Levenshtein operation loses at most one character of the proposal.
 * - `linesAdded` / `linesRemoved`: `+` and `-` lines of a shortest line diff (lines with their newline as
 *   tokens, as `diff`'s `diffLines`): the target's and the proposal's lines less their longest common
 *   subsequence of lines, which every shortest diff keeps (the same bit-parallel LCS, over line numbers). A
 *   changed line counts once in each, and so does a last line that only gained or lost its newline.
 * - `unifiedDiff`: a unified diff from `proposal` to `target` (`diff`'s `structuredPatch`) with file
 *   headers only (`--- proposal` / `+++ target`), "" when the texts are equal. Computed when a sample is
 *   shown, not stored: it follows from the two texts.
 */
import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from "diff";
import { distance } from "fastest-levenshtein";
import { DEFAULT_REFINEMENT_CONFIG, type RefinementConfig } from "./config";
import { commonPrefixLength, commonSuffixLength } from "./trim";

export interface RefinementMeasures {
  editDistance: number;
  editRatio: number;
  retainedChars: number;
  /** False when the character diff exceeded its budget and `retainedChars` is the prefix + suffix lower bound. */
  retainedExact: boolean;
  linesAdded: number;
  linesRemoved: number;
}

/** Levenshtein distance between two texts (unit costs). */
export function editDistance(a: string, b: string): number {
  return a === b ? 0 : distance(a, b);
}

/** Edit distance normalized by the longer text: distance / max(|a|, |b|, 1). */
export function editRatio(editDistanceValue: number, a: string, b: string): number {
  return editDistanceValue / Math.max(a.length, b.length, 1);
}

/** Characters of `proposal` kept, in order, in `target`: their LCS length, or a lower bound past the budget. */
export function retainedChars(
  proposal: string,
  target: string,
  budget: number = DEFAULT_REFINEMENT_CONFIG.retainedDiffBudget,
  distanceValue?: number,
): { retainedChars: number; exact: boolean } {
  if (proposal === target) return { retainedChars: proposal.length, exact: true };
  if (proposal.length * target.length > budget) {
    // Lower bounds of the LCS: the common prefix and suffix are kept, and each Levenshtein operation
    // loses at most one character of the proposal.
    const head = commonPrefixLength(proposal, target);
    const tail = commonSuffixLength(proposal.slice(head), target.slice(head));
    const byDistance = proposal.length - (distanceValue ?? editDistance(proposal, target));
    return { retainedChars: Math.max(head + tail, byDistance), exact: false };
  }
  return { retainedChars: lcsLength(proposal, target), exact: true };
}

/**
 * Length of the longest common subsequence of two texts, bit-parallel (see the header). The same algorithm as
 * lcsLengthOfCodes, reading each text's code units in place: copying them out first took twice as long,
 * and this runs for every sample.
 */
export function lcsLength(a: string, b: string): number {
  const m = a.length;
  if (m === 0 || b.length === 0) return 0;
  const words = (m + 31) >>> 5;
  // Peq[c]: the positions of character c in a, as a bit vector.
  const peq = new Map<number, Uint32Array>();
  for (let i = 0; i < m; i++) {
    const code = a.charCodeAt(i);
    let bits = peq.get(code);
    if (!bits) peq.set(code, (bits = new Uint32Array(words)));
    bits[i >>> 5] |= 1 << (i & 31);
  }
  return lcsFromPeq(peq, words, m, b.length, (j) => b.charCodeAt(j));
}

/** Length of the longest common subsequence of two sequences of symbols (numbers), bit-parallel. */
export function lcsLengthOfCodes(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const m = a.length;
  if (m === 0 || b.length === 0) return 0;
  const words = (m + 31) >>> 5;
  const peq = new Map<number, Uint32Array>();
  for (let i = 0; i < m; i++) {
    let bits = peq.get(a[i]);
    if (!bits) peq.set(a[i], (bits = new Uint32Array(words)));
    bits[i >>> 5] |= 1 << (i & 31);
  }
  return lcsFromPeq(peq, words, m, b.length, (j) => b[j]);
}

/** The bit-parallel LCS's pass over b (Hyyrö's V' = (V + U) | (V − U), U = V & Peq[b_j]), given a's Peq. */
function lcsFromPeq(peq: Map<number, Uint32Array>, words: number, m: number, n: number, bAt: (j: number) => number): number {
  const v = new Uint32Array(words).fill(0xffffffff);
  for (let j = 0; j < n; j++) {
    const bits = peq.get(bAt(j));
    if (!bits) continue;
    let carry = 0;
    for (let w = 0; w < words; w++) {
      const vw = v[w];
      const u = (vw & bits[w]) >>> 0;
      const sum = vw + u + carry; // up to 2^33 − 1: exact in a double
      carry = sum > 0xffffffff ? 1 : 0;
      v[w] = (sum >>> 0) | (vw - u);
    }
  }
  // Each zero bit among the first m is one symbol of a in the LCS.
  let zeros = 0;
  for (let i = 0; i < m; i++) if ((v[i >>> 5] & (1 << (i & 31))) === 0) zeros++;
  return zeros;
}

/** Each line of the two texts (with its newline, if any) as a number, equal lines the same number. */
function lineSymbols(a: string, b: string): [number[], number[]] {
  const ids = new Map<string, number>();
  const symbols = (text: string) => {
    const out: number[] = [];
    for (let at = 0; at < text.length;) {
      const newline = text.indexOf("\n", at);
      const end = newline === -1 ? text.length : newline + 1;
      const line = text.slice(at, end);
      let id = ids.get(line);
      if (id === undefined) ids.set(line, (id = ids.size));
      out.push(id);
      at = end;
    }
    return out;
  };
  return [symbols(a), symbols(b)];
}

/** Lines added and removed from `proposal` to `target` (see the header). */
export function lineChanges(proposal: string, target: string): { linesAdded: number; linesRemoved: number } {
  if (proposal === target) return { linesAdded: 0, linesRemoved: 0 };
  const [before, after] = lineSymbols(proposal, target);
  const kept = lcsLengthOfCodes(before, after);
  return { linesAdded: after.length - kept, linesRemoved: before.length - kept };
}

/** The unified diff from `proposal` to `target`, "" when they are equal (see the header). */
export function unifiedDiff(proposal: string, target: string, contextLines: number = DEFAULT_REFINEMENT_CONFIG.diffContextLines): string {
  if (proposal === target) return "";
  const patch = structuredPatch("proposal", "target", proposal, target, undefined, undefined, { context: contextLines });
  return formatPatch(patch, FILE_HEADERS_ONLY);
}

/** All measures of a refinement: the proposal against its target. */
export function measureRefinement(
  proposal: string,
  target: string,
  config: RefinementConfig = DEFAULT_REFINEMENT_CONFIG,
): RefinementMeasures {
  const distanceValue = editDistance(proposal, target);
  const retained = retainedChars(proposal, target, config.retainedDiffBudget, distanceValue);
  return {
    editDistance: distanceValue,
    editRatio: editRatio(distanceValue, proposal, target),
    retainedChars: retained.retainedChars,
    retainedExact: retained.exact,
    ...lineChanges(proposal, target),
  };
}
