// Quantile metrics (e.g. p95 suggestion latency) over all events, with the variance inflated for
// events clustering within users.

import { DEFAULT_ALPHA } from "./defaults";
import { ratioVariance } from "./deltaMethod";
import { normalQuantile } from "./distributions";
import { InsufficientDataError } from "./errors";
import { fixedHorizonInference, type FrequentistOptions } from "./frequentist";
import { assertRelativeLiftDefined, relativeLiftVariance } from "./lift";
import type { ComparisonResult, LiftEstimate, RatioSummary } from "./types";

/** One variant's sample quantile over all of its events, with what is needed for its standard error. */
export interface QuantileSummary {
  /** Number of events (e.g. suggestions with a latency) the quantile is computed over. */
  n: number;
  /** Quantile level in (0, 1), e.g. 0.95. */
  p: number;
  /** Sample quantile. */
  quantile: number;
  /** Values of the order statistics at ranks `quantileConfidenceIndices(n, p, ciAlpha)` (lower, upper). */
  lowerValue?: number;
  upperValue?: number;
  /** α those ranks were computed with. Default 0.05. */
  ciAlpha?: number;
  /**
   * Per-user counts for the clustering correction, as a ratio summary: X = the user's events at or
   * below `quantile`, Y = the user's events. Omit only if events are independent (one per user).
   */
  clustering?: RatioSummary;
  /** Standard error computed elsewhere (including any clustering correction); takes precedence. */
  seOverride?: number;
}

/** 1-based ranks of the order statistics bracketing the p-quantile. */
export interface QuantileRanks {
  lower: number;
  upper: number;
}

/**
 * Ranks of the order statistics that bracket the p-quantile with probability ≈ 1 − α: the number of
 * events below the true quantile is Binomial(n, p), so with its normal approximation the ranks are
 *   floor(np − z·sqrt(np(1 − p)))  and  ceil(np + z·sqrt(np(1 − p))),   z = Φ⁻¹(1 − α/2)
 * (the distribution-free confidence interval for a quantile, e.g. Conover, Practical Nonparametric
 * Statistics, 3rd ed.). Throws when they fall outside 1…n: the sample is too small for this quantile.
 */
export function quantileConfidenceIndices(n: number, p: number, alpha: number = DEFAULT_ALPHA): QuantileRanks {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile level must be in (0, 1), got ${p}`);
  const z = normalQuantile(1 - alpha / 2);
  const ranks = bracketRanks(n, p, z);
  if (!ranks) {
    const needed = eventsNeeded(n, p, z);
    const hint = needed === null ? "" : `; at least ${needed} are needed`;
    throw new InsufficientDataError(`${n} events are too few to bracket the ${p} quantile at alpha = ${alpha}${hint}`);
  }
  return ranks;
}

/** The ranks of quantileConfidenceIndices at a normal quantile z, or null when they fall outside 1…n. */
export function bracketRanks(n: number, p: number, z: number): QuantileRanks | null {
  // The same operations, in the same order, as the SQL of lib/results: both must give the same ranks.
  const center = n * p;
  const spread = z * Math.sqrt(n * p * (1 - p));
  const lower = Math.floor(center - spread);
  const upper = Math.ceil(center + spread);
  return lower < 1 || upper > n ? null : { lower, upper };
}

/**
 * The smallest number of events above n whose ranks fall inside 1…n, for the note a young experiment
 * shows. Both ends fit only if n·min(p, 1 − p) ≥ z·sqrt(n·p(1 − p)), so the search starts at that bound.
 */
function eventsNeeded(n: number, p: number, z: number): number | null {
  if (!Number.isFinite(z)) return null;
  const bound = Math.floor(z * z * Math.max(p / (1 - p), (1 - p) / p));
  const first = Math.max(n + 1, bound);
  for (let candidate = first; candidate < first + 1_000_000; candidate++) {
    if (bracketRanks(candidate, p, z)) return candidate;
  }
  return null;
}

/**
 * Standard error of a sample quantile from two order statistics, assuming independent events
 * (Price & Bonett 2001, "Estimating the variance of the sample median", J. Stat. Comput. Simul. 68;
 * the same order-statistic approach GrowthBook uses for quantile metrics). The asymptotic SE is
 * sqrt(p(1 − p)/n)/f(ξp), and (x_upper − x_lower)/(upper − lower) estimates 1/(n·f(ξp)), so
 *   se = (x_upper − x_lower) · sqrt(np(1 − p)) / (upper − lower),
 * which is Price–Bonett's (x_upper − x_lower)/(2z) with the ranks' rounding corrected.
 */
export function quantileStandardErrorIid(
  n: number,
  p: number,
  lowerValue: number,
  upperValue: number,
  ciAlpha: number = DEFAULT_ALPHA,
): number {
  const ranks = quantileConfidenceIndices(n, p, ciAlpha);
  return ((upperValue - lowerValue) * Math.sqrt(n * p * (1 - p))) / (ranks.upper - ranks.lower);
}

/**
 * Variance inflation of the sample quantile due to events clustering within users. The quantile's
 * variance is that of the empirical cdf at ξp divided by f(ξp)², and the empirical cdf is the ratio
 * metric Σ_u below_u / Σ_u events_u over users, so the inflation is its delta-method variance over
 * the independent-events variance p(1 − p)/n (GrowthBook's QuantileClusteredStatistic). Floored at 1
 * so clustering never makes an interval narrower than the independent-events one.
 */
export function quantileClusteringInflation(n: number, p: number, clustering: RatioSummary): number {
  if (clustering.users < 2 || clustering.sumY === 0) return 1;
  return Math.max(1, ratioVariance(clustering) / ((p * (1 - p)) / n));
}

/** Standard error of a variant's quantile: `seOverride` if given, else order statistics × clustering inflation. */
export function quantileStandardError(summary: QuantileSummary): number {
  if (summary.seOverride !== undefined) return summary.seOverride;
  if (summary.lowerValue === undefined || summary.upperValue === undefined) {
    // Callers leave the order statistics out when too few events bracket the quantile: say so (an
    // InsufficientDataError from quantileConfidenceIndices) rather than call the summary malformed.
    quantileConfidenceIndices(summary.n, summary.p, summary.ciAlpha);
    throw new RangeError("a quantile summary needs lowerValue and upperValue, or seOverride");
  }
  const iid = quantileStandardErrorIid(summary.n, summary.p, summary.lowerValue, summary.upperValue, summary.ciAlpha);
  const inflation = summary.clustering ? quantileClusteringInflation(summary.n, summary.p, summary.clustering) : 1;
  return iid * Math.sqrt(inflation);
}

/**
 * Lift in a quantile between independent variants. The sample quantile is asymptotically normal, so
 * the reference distribution is normal (df = Infinity); the relative lift uses the delta method as
 * for ratios. The sample size reported (for sequential use) is users when clustering is given.
 */
export function estimateQuantileLift(control: QuantileSummary, treatment: QuantileSummary): LiftEstimate {
  if (control.p !== treatment.p) throw new RangeError(`quantile levels differ: ${control.p} vs ${treatment.p}`);
  assertRelativeLiftDefined(control.quantile);
  const varianceControl = quantileStandardError(control) ** 2;
  const varianceTreatment = quantileStandardError(treatment) ** 2;
  const absolute = treatment.quantile - control.quantile;
  return {
    control: control.quantile,
    treatment: treatment.quantile,
    absolute,
    relative: absolute / control.quantile,
    varianceAbsolute: varianceControl + varianceTreatment,
    varianceRelative: relativeLiftVariance(control.quantile, treatment.quantile, varianceControl, varianceTreatment),
    df: Infinity,
    sampleSize: (control.clustering?.users ?? control.n) + (treatment.clustering?.users ?? treatment.n),
  };
}

/** Fixed-horizon comparison of a quantile metric between two variants (normal reference). */
export function compareQuantiles(control: QuantileSummary, treatment: QuantileSummary, options: FrequentistOptions = {}): ComparisonResult {
  return fixedHorizonInference(estimateQuantileLift(control, treatment), options);
}
