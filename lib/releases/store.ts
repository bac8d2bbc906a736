import type { Prisma } from "@/generated/prisma/client";
import type { Db, Tx } from "../db";
import { stepDueAt } from "./ramp";
import type { PromotionView, RampStep, StepEvaluation } from "./schemas";

// Prisma access of promotions and production changes: the project lock every release change takes,
// row shapes and their API views.

export type PromotionRow = Awaited<ReturnType<Db["promotion"]["findFirstOrThrow"]>>;

/**
 * Serializes release changes of one project (promote, advance, pause, override, rollback, the job's
 * steps, a direct status change to production): a row lock on the project, held to the end of the
 * transaction, so two of them never interleave and a project never has two production versions or
 * two active ramps. Works alike on PGlite and PostgreSQL.
 */
export async function lockProject(tx: Tx, projectId: string): Promise<void> {
  await tx.$queryRawUnsafe(`SELECT id FROM "Project" WHERE id = $1 FOR UPDATE`, projectId);
}

export function activePromotion(tx: Tx | Db, projectId: string) {
  return tx.promotion.findFirst({ where: { projectId, status: { in: ["running", "paused"] } } });
}

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

/** Records a change of the production version for the timeline. */
export function recordProductionChange(
  tx: Tx,
  entry: {
    projectId: string;
    modelVersionKey: string;
    previousVersionKey: string | null;
    kind: "promotion" | "rollback" | "ramp_stopped" | "manual";
    promotionId?: string | null;
    reason?: string | null;
    actor: string;
  },
) {
  return tx.productionChange.create({ data: { ...entry, promotionId: entry.promotionId ?? null, reason: entry.reason ?? null } });
}
