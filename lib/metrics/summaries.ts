import type { CupedRatioSummary } from "../stats";
import { DAY_MS, isoDay } from "../time";
import type { RatioValues, Sums } from "./values";

// Per-variant sufficient statistics of a ratio metric from per-user sums. Pure. Every metric
// is a ratio of per-user sums, because the user is the unit of randomization: the delta method then
// gives honest variances however unevenly active users are.

/** A user's sums over a period (or a day) that every ratio metric is derived from. */
export interface UserDayRow {
  variant: string;
  userId: string;
  /** The user's dense index within one answer (0, 1, 2, …): lets per-user state live in arrays. */
  user: number;
  /** "post" for the window after the user's first exposure, "pre" for the CUPED lookback before it. */
  day: string;
  segment: string;
  /** The sums of the request's layout (SUM_KEYS order; see lib/metrics/values.ts). */
  sums: Float64Array;
  /**
   * For the day-by-day series of one metric (post rows): the user's days after exposure, ascending, as
   * indexes from the window's first day, with that day's numerator and denominator.
   */
  series?: { days: number[]; x: number[]; y: number[] };
  /**
   * For the latency quantile (post rows): the user's latencies, those in buckets below the variant's
   * window of buckets, and the count in each bucket of the window (lib/results/latencyWindow.ts).
   */
  latency?: { n: number; below: number; at: number[] };
}

export interface UserValues {
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

/** Adds one user to a variant's sufficient statistics (sign −1 takes a user's earlier values out again). */
export function addUser(summary: CupedRatioSummary, v: UserValues, metric: RatioValues, sign: 1 | -1 = 1) {
  // A per-user mean counts every exposed user once in the denominator, also before exposure.
  const y = metric.denominator === "per_user" ? 1 : v.y;
  const y0 = metric.denominator === "per_user" ? 1 : v.y0;
  const x = sign * v.x;
  const x0 = sign * v.x0;
  summary.users += sign;
  summary.sumX += x;
  summary.sumY += sign * y;
  summary.sumX2 += x * v.x;
  summary.sumY2 += sign * y * y;
  summary.sumXY += x * y;
  summary.sumX0 += x0;
  summary.sumY0 += sign * y0;
  summary.sumX02 += x0 * v.x0;
  summary.sumY02 += sign * y0 * y0;
  summary.sumX0Y0 += x0 * y0;
  summary.sumXX0 += x * v.x0;
  summary.sumXY0 += x * y0;
  summary.sumYX0 += sign * y * v.x0;
  summary.sumYY0 += sign * y * y0;
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
  rows: UserDayRow[],
  metric: RatioValues,
  exposedUsers: Map<string, number>,
): Map<string, CupedRatioSummary> {
  const perUser = groupByVariantAndUser(rows, metric);
  const out = new Map<string, CupedRatioSummary>();
  for (const [variant, exposed] of exposedUsers) {
    const summary = emptySummary();
    const users = perUser.get(variant) ?? new Map<string, UserValues>();
    for (const values of users.values()) addUser(summary, values, metric);
    addSilentUsers(summary, exposed - users.size, metric);
    out.set(variant, summary);
  }
  return out;
}

/** The pooled value of a summary (rate, per-user mean): ΣX / ΣY. */
export function pooled(summary: { sumX: number; sumY: number }): number | null {
  return summary.sumY > 0 ? summary.sumX / summary.sumY : null;
}

function addSums(into: Float64Array, row: Sums) {
  for (let i = 0; i < into.length; i++) into[i] += row[i];
}

type UserParts = { userId: string; post: Float64Array; pre: Float64Array };

/**
 * Each user's rows summed into post- and pre-exposure parts, per variant, indexed by the row's user
 * index. Every metric is linear in the parts.
 */
function userPartSums(rows: UserDayRow[]): Map<string, UserParts[]> {
  const out = new Map<string, UserParts[]>();
  for (const row of rows) {
    const users = out.get(row.variant) ?? out.set(row.variant, []).get(row.variant)!;
    const width = row.sums.length;
    const sums = (users[row.user] ??= { userId: row.userId, post: new Float64Array(width), pre: new Float64Array(width) });
    addSums(row.day === "pre" ? sums.pre : sums.post, row.sums);
  }
  return out;
}

// Results evaluate several metrics (the requested one, guardrails) over the same rows: sum them once.
const partSumsCache = new WeakMap<UserDayRow[], ReturnType<typeof userPartSums>>();

/** Per-user values keyed by variant, for rows of one segment value or all rows. */
export function groupByVariantAndUser(rows: UserDayRow[], metric: RatioValues): Map<string, Map<string, UserValues>> {
  let sums = partSumsCache.get(rows);
  if (!sums) partSumsCache.set(rows, (sums = userPartSums(rows)));
  const perUser = metric.denominator === "per_user" ? () => 0 : metric.denominator;
  const out = new Map<string, Map<string, UserValues>>();
  for (const [variant, users] of sums) {
    const values = new Map<string, UserValues>();
    // forEach skips the holes of the sparse per-index array (users of other variants)
    users.forEach(({ userId, post, pre }) =>
      values.set(userId, { x: metric.numerator(post), y: perUser(post), x0: metric.numerator(pre), y0: perUser(pre) }),
    );
    out.set(variant, values);
  }
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
 * Each day's step from the users' days (rows with `series`; `firstDay`: the window's first UTC day, in
 * ms): one pass over every user's days in order, whatever the number of users and days.
 */
export function seriesSteps(rows: UserDayRow[], firstDay: number): SeriesStep[] {
  // per variant, its steps by day index (a string key per user and day cost more than the sums)
  const byVariant = new Map<string, SeriesStep[]>();
  for (const row of rows) {
    if (!row.series) continue;
    const { days, x: xs, y: ys } = row.series;
    let steps = byVariant.get(row.variant);
    if (!steps) byVariant.set(row.variant, (steps = []));
    let x = 0;
    let y = 0;
    for (let i = 0; i < days.length; i++) {
      const step = (steps[days[i]] ??= {
        variant: row.variant,
        day: isoDay(firstDay + days[i] * DAY_MS),
        newUsers: 0,
        dx: 0,
        dy: 0,
        dX2: 0,
        dXY: 0,
        dY2: 0,
      });
      if (i === 0) step.newUsers++;
      const nextX = x + xs[i];
      const nextY = y + ys[i];
      step.dx += xs[i];
      step.dy += ys[i];
      step.dX2 += nextX * nextX - x * x;
      step.dXY += nextX * nextY - x * y;
      step.dY2 += nextY * nextY - y * y;
      x = nextX;
      y = nextY;
    }
  }
  return [...byVariant.values()].flatMap((steps) => steps.filter((step) => step !== undefined));
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
