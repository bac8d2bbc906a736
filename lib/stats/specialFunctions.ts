// Special functions behind the distributions: log-gamma, log-beta and the regularized incomplete
// gamma and beta functions. Everything works in log space and avoids subtracting nearly equal
// numbers, so tail probabilities keep their relative accuracy (down to ~1e-300) and large degrees
// of freedom (Welch df in the millions) do not lose digits to cancellation.

/** ½·ln(2π). */
const HALF_LOG_TWO_PI = 0.918938533204672741780329736406;
/** Relative tolerance of the series and continued fractions: one unit in the last place. */
const EPSILON = Number.EPSILON;
/** Guards the modified Lentz algorithm against division by zero. */
const TINY = 1e-300;
/** Above this argument the Stirling series below is accurate to double precision. */
const STIRLING_THRESHOLD = 10;
/** Large-parameter continued fractions converge in O(√a) terms; this bounds a runaway loop. */
const MAX_ITERATIONS = 1_000_000;

/**
 * Remainder of Stirling's series, lnΓ(z) − [(z − ½)·ln z − z + ½·ln 2π], for z ≥ 10.
 * Terms are B₂ₖ / (2k(2k−1)·z^(2k−1)) with Bernoulli numbers B₂…B₁₆ (Abramowitz & Stegun 6.1.40);
 * the first omitted term is below 1e-18 at z = 10.
 */
export function stirlingRemainder(z: number): number {
  const w = 1 / (z * z);
  const series =
    1 / 12 +
    w * (-1 / 360 + w * (1 / 1260 + w * (-1 / 1680 + w * (1 / 1188 + w * (-691 / 360360 + w * (1 / 156 + w * (-3617 / 122400)))))));
  return series / z;
}

/**
 * Natural log of the gamma function for x > 0: Stirling's series (A&S 6.1.40), after shifting small
 * arguments up with the recurrence Γ(x + 1) = x·Γ(x). Absolute error below 1e-14.
 */
export function logGamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  if (x === Infinity) return Infinity;
  let z = x;
  let shiftProduct = 1;
  while (z < STIRLING_THRESHOLD) {
    shiftProduct *= z;
    z += 1;
  }
  return (z - 0.5) * Math.log(z) - z + HALF_LOG_TWO_PI + stirlingRemainder(z) - Math.log(shiftProduct);
}

/**
 * lnΓ(a) − lnΓ(a + b) for a ≥ 10, written as −(a − ½)·log1p(b/a) − b·ln(a + b) + b + remainders so
 * that the two huge log-gammas never get subtracted (their difference is only O(b·ln a)).
 */
function logGammaRatioLarge(a: number, b: number): number {
  return -(a - 0.5) * Math.log1p(b / a) - b * Math.log(a + b) + b + stirlingRemainder(a) - stirlingRemainder(a + b);
}

/** ln B(a, b) = lnΓ(a) + lnΓ(b) − lnΓ(a + b), stable when one parameter is large (Student t with large df). */
export function logBeta(a: number, b: number): number {
  const large = Math.max(a, b);
  const small = Math.min(a, b);
  if (large < STIRLING_THRESHOLD) return logGamma(a) + logGamma(b) - logGamma(a + b);
  return logGamma(small) + logGammaRatioLarge(large, small);
}

/**
 * u − ln(1 + u) for u = (x − a)/a, i.e. x/a − 1 − ln(x/a). Near u = 0 the two terms cancel, so there
 * it is summed as the power series Σₖ≥₂ (−1)ᵏ uᵏ / k; elsewhere ln(x/a) is taken directly rather than
 * log1p(u), because u itself has lost digits when x ≪ a.
 */
function gammaDeviance(x: number, a: number): number {
  const u = (x - a) / a;
  if (Math.abs(u) >= 0.5) return u - Math.log(x / a);
  let power = u * u;
  let sum = 0;
  for (let k = 2; k < 200; k++) {
    const term = power / k;
    sum += k % 2 === 0 ? term : -term;
    if (Math.abs(term) <= EPSILON * Math.abs(sum)) break;
    power *= u;
  }
  return sum;
}

/**
 * ln(xᵃ·e⁻ˣ / Γ(a)), the prefactor shared by the incomplete-gamma series and continued fraction.
 * For a ≥ 10 it is rewritten with Stirling's series as −a·(u − ln(1+u)) + ½·ln a − ½·ln 2π − remainder(a),
 * u = (x − a)/a (the form used by Temme and by Boost's regularised_gamma_prefix), which avoids
 * cancelling a·ln x against lnΓ(a) when both are huge (chi-square with large df).
 */
function logGammaPrefactor(a: number, x: number): number {
  if (a < STIRLING_THRESHOLD) return a * Math.log(x) - x - logGamma(a);
  return -a * gammaDeviance(x, a) + 0.5 * Math.log(a) - HALF_LOG_TWO_PI - stirlingRemainder(a);
}

/** Power series for P(a, x) (Numerical Recipes §6.2, "gser"), converging fast for x < a + 1. */
function lowerGammaSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) <= EPSILON * Math.abs(sum)) break;
  }
  return Math.exp(logGammaPrefactor(a, x)) * sum;
}

/** Continued fraction for Q(a, x) by the modified Lentz method (Numerical Recipes §6.2, "gcf"), for x ≥ a + 1. */
function upperGammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) <= EPSILON) break;
  }
  return Math.exp(logGammaPrefactor(a, x)) * h;
}

/** Regularized lower incomplete gamma P(a, x) = γ(a, x)/Γ(a). */
export function regularizedGammaP(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? lowerGammaSeries(a, x) : 1 - upperGammaContinuedFraction(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a) = 1 − P(a, x), computed directly in the upper tail. */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - lowerGammaSeries(a, x) : upperGammaContinuedFraction(a, x);
}

/**
 * Continued fraction of DiDonato & Morris (1992, ACM TOMS 18(3), Algorithm 708, eq. 2.5), evaluated by
 * the modified Lentz method: I_x(a, b) = xᵃ·yᵇ / (B(a, b)·(β₀ + α₁/(β₁ + α₂/(β₂ + …)))), y = 1 − x.
 * Unlike the Numerical Recipes form it uses y explicitly (the `a·y − b·x + 1` term), so it does not
 * cancel when x is within 1/a of 1, which is exactly the Student t regime with large df.
 */
function incompleteBetaContinuedFraction(a: number, b: number, x: number, y: number): number {
  const denominatorTerm = (m: number) =>
    m + (m * (b - m) * x) / (a + 2 * m - 1) + ((a + m) * (a * y - b * x + 1 + m * (2 - x))) / (a + 2 * m + 1);
  let f = (a * (a * y - b * x + 1)) / (a + 1); // β₀, written out because the m = 0 term is 0/0 when a = 1
  if (Math.abs(f) < TINY) f = TINY;
  let c = f;
  let d = 0;
  for (let m = 1; m < MAX_ITERATIONS; m++) {
    const shift = a + 2 * m - 1;
    const numerator = ((a + m - 1) * (a + b + m - 1) * m * (b - m) * x * x) / (shift * shift);
    const denominator = denominatorTerm(m);
    d = denominator + numerator * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = denominator + numerator / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) <= EPSILON) break;
  }
  return f;
}

/** ln x, taken as log1p(−(1 − x)) when x is near 1 and its complement is known exactly. */
function logFromComplement(x: number, oneMinusX: number): number {
  return x > 0.5 ? Math.log1p(-oneMinusX) : Math.log(x);
}

/**
 * Regularized incomplete beta I_x(a, b) and its complement 1 − I_x(a, b) from x, y = 1 − x and their
 * logarithms. Taking the logs separately lets callers reach arguments whose x underflows (a Student
 * t of 1e200 on 1.5 df) and keeps ln x accurate near 1.
 */
export function regularizedBetaPairFromLogs(
  x: number,
  y: number,
  logX: number,
  logY: number,
  a: number,
  b: number,
): { lower: number; upper: number } {
  if (logX === -Infinity) return { lower: 0, upper: 1 };
  if (logY === -Infinity) return { lower: 1, upper: 0 };
  const logFront = a * logX + b * logY - logBeta(a, b);
  // DiDonato & Morris choose the side by the sign of λ = (a + b)·y − b: the fraction converges
  // fastest for x below about a/(a + b), and the other side follows by symmetry.
  if ((a + b) * y - b >= 0) {
    const lower = Math.exp(logFront) / incompleteBetaContinuedFraction(a, b, x, y);
    return { lower, upper: 1 - lower };
  }
  const upper = Math.exp(logFront) / incompleteBetaContinuedFraction(b, a, y, x);
  return { lower: 1 - upper, upper };
}

/**
 * Regularized incomplete beta I_x(a, b) and its complement 1 − I_x(a, b), each computed without
 * cancellation: the continued fraction is evaluated on the side where it converges and where the
 * result is the smaller tail, using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a). Pass `oneMinusX` when
 * it is known more accurately than 1 − x (e.g. t²/(ν + t²) for the Student t).
 */
export function regularizedBetaPair(x: number, a: number, b: number, oneMinusX: number = 1 - x): { lower: number; upper: number } {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1)) return { lower: NaN, upper: NaN };
  return regularizedBetaPairFromLogs(x, oneMinusX, logFromComplement(x, oneMinusX), logFromComplement(oneMinusX, x), a, b);
}

/** Regularized incomplete beta function I_x(a, b). */
export function regularizedBeta(x: number, a: number, b: number): number {
  return regularizedBetaPair(x, a, b).lower;
}
