import type { RampStep, StepEvaluation } from "./schemas";

// The ramp's rules, pure: default steps, when a step is due, and what the automatic advance does with
// a step's guardrail evaluation. The service (./service.ts) applies the decisions under the project lock.

/** 5% → 25% → 50% → 100%, a day each before the next. */
export const DEFAULT_STEPS: readonly RampStep[] = [
  { percent: 5, minHours: 24 },
  { percent: 25, minHours: 24 },
  { percent: 50, minHours: 24 },
  { percent: 100, minHours: 0 },
];

const HOUR_MS = 3_600_000;

export interface RampState {
  status: "running" | "paused" | "completed" | "rolled_back";
  steps: readonly RampStep[];
  stepIndex: number;
  stepStartedAt: Date;
}

/** When the current step's minimum duration ends. */
export function stepDueAt(state: RampState): Date {
  return new Date(state.stepStartedAt.getTime() + state.steps[state.stepIndex].minHours * HOUR_MS);
}

export function isLastStep(state: RampState, index = state.stepIndex): boolean {
  return index >= state.steps.length - 1;
}

/** Reaching a step of 100% ends the ramp: the version becomes production. */
export function completesAt(steps: readonly RampStep[], index: number): boolean {
  return steps[index].percent >= 100;
}

export type RampDecision = { action: "wait"; why: string } | { action: "advance"; to: number } | { action: "pause"; why: string };

/**
 * The background job's decision for a running ramp: a failing check pauses it at once, even before the
 * step's minimum duration (a version shown to harm users should not keep serving them for the rest of a
 * day; checking on every pass raises the chance of a needless pause, which costs time, never users, and
 * an admin can override it). Otherwise nothing happens before the minimum duration; after it, checks short
 * of data wait and passing checks advance the ramp.
 */
export function decideAutomatic(state: RampState, evaluation: StepEvaluation | null, now: Date): RampDecision {
  if (state.status !== "running") return { action: "wait", why: `the ramp is ${state.status}` };
  if (evaluation?.verdict === "fail") return { action: "pause", why: "a guardrail failed" };
  const due = stepDueAt(state);
  if (now < due) return { action: "wait", why: `step ${state.stepIndex + 1} runs until ${due.toISOString()}` };
  if (!evaluation) return { action: "wait", why: "no guardrail evaluation yet" };
  if (evaluation.verdict === "insufficient") return { action: "wait", why: "not enough data for every guardrail yet" };
  return { action: "advance", to: state.stepIndex + 1 };
}

/**
 * A manual advance (promote permission): allowed before the minimum duration and with checks short of
 * data (the person decides), never over a failing check; that needs an admin's override.
 */
export function decideManual(state: RampState, evaluation: StepEvaluation | null): RampDecision {
  if (state.status !== "running" && state.status !== "paused") return { action: "wait", why: `the ramp is ${state.status}` };
  if (evaluation?.verdict === "fail") return { action: "pause", why: "a guardrail failed" };
  return { action: "advance", to: state.stepIndex + 1 };
}
