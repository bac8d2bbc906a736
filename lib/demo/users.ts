import { DAY_MS } from "../time";
import type { Rng } from "./rng";
import { pickRefinement, type EditMix } from "./templates";

// The demo's synthetic users and their events: who they are (language, IDE, group, activity, personal
// acceptance propensity, working hours) and what they do with each completion they request.

export const LANGUAGES = [
  ["python", 0.36],
  ["typescript", 0.28],
  ["java", 0.15],
  ["go", 0.13],
  ["rust", 0.08],
] as const;
/** Acceptance odds by language: completions in dynamic languages are taken a little more often. */
export const LANGUAGE_ODDS: Record<string, number> = { python: 1.08, typescript: 1.04, go: 0.98, java: 0.94, rust: 0.85 };
/** IDEs: Java developers mostly use JetBrains IDEs, everyone else mostly VS Code. */
const IDES = [
  ["vscode", 0.64],
  ["jetbrains", 0.26],
  ["neovim", 0.1],
] as const;
const JAVA_IDES = [
  ["jetbrains", 0.7],
  ["vscode", 0.27],
  ["neovim", 0.03],
] as const;
/** Regions by the UTC hour their working day peaks. */
export const PEAK_HOURS = [
  [13, 0.4],
  [17.5, 0.45],
  [6, 0.15],
] as const;
export const REJECT_REASONS = [
  ["typed_over", 0.55],
  ["dismissed", 0.35],
  ["timeout", 0.1],
] as const;

/** Treatment multiplies each user's acceptance odds: pooled acceptance ≈0.26 → ≈0.33 (published: 25.7% → 35.7%). */
export const TREATMENT_ODDS = 1.48;

export interface SyntheticUser {
  id: string;
  language: string;
  ide: string;
  userGroup: string;
  /** Completion requests over the whole period (heavy-tailed). */
  requests: number;
  /** Personal acceptance probability on the production model. */
  propensity: number;
  peakHour: number;
  /** First day the user is active; users who started later have no pre-period. */
  activeFromDay: number;
  hasPrePeriod: boolean;
}

export function syntheticUser(rng: Rng, index: number, days: number): SyntheticUser {
  const language = rng.pick(LANGUAGES);
  const ide = rng.pick(language === "java" ? JAVA_IDES : IDES);
  const userGroup = rng.chance(0.1) ? "internal" : "external";
  const existing = rng.chance(0.72);
  // Lognormal activity: median ≈ 3 requests a day, a long tail of users with hundreds over the period.
  const requests = Math.max(3, Math.min(2_000, Math.round(rng.logNormal(3.2 * days, 1.0))));
  return {
    id: `dev-${String(index + 1).padStart(5, "0")}`,
    language,
    ide,
    userGroup,
    requests,
    propensity: rng.beta(5, 14.8), // mean 0.25, sd ≈ 0.10 (≈0.26 after the language and group effects)
    peakHour: rng.pick(PEAK_HOURS) + rng.normal() * 1.2,
    activeFromDay: existing ? 0 : rng.int(1, Math.max(1, days - 1)),
    hasPrePeriod: existing,
  };
}

/** What a user is served: the model version, its experiment and variant if any, and how it behaves. */
export interface Serving {
  modelVersion: string;
  experimentKey?: string;
  variantKey?: string;
  /** Multiplier of the user's acceptance odds. */
  odds: number;
  latencyMedianMs: number;
  refineProbability: number;
  /** How users refine its accepted completions (templates.ts EDIT_MIX): the refined model needs fewer edits. */
  editMix: EditMix;
}

export type DemoEvent = Record<string, string | number>;

/**
 * A time in [from, to) on a working day near the user's peak hour (weekends are quieter). Always draws
 * the same number of random numbers, so a seed gives the same events whatever today's date is.
 */
export function sessionStart(rng: Rng, user: SyntheticUser, from: number, to: number): number {
  const firstMidnight = Math.floor(from / DAY_MS) * DAY_MS;
  const spanDays = Math.ceil((to - firstMidnight) / DAY_MS);
  const dayWeights = Array.from({ length: spanDays }, (_, d) => {
    const weekday = new Date(firstMidnight + d * DAY_MS).getUTCDay();
    return [d, weekday === 0 || weekday === 6 ? 0.25 : 1] as const;
  });
  const at = firstMidnight + rng.pick(dayWeights) * DAY_MS + (user.peakHour + rng.normal() * 2.3) * 3_600_000;
  // Outside the window (the first and last day are partial): wrap around into it.
  const span = to - from;
  return Math.round(from + ((((at - from) % span) + span) % span));
}

/**
 * One user's events in [from, to) — sessions of completion requests with what followed each — sorted
 * by time. The caller adds the exposure before the first of them.
 */
export function userEvents(rng: Rng, user: SyntheticUser, requests: number, from: number, to: number, serving: Serving): DemoEvent[] {
  const common = {
    userId: user.id,
    modelVersion: serving.modelVersion,
    ...(serving.experimentKey ? { experimentKey: serving.experimentKey, variantKey: serving.variantKey! } : {}),
    language: user.language,
    ide: user.ide,
    userGroup: user.userGroup,
  };
  const odds =
    (user.propensity / (1 - user.propensity)) * serving.odds * LANGUAGE_ODDS[user.language] * (user.userGroup === "internal" ? 1.1 : 1);
  const events: DemoEvent[] = [];
  let left = requests;
  while (left > 0) {
    const size = Math.min(left, 1 + Math.floor(rng.exponential(14)));
    left -= size;
    const session: DemoEvent[] = [];
    let t = sessionStart(rng, user, from, to);
    for (let i = 0; i < size; i++) {
      t += Math.round(3_000 + rng.exponential(40_000));
      const suggestionId = rng.uuid();
      const base = { ...common, suggestionId };
      session.push({ eventId: rng.uuid(), type: "requested", timestamp: t, ...base });
      if (rng.chance(0.9)) {
        // Decide the suggestion's fate up front: one that will be refined has its proposal's length.
        const refinement = rng.chance(serving.refineProbability) ? pickRefinement(rng, user.language, serving.editMix) : null;
        const chars = refinement ? refinement.proposal.length : 20 + Math.floor(180 * Math.pow(rng.next(), 1.6));
        const lines = refinement
          ? refinement.proposal.split("\n").filter(Boolean).length
          : Math.max(1, Math.round(chars / (22 + 20 * rng.next())));
        const latencyMs = Math.max(40, Math.round(rng.logNormal(serving.latencyMedianMs, 0.35)));
        const shownAt = t + latencyMs;
        session.push({
          eventId: rng.uuid(),
          type: "shown",
          timestamp: shownAt,
          ...base,
          completionChars: chars,
          completionLines: lines,
          latencyMs,
        });
        const decidedAt = shownAt + Math.round(300 + rng.exponential(1_500));
        // Longer completions are taken a little less often.
        const oddsHere = odds * Math.exp(-(chars - 85) / 320);
        if (rng.chance(oddsHere / (1 + oddsHere))) {
          session.push({
            eventId: rng.uuid(),
            type: "accepted",
            timestamp: decidedAt,
            ...base,
            acceptedChars: chars,
            acceptedLines: lines,
          });
          if (refinement) {
            session.push({
              eventId: rng.uuid(),
              type: "refined",
              timestamp: decidedAt + 60_000,
              ...base,
              windowSeconds: 60,
              proposal: refinement.proposal,
              final: refinement.final,
              prefix: refinement.prefix,
              ...(refinement.suffix ? { suffix: refinement.suffix } : {}),
              retainedChars: refinement.retainedChars,
            });
          }
        } else {
          session.push({ eventId: rng.uuid(), type: "rejected", timestamp: decidedAt, ...base, reason: rng.pick(REJECT_REASONS) });
        }
        t = decidedAt;
      }
      if (rng.chance(0.35)) {
        t += Math.round(2_000 + rng.exponential(15_000));
        session.push({
          eventId: rng.uuid(),
          type: "typed",
          timestamp: t,
          ...common,
          humanChars: Math.max(1, Math.min(4_000, Math.round(rng.logNormal(55, 0.9)))),
        });
      }
    }
    // A session running past the end of the window moves back a day (never into the future).
    const last = session.reduce((m, e) => Math.max(m, e.timestamp as number), 0);
    if (last >= to) {
      const shift = Math.ceil((last - to + 1) / DAY_MS) * DAY_MS;
      for (const e of session) e.timestamp = Math.max(from, (e.timestamp as number) - shift);
    }
    events.push(...session);
  }
  return events.sort((a, b) => (a.timestamp as number) - (b.timestamp as number));
}
