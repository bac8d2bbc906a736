import { Rng } from "../demo/rng";
import { REJECT_REASONS, sessionStart, type SyntheticUser } from "../demo/users";
import type { EchoEvent } from "../sdk/types";
import { DAY_MS } from "../time";
import { geometric, LANGUAGE_FACTOR, MODEL, mixSeed, refinementPool, type Arm, type Scenario, type SimulatedUser } from "./scenario";

// One simulated user's events, deterministically from the run's seed (pure: no I/O, no clock). Sessions
// of completion requests near the user's working hours; for each request: requested → shown →
// accepted | rejected, a refined event (real code from lib/demo/templates.ts) for some accepted ones,
// and now and then characters the user typed. The exposure comes just before the first event.

/** An event as the simulator sends it: the public API's shape, with epoch-millisecond timestamps. */
export type SimEvent = EchoEvent & { timestamp: number };

/** What the user is served. */
export interface Serving {
  /** The behaviour: the control's or the treatment's rates. */
  arm: Arm;
  modelVersion: string;
  /** Set when the user is in the simulated experiment (then an exposure is sent, unless lost). */
  experimentKey?: string;
  variantKey?: string;
}

/** The simulated period, epoch ms: every event falls in [from, to). */
export interface TrafficWindow {
  from: number;
  to: number;
}

export interface UserTraffic {
  user: SimulatedUser;
  serving: Serving;
  /** The user's acceptance probability per shown suggestion. */
  propensity: number;
  /** The user's exposure event; null when the user is outside the experiment or the exposure was lost. */
  exposure: SimEvent | null;
  /** srm scenario: a treatment user whose client never reported the exposure. */
  exposureLost: boolean;
  /** Completion events, by time. */
  events: SimEvent[];
}

/**
 * Generates one user's traffic. `anchor` (usually the window's end) only enters the event and suggestion
 * ids, so a run repeated later gets new ids while its behaviour stays the same for the same seed.
 */
export function userTraffic(scenario: Scenario, seed: number, user: SimulatedUser, serving: Serving, window: TrafficWindow): UserTraffic {
  const rng = new Rng(mixSeed(seed, user.index, 2));
  const ids = new Rng(mixSeed(seed, user.index, 3, window.to));
  const arm = scenario.arms[serving.arm];
  // resolveScenario keeps every mean below 0.95, so no clamp distorts the configured rates.
  const mean = arm.acceptance[user.userGroup] * (LANGUAGE_FACTOR[user.language] ?? 1);
  const propensity = rng.beta(mean * MODEL.propensityConcentration, (1 - mean) * MODEL.propensityConcentration);
  const exposureLost = !!serving.experimentKey && serving.arm === "treatment" && !rng.chance(scenario.treatmentExposureKept);
  // sessionStart (lib/demo/users.ts) reads the working hours.
  const demoUser: SyntheticUser = {
    id: user.id,
    language: user.language,
    ide: user.ide,
    userGroup: user.userGroup,
    requests: user.requests,
    propensity,
    peakHour: user.peakHour,
    activeFromDay: 0,
    hasPrePeriod: false,
  };
  const common = {
    userId: user.id,
    modelVersion: serving.modelVersion,
    ...(serving.experimentKey ? { experimentKey: serving.experimentKey, variantKey: serving.variantKey } : {}),
    language: user.language,
    ide: user.ide,
    userGroup: user.userGroup,
  };
  const pool = refinementPool(user.language, arm.editMix);
  const latencyMedian = arm.latencyMedianMs * user.latencyFactor;
  const typedMean = user.typingFactor * (scenario.typing.meanChars - 1);

  const events: SimEvent[] = [];
  let left = user.requests;
  while (left > 0) {
    const size = Math.min(left, 1 + Math.floor(rng.exponential(14)));
    left -= size;
    const session: SimEvent[][] = [];
    let t = sessionStart(rng, demoUser, window.from, window.to);
    for (let i = 0; i < size; i++) {
      t += Math.round(3_000 + rng.exponential(40_000));
      const suggestionId = ids.uuid();
      const chain: SimEvent[] = [{ eventId: ids.uuid(), type: "requested", timestamp: t, ...common, suggestionId }];
      if (rng.chance(MODEL.showProbability)) {
        // The suggestion's fate is drawn up front: one that will be refined is a template's proposal.
        const refinement = rng.chance(arm.refineProbability) ? pool[Math.floor(rng.next() * pool.length)] : null;
        const chars = refinement
          ? refinement.proposal.length
          : MODEL.minCompletionChars + geometric(rng, arm.plainChars - MODEL.minCompletionChars);
        const lines = refinement
          ? refinement.proposal.split("\n").filter(Boolean).length
          : Math.max(1, Math.round(chars / (22 + 20 * rng.next())));
        const latencyMs = Math.max(40, Math.round(rng.logNormal(latencyMedian, MODEL.latencySigma)));
        const shownAt = t + latencyMs;
        chain.push({
          eventId: ids.uuid(),
          type: "shown",
          timestamp: shownAt,
          ...common,
          suggestionId,
          completionChars: chars,
          completionLines: lines,
          latencyMs,
        });
        const decidedAt = shownAt + Math.round(300 + rng.exponential(1_500));
        if (rng.chance(propensity)) {
          chain.push({
            eventId: ids.uuid(),
            type: "accepted",
            timestamp: decidedAt,
            ...common,
            suggestionId,
            acceptedChars: chars,
            acceptedLines: lines,
          });
          if (refinement) {
            chain.push({
              eventId: ids.uuid(),
              type: "refined",
              timestamp: decidedAt + MODEL.refineWindowSeconds * 1_000,
              ...common,
              suggestionId,
              windowSeconds: MODEL.refineWindowSeconds,
              proposal: refinement.proposal,
              final: refinement.final,
              prefix: refinement.prefix,
              ...(refinement.suffix ? { suffix: refinement.suffix } : {}),
              retainedChars: refinement.retainedChars,
            });
          }
        } else {
          chain.push({
            eventId: ids.uuid(),
            type: "rejected",
            timestamp: decidedAt,
            ...common,
            suggestionId,
            reason: rng.pick(REJECT_REASONS),
          });
        }
        t = decidedAt;
      }
      // A suggestion is one UTC day's events (README, Metrics): one whose events would straddle midnight
      // starts just after it instead, so none is split in two.
      const last = chain[chain.length - 1].timestamp;
      const midnight = Math.floor(last / DAY_MS) * DAY_MS;
      if (chain[0].timestamp < midnight) {
        const shift = midnight + 500 - chain[0].timestamp;
        for (const e of chain) e.timestamp += shift;
        t += shift;
      }
      session.push(chain);
      if (rng.chance(scenario.typing.probability)) {
        t += Math.round(2_000 + rng.exponential(15_000));
        session.push([{ eventId: ids.uuid(), type: "typed", timestamp: t, ...common, humanChars: 1 + geometric(rng, typedMean) }]);
      }
    }
    // A session running past the end of the window moves back whole days (never into the future); a
    // suggestion still outside the window (only when the window is about a day long) is left out whole.
    const end = Math.max(...session.map((chain) => chain[chain.length - 1].timestamp));
    const shift = end >= window.to ? Math.ceil((end - window.to + 1) / DAY_MS) * DAY_MS : 0;
    for (const chain of session) {
      for (const e of chain) e.timestamp -= shift;
      if (chain[0].timestamp >= window.from && chain[chain.length - 1].timestamp < window.to) events.push(...chain);
    }
  }
  events.sort((a, b) => a.timestamp - b.timestamp);

  let exposure: SimEvent | null = null;
  if (serving.experimentKey && !exposureLost) {
    // The plugin assigns the user and reports the exposure as it starts, just before the first request.
    const first = events.length ? events[0].timestamp : sessionStart(rng, demoUser, window.from, window.to);
    exposure = {
      eventId: ids.uuid(),
      type: "exposure",
      timestamp: Math.max(window.from, first - Math.round(500 + rng.exponential(4_000))),
      userId: user.id,
      modelVersion: serving.modelVersion,
      experimentKey: serving.experimentKey,
      variantKey: serving.variantKey!,
      language: user.language,
      ide: user.ide,
      userGroup: user.userGroup,
    };
  }
  return { user, serving, propensity, exposure, exposureLost, events };
}
