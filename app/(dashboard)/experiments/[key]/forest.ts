// The shared axis of a forest plot: every row's interval on one scale, with round ticks.

export interface ForestScale {
  min: number;
  max: number;
  ticks: number[];
}

/** Axis limits: intervals wider than this (a young experiment's) are cut at the edge and drawn with an arrow. */
const LIMIT = 1;

/** A round step (1, 2 or 5 × 10ᵏ) giving about `count` ticks over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/** The scale of a set of intervals: 0 always inside, a small margin, round ticks, at most ±100%. */
export function forestScale(intervals: readonly (readonly [number, number])[], fallback = 0.05): ForestScale {
  let lo = Math.min(0, ...intervals.map((i) => i[0]).filter(Number.isFinite));
  let hi = Math.max(0, ...intervals.map((i) => i[1]).filter(Number.isFinite));
  lo = Math.max(-LIMIT, lo);
  hi = Math.min(LIMIT, hi);
  if (hi - lo < 2 * fallback) {
    lo = Math.min(lo, -fallback);
    hi = Math.max(hi, fallback);
  }
  const step = niceStep(hi - lo, 4);
  const min = Math.floor((lo - (hi - lo) * 0.04) / step) * step;
  const max = Math.ceil((hi + (hi - lo) * 0.04) / step) * step;
  const ticks: number[] = [];
  for (let t = min; t <= max + step / 2; t += step) ticks.push(Math.round(t / step) * step);
  return { min, max, ticks };
}

/** Position of a value on an axis `width` pixels wide (clamped to it). */
export function forestX(scale: ForestScale, value: number, width: number, pad = 18): number {
  const clamped = Math.max(scale.min, Math.min(scale.max, value));
  return pad + ((clamped - scale.min) / (scale.max - scale.min)) * (width - 2 * pad);
}
