// Whether two results answers agree: the scale benchmark asks the same question of the same events in
// different states of the rollup (not built, fresh, with tails, mid-rebuild) and the answers must be the
// same. Numbers agree within a relative tolerance (sums and counts are exact; statistics computed from
// them in another order may differ in their last bits); everything else must be equal.

/** How far two answers are apart: the largest relative difference of their numbers, and where they first disagree. */
export interface AnswerDifference {
  agree: boolean;
  /** max |a − b| / max(|a|, |b|) over the numbers of both (0 when every number is equal). */
  largestRelativeDifference: number;
  /** The first place they disagree (a path such as `variants[1].lift.pValue`), or null. */
  firstDisagreement: string | null;
}

/** Relative differences up to this are agreement (the scale issue asks for statistics equal to 1e-9). */
export const ANSWER_TOLERANCE = 1e-9;

/** The relative difference of two numbers: 0 when equal (both NaN counts as equal), else |a − b| / max(|a|, |b|). */
export function relativeDifference(a: number, b: number): number {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

/** Compares two JSON-like answers (objects, arrays, numbers, strings, booleans, null). */
export function compareAnswers(a: unknown, b: unknown, tolerance = ANSWER_TOLERANCE): AnswerDifference {
  let largest = 0;
  let first: string | null = null;
  const disagree = (path: string) => {
    first ??= path || "(the answer)";
  };
  const walk = (x: unknown, y: unknown, path: string) => {
    if (typeof x === "number" && typeof y === "number") {
      const difference = relativeDifference(x, y);
      largest = Math.max(largest, difference);
      if (difference > tolerance) disagree(path);
      return;
    }
    if (Array.isArray(x) || Array.isArray(y)) {
      if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return disagree(path);
      x.forEach((item, i) => walk(item, y[i], `${path}[${i}]`));
      return;
    }
    if (x !== null && y !== null && typeof x === "object" && typeof y === "object") {
      const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
      for (const key of keys) {
        const next = path ? `${path}.${key}` : key;
        if (!(key in x) || !(key in y)) disagree(next);
        else walk((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key], next);
      }
      return;
    }
    if (x !== y) disagree(path);
  };
  walk(a, b, "");
  return { agree: first === null, largestRelativeDifference: largest, firstDisagreement: first };
}
