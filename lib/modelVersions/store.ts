import type { Db, Tx } from "../db";
import type { ModelVersionView } from "./schemas";

// Prisma access of model versions: the row shape with the experiments that use it, and its view; the
// project lock and production history that every change of the production version (a direct one
// here, a promotion or rollback in lib/releases) takes and writes.

export type Row = Awaited<ReturnType<Db["modelVersion"]["findFirstOrThrow"]>> & {
  variants?: { key: string; experiment: { key: string; status: "draft" | "running" | "stopped" } }[];
};

export function presentModelVersion(row: Row): ModelVersionView {
  return {
    key: row.key,
    name: row.name,
    baseModel: row.baseModel,
    trainedOnDatasetId: row.trainedOnDatasetId,
    status: row.status,
    lineage: { baseModel: row.baseModel, trainedOnDatasetId: row.trainedOnDatasetId },
    experiments: (row.variants ?? []).map((v) => ({ key: v.experiment.key, status: v.experiment.status, variantKey: v.key })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export const withExperiments = { variants: { select: { key: true, experiment: { select: { key: true, status: true } } } } } as const;

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
