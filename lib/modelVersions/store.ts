import type { Db } from "../db";
import type { ModelVersionView } from "./schemas";

// Prisma access of model versions: the row shape with the experiments that use it, and its view.

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
