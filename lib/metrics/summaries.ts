import type { CupedRatioSummary } from "../stats";
import { DAY_MS, isoDay } from "../time";
import type { UserDayTable } from "./userDayTable";
import type { RatioValues } from "./values";

// Per-variant sufficient statistics of a ratio metric from per-user sums. Pure. Every metric
// is a ratio of per-user sums, because the user is the unit of randomization: the delta method then
// gives honest variances however unevenly active users are.

interface UserValues {
  x: number;
  y: number;
  x0: number;
  y0: number;
}

export function emptySummary(): CupedRatioSummary {
  return {
    users: 0,
    sumX: 0,
    sumY: 0,
    sumX2: 0,
    sumY2: 0,
    sumXY: 0,
    sumX0: 0,
    sumY0: 0,
    sumX02: 0,
    sumY02: 0,
    sumX0Y0: 0,
    sumXX0: 0,
    sumXY0: 0,
    sumYX0: 0,
    sumYY0: 0,
  };
}

/** Adds one user to a variant's sufficient statistics. */
function addUser(summary: CupedRatioSummary, v: UserValues, metric: RatioValues) {
  // A per-user mean counts every exposed user once in the denominator, also before exposure.
  const y = metric.denominator === "per_user" ? 1 : v.y;
  const y0 = metric.denominator === "per_user" ? 1 : v.y0;
  summary.users += 1;
  summary.sumX += v.x;
  summary.sumY += y;
  summary.sumX2 += v.x * v.x;
  summary.sumY2 += y * y;
  summary.sumXY += v.x * y;
  summary.sumX0 += v.x0;
  summary.sumY0 += y0;
  summary.sumX02 += v.x0 * v.x0;
  summary.sumY02 += y0 * y0;
  summary.sumX0Y0 += v.x0 * y0;
  summary.sumXX0 += v.x * v.x0;
  summary.sumXY0 += v.x * y0;
  summary.sumYX0 += y * v.x0;
  summary.sumYY0 += y * y0;
}

/** Adds `count` exposed users without activity (all values zero; denominator 1 for per-user means). */
export function addSilentUsers(summary: CupedRatioSummary, count: number, metric: RatioValues) {
  if (count <= 0) return;
  summary.users += count;
  if (metric.denominator === "per_user") {
    summary.sumY += count;
    summary.sumY2 += count;
    summary.sumY0 += count;
    summary.sumY02 += count;
    summary.sumYY0 += count;
  }
}

/**
 * Per-variant sufficient statistics over `exposedUsers[variant]` users: those with rows contribute
 * their sums, the others (exposed, no activity in the window) contribute zeros.
 */
export function variantSummaries(
  rows: UserDayTable,
  metric: RatioValues,
  exposedUsers: Map<string, number>,
): Map<string, CupedRatioSummary> {
  const active = activeUserSummaries(rows, metric);
  const out = new Map<string, CupedRatioSummary>();
  for (const [variant, exposed] of exposedUsers) {
    const summary = active.get(variant) ?? emptySummary();
    addSilentUsers(summary, exposed - summary.users, metric);
    out.set(variant, summary);
  }
  return out;
}

/** The pooled value of a summary (rate, per-user mean): ΣX / ΣY. */
export function pooled(summary: { sumX: number; sumY: number }): number | null {
  return summary.sumY > 0 ? summary.sumX / summary.sumY : null;
}

/**
 * Each (variant, user) pair's rows summed into post- and pre-exposure parts: pair k's sums at
 * [k·width, (k+1)·width) of `post` and `pre`. Every metric is linear in the parts.
 */
interface PartSums {
  pairs: number;
  /** Per pair, its variant's index in the table's variants. */
  variant: Uint32Array;
  post: Float64Array;
  pre: Float64Array;
}

/** The part sums of the rows of one segment value (its index in the table's segments), or of all rows (−1). */
function userPartSums(table: UserDayTable, segment: number): PartSums {
  const { width, length } = table;
  const users = table.userIds.length;
  const pre = table.days.indexOf("pre");
  // a user may have rows in several variants (exposed more than once): the pair, not the user, is the key
  const pairOf = new Int32Array(table.variants.length * users).fill(-1);
  let pairs = 0;
  for (let r = 0; r < length; r++) {
    if (segment >= 0 && table.segment[r] !== segment) continue;
    const key = table.variant[r] * users + table.user[r];
    if (pairOf[key] < 0) pairOf[key] = pairs++;
  }
  const parts: PartSums = {
    pairs,
    variant: new Uint32Array(pairs),
    post: new Float64Array(pairs * width),
    pre: new Float64Array(pairs * width),
  };
  for (let r = 0; r < length; r++) {
    if (segment >= 0 && table.segment[r] !== segment) continue;
    const pair = pairOf[table.variant[r] * users + table.user[r]];
    parts.variant[pair] = table.variant[r];
    const into = table.day[r] === pre ? parts.pre : parts.post;
    for (let k = 0, from = r * width, to = pair * width; k < width; k++) into[to + k] += table.sums[from + k];
  }
  return parts;
}

// Results evaluate several metrics (the requested one, guardrails) over the same rows: sum them once.
const partSumsCache = new WeakMap<UserDayTable, Map<number, PartSums>>();

/**
 * Per variant, the sufficient statistics of the users with rows (of one segment value, its index in the
 * table's segments, or of all rows: −1); variants without rows are absent.
 */
export function activeUserSummaries(table: UserDayTable, metric: RatioValues, segment = -1): Map<string, CupedRatioSummary> {
  let cached = partSumsCache.get(table);
  if (!cached) partSumsCache.set(table, (cached = new Map()));
  let parts = cached.get(segment);
  if (!parts) cached.set(segment, (parts = userPartSums(table, segment)));
  const bySlot = table.variants.map(() => null as CupedRatioSummary | null);
  const values: UserValues = { x: 0, y: 0, x0: 0, y0: 0 };
  const perUser = metric.denominator === "per_user" ? null : metric.denominator;
  for (let pair = 0; pair < parts.pairs; pair++) {
    const at = pair * table.width;
    values.x = metric.numerator(parts.post, at);
    values.y = perUser ? perUser(parts.post, at) : 0;
    values.x0 = metric.numerator(parts.pre, at);
    values.y0 = perUser ? perUser(parts.pre, at) : 0;
    addUser((bySlot[parts.variant[pair]] ??= emptySummary()), values, metric);
  }
  const out = new Map<string, CupedRatioSummary>();
  bySlot.forEach((summary, slot) => summary && out.set(table.variants[slot], summary));
  return out;
}

export interface DailyPoint {
  date: string;
  variant: string;
  /** That day's pooled value (ΣX/ΣY over the day's events). */
  daily: number | null;
  /** Cumulative sufficient statistics up to and including the day (users exposed by then). */
  cumulative: CupedRatioSummary;
}

/**
 * What one day adds to a variant's cumulative (X, Y) moments of a ratio metric: its users' new sums, and
 * for the users active that day the change of their cumulative x², xy and y² (a user's running totals
 * replace their earlier contribution).
 */
export interface SeriesStep {
  variant: string;
  day: string;
  /** Users whose first active day of the window this is. */
  newUsers: number;
  dx: number;
  dy: number;
  dX2: number;
  dXY: number;
  dY2: number;
}

/**
 * Each day's step from the users' days (rows with `series`, each row's days in any order; `firstDay`: the
 * window's first UTC day, in ms): one pass over every user's days in day order, whatever the number of
 * users and days.
 */
export function seriesSteps(rows: UserDayTable, firstDay: number): SeriesStep[] {
  if (!rows.series) return [];
  const { days, x: xs, y: ys } = rows.series;
  let dayCount = 0;
  for (let i = 0; i < days.start[rows.length]; i++) dayCount = Math.max(dayCount, days.values[i] + 1);
  // per (variant, day) slot its six fields, accumulated in one typed array: objects' fields updated with
  // fractional values would box every result
  const FIELDS = 6;
  const slots = new Float64Array(rows.variants.length * dayCount * FIELDS);
  const seen = new Uint8Array(rows.variants.length * dayCount);
  let order = new Uint32Array(64);
  for (let r = 0; r < rows.length; r++) {
    const variantSlot = rows.variant[r] * dayCount;
    const first = days.start[r];
    const count = days.start[r + 1] - first;
    if (order.length < count) order = new Uint32Array(count * 2);
    const entries = dayOrder(days.values, first, count, order);
    let x = 0;
    let y = 0;
    for (let k = 0; k < count; k++) {
      const i = first + entries[k];
      const slot = variantSlot + days.values[i];
      const at = slot * FIELDS;
      seen[slot] = 1;
      if (k === 0) slots[at]++;
      const j = xs.start[r] + entries[k];
      const dx = xs.values[j];
      const dy = ys.values[j];
      const nextX = x + dx;
      const nextY = y + dy;
      slots[at + 1] += dx;
      slots[at + 2] += dy;
      slots[at + 3] += nextX * nextX - x * x;
      slots[at + 4] += nextX * nextY - x * y;
      slots[at + 5] += nextY * nextY - y * y;
      x = nextX;
      y = nextY;
    }
  }
  const steps: SeriesStep[] = [];
  rows.variants.forEach((variant, v) => {
    for (let day = 0; day < dayCount; day++) {
      const slot = v * dayCount + day;
      if (!seen[slot]) continue;
      const [newUsers, dx, dy, dX2, dXY, dY2] = slots.subarray(slot * FIELDS, (slot + 1) * FIELDS);
      steps.push({ variant, day: isoDay(firstDay + day * DAY_MS), newUsers, dx, dy, dX2, dXY, dY2 });
    }
  });
  return steps;
}

/**
 * The offsets 0…count−1 of one row's days (values[first…first+count)) in ascending day order, in `into`:
 * an insertion sort, since a user has a few days and they mostly come in order already.
 */
function dayOrder(values: ArrayLike<number>, first: number, count: number, into: Uint32Array): Uint32Array {
  for (let k = 0; k < count; k++) {
    const day = values[first + k];
    let at = k;
    while (at > 0 && values[first + into[at - 1]] > day) {
      into[at] = into[at - 1];
      at--;
    }
    into[at] = k;
  }
  return into;
}

/**
 * Cumulative per-variant statistics day by day from each day's step, exposed users without activity
 * yet counted as zeros. The series is not CUPED-adjusted, so only the (X, Y) moments are kept.
 */
export function dailySeries(
  steps: SeriesStep[],
  metric: RatioValues,
  variants: string[],
  exposedByDay: (variant: string, date: string) => number,
): DailyPoint[] {
  const perUserMean = metric.denominator === "per_user";
  const byKey = new Map(steps.map((step) => [`${step.variant}\t${step.day}`, step]));
  const days = [...new Set(steps.filter((step) => variants.includes(step.variant)).map((step) => step.day))].sort();
  const running = new Map(variants.map((v) => [v, { summary: emptySummary(), seen: 0 }]));
  const points: DailyPoint[] = [];
  for (const date of days) {
    for (const variant of variants) {
      const state = running.get(variant)!;
      const step = byKey.get(`${variant}\t${date}`);
      const s = state.summary;
      if (step) {
        state.seen += step.newUsers;
        s.users += step.newUsers;
        s.sumX += step.dx;
        s.sumX2 += step.dX2;
        if (perUserMean) {
          // a per-user mean counts the user once in the denominator: y = 1 from the first active day
          s.sumY += step.newUsers;
          s.sumY2 += step.newUsers;
          s.sumXY += step.dx;
        } else {
          s.sumY += step.dy;
          s.sumY2 += step.dY2;
          s.sumXY += step.dXY;
        }
      }
      const cumulative = { ...s };
      addSilentUsers(cumulative, exposedByDay(variant, date) - state.seen, metric);
      const daily = perUserMean || !step ? null : step.dy > 0 ? step.dx / step.dy : null;
      points.push({ date, variant, daily, cumulative });
    }
  }
  return points;
}
