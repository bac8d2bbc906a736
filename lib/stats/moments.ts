// Sample moments recovered from sums, the only form in which per-user data reaches lib/stats.

/**
 * Unbiased sample variance (divisor n − 1) from Σv and Σv². Clamped at 0 because the textbook
 * one-pass formula can go slightly negative through rounding when the variance is tiny relative
 * to the mean.
 */
export function sampleVarianceFromSums(sum: number, sumOfSquares: number, n: number): number {
  return Math.max(0, (sumOfSquares - (sum * sum) / n) / (n - 1));
}

/** Unbiased sample covariance (divisor n − 1) from Σa, Σb and Σab. */
export function sampleCovarianceFromSums(sumA: number, sumB: number, sumOfProducts: number, n: number): number {
  return (sumOfProducts - (sumA * sumB) / n) / (n - 1);
}
