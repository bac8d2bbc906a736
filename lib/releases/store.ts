import type { Prisma } from "@/generated/prisma/client";
import type { Db } from "../db";
import { stepDueAt } from "./ramp";
import type { PromotionView, RampStep, StepEvaluation } from "./schemas";

// Prisma access of promotions: row shapes and their API views. The project lock and the production
// history every release change writes live with the model versions (../modelVersions/store.ts).

export type PromotionRow = Awaited<ReturnType<Db["promotion"]["findFirstOrThrow"]>>;

export function stepsOf(row: PromotionRow): RampStep[] {
  return row.steps as unknown as RampStep[];
}

export function rampState(row: PromotionRow) {
  return { status: row.status, steps: stepsOf(row), stepIndex: row.stepIndex, stepStartedAt: row.stepStartedAt };
}

export function presentPromotion(row: PromotionRow): PromotionView {
  const steps = stepsOf(row);
  const active = row.status === "running" || row.status === "paused";
  return {
    id: row.id,
    modelVersion: row.modelVersionKey,
    baselineVersion: row.baselineVersionKey,
    status: row.status,
    steps,
    currentStep: row.stepIndex,
    currentPercent: steps[row.stepIndex]?.percent ?? 0,
    stepStartedAt: row.stepStartedAt.toISOString(),
    stepDueAt: active ? stepDueAt(rampState(row)).toISOString() : null,
    seed: row.seed,
    reason: row.reason,
    experimentKey: row.experimentKey,
    variantKey: row.variantKey,
    evidence: (row.evidence as PromotionView["evidence"]) ?? null,
    checks: (row.checks as StepEvaluation | null) ?? null,
    pausedReason: row.pausedReason,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    endedAt: row.endedAt?.toISOString() ?? null,
  };
}

export const json = (value: unknown) => value as Prisma.InputJsonValue;
