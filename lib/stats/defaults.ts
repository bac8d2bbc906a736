// Defaults of lib/stats, in one place so the UI can show them next to results.

/** Two-sided significance level of every test and interval unless the caller passes one (95% intervals). */
export const DEFAULT_ALPHA = 0.05;

/**
 * Planned total number of users (both arms) at which confidence sequences are tightest; GrowthBook's
 * default `sequentialTuningParameter`. Set it near the experiment's expected final sample size.
 */
export const DEFAULT_SEQUENTIAL_TUNING_USERS = 5000;

/**
 * p-value below which a sample-ratio mismatch is flagged. Deliberately strict: the check runs on every
 * refresh of every experiment, and a real assignment bug produces p-values far below it.
 */
export const DEFAULT_SRM_THRESHOLD = 0.001;
