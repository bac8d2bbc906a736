/**
 * Trimming a refinement's final text to the target: what the model should have produced at the cursor.
 *
 * The IDE reports the proposal (inserted between `prefix` and `suffix`) and the final state of the edited
 * region after the refinement window. That region may have grown over its surroundings: a client that
 * captures whole lines sends a final that starts with the cursor line's beginning (the end of `prefix`)
 * and ends with the rest of the last line (the start of `suffix`). Those characters are context the model
 * was given, not output it should have produced, so they are stripped. Pure and deterministic.
 *
 * The rule, in order:
 *
 * 1. No context sent (`prefix` and `suffix` empty or absent): target = final.
 * 2. Prefix: `p` = the largest k ≤ min(|prefix|, |final|) such that
 *    a. `final` starts with the last k characters of `prefix` (the prefix's tail overlaps the final's head,
 *       exactly: the longest common prefix of the final with a tail of the prefix that covers it whole);
 *    b. those k characters start a line of the prefix (k = |prefix|, or the character before them is a
 *       newline): context comes back as whole lines, so a one-character coincidence (`=` then ` `, `(` then
 *       `(`) is not mistaken for context;
 *    and the final's common prefix with the proposal is shorter than k: otherwise the final merely begins
 *    the way the model's own output did (a proposal starting with `\n` after a prefix ending in `\n`), and
 *    nothing is stripped (p = 0).
 * 3. Suffix, on what the prefix step left (`rest`): `s` = the largest k ≤ min(|suffix|, |rest|) such that
 *    `rest` ends with the first k characters of `suffix`, those end a line of the suffix (k = |suffix|, or
 *    the next character is a newline), and the rest's common suffix with the proposal is shorter than k (a
 *    proposal that itself ends with the `)` the suffix starts with keeps it).
 * 4. Overlapping prefix and suffix: the prefix step runs first and the suffix step only sees the rest, so
 *    the two never strip the same character; a final made of context only (the user deleted the
 *    completion and the client captured the surrounding lines) trims to "".
 * 5. A final shorter than the context: the overlaps are bounded by the final's length, so a final that is
 *    the context's last line(s) trims to "" and a short final without such overlap is kept whole.
 *
 * Matching is exact, character by character (UTF-16 code units). When the user edited the captured context
 * itself (`const x =` → `let x =` on the captured line), no exact overlap exists on that side and the
 * edited context stays in the target. Stripping only up to the edit would leave a target that, inserted at
 * the cursor, duplicates the context (`const x = x = …`); keeping it whole leaves a larger edit ratio,
 * which the outcome's noise threshold then judges.
 */

export interface TrimInput {
  prefix?: string;
  suffix?: string;
  proposal: string;
  final: string;
}

export interface TrimResult {
  /** The final without the context it repeats: the sample's training target. */
  target: string;
  /** Characters stripped from the final's start (an overlap with the prefix's tail). */
  strippedPrefix: number;
  /** Characters stripped from the final's end (an overlap with the suffix's head). */
  strippedSuffix: number;
}

/** Length of the longest common prefix of `a` and `b`. */
export function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Length of the longest common suffix of `a` and `b`. */
export function commonSuffixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}

/**
 * Every k ≤ min(|head|, |text|), largest first, such that `text` starts with the last k characters of
 * `head`, in linear time: Knuth–Morris–Pratt matching of `text` over the tail of `head`. The match length
 * left at the end of the scan is the longest such k; the others are its borders (the failure chain).
 */
export function overlapsAtStart(head: string, text: string): number[] {
  const m = Math.min(head.length, text.length);
  if (m === 0) return [];
  const failure = prefixFunction(text, m);
  let j = 0;
  for (let i = head.length - m; i < head.length; i++) {
    const c = head.charCodeAt(i);
    while (j > 0 && (j === m || c !== text.charCodeAt(j))) j = failure[j - 1];
    if (c === text.charCodeAt(j)) j++;
  }
  const overlaps: number[] = [];
  for (; j > 0; j = failure[j - 1]) overlaps.push(j);
  return overlaps;
}

/** The largest k such that `text` starts with the last k characters of `head` (0 when none). */
export function overlapAtStart(head: string, text: string): number {
  return overlapsAtStart(head, text)[0] ?? 0;
}

/**
 * Every k ≤ min(|tail|, |text|), largest first, such that `text` ends with the first k characters of
 * `tail`: `overlapsAtStart` of the two texts reversed, reading them backwards instead of copying them.
 */
export function overlapsAtEnd(text: string, tail: string): number[] {
  const m = Math.min(tail.length, text.length);
  if (m === 0) return [];
  const last = text.length - 1;
  // The prefix function of the text's last m characters, read backwards.
  const failure = new Int32Array(m);
  for (let i = 1, k = 0; i < m; i++) {
    const c = text.charCodeAt(last - i);
    while (k > 0 && c !== text.charCodeAt(last - k)) k = failure[k - 1];
    if (c === text.charCodeAt(last - k)) k++;
    failure[i] = k;
  }
  let j = 0;
  for (let i = m - 1; i >= 0; i--) {
    const c = tail.charCodeAt(i);
    while (j > 0 && (j === m || c !== text.charCodeAt(last - j))) j = failure[j - 1];
    if (c === text.charCodeAt(last - j)) j++;
  }
  const overlaps: number[] = [];
  for (; j > 0; j = failure[j - 1]) overlaps.push(j);
  return overlaps;
}

/** The largest k such that `text` ends with the first k characters of `tail` (0 when none). */
export function overlapAtEnd(text: string, tail: string): number {
  return overlapsAtEnd(text, tail)[0] ?? 0;
}

/** KMP's prefix function of the first `m` characters of `s`: for each i, the longest proper border of s[0..i]. */
function prefixFunction(s: string, m: number): Int32Array {
  const pi = new Int32Array(m);
  for (let i = 1, k = 0; i < m; i++) {
    const c = s.charCodeAt(i);
    while (k > 0 && c !== s.charCodeAt(k)) k = pi[k - 1];
    if (c === s.charCodeAt(k)) k++;
    pi[i] = k;
  }
  return pi;
}

function isNewline(code: number): boolean {
  return code === 10 || code === 13;
}

/** The largest overlap (largest first in `overlaps`) longer than `explained` that starts a line of the prefix. */
function prefixOverlap(prefix: string, overlaps: readonly number[], explained: number): number {
  for (const k of overlaps) if (k > explained && (k === prefix.length || isNewline(prefix.charCodeAt(prefix.length - k - 1)))) return k;
  return 0;
}

/** The largest overlap longer than `explained` that ends a line of the suffix. */
function suffixOverlap(suffix: string, overlaps: readonly number[], explained: number): number {
  for (const k of overlaps) if (k > explained && (k === suffix.length || isNewline(suffix.charCodeAt(k)))) return k;
  return 0;
}

/** The target of a refinement: `final` less the context it repeats at either end (rule above). */
export function trimToTarget({ prefix = "", suffix = "", proposal, final }: TrimInput): TrimResult {
  const strippedPrefix = prefixOverlap(prefix, overlapsAtStart(prefix, final), commonPrefixLength(final, proposal));
  const rest = strippedPrefix ? final.slice(strippedPrefix) : final;
  const strippedSuffix = suffixOverlap(suffix, overlapsAtEnd(rest, suffix), commonSuffixLength(rest, proposal));
  return { target: strippedSuffix ? rest.slice(0, rest.length - strippedSuffix) : rest, strippedPrefix, strippedSuffix };
}
