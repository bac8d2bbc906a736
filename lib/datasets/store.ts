import type { Db } from "../db";
import { withExperiments } from "../modelVersions/store";
import type { DatasetFilter, DatasetManifest, DatasetView, FimTokens } from "./schemas";

// Prisma access of datasets: the row, its API view with the lineage (model versions trained on it and
// the experiments that serve them), and the lookups the service builds on.

export type DatasetRow = Awaited<ReturnType<Db["dataset"]["findFirstOrThrow"]>>;
type TrainedRow = Awaited<ReturnType<typeof trainedModelVersions>>[number];

/** The filter as stored and answered: lists as they are, dates as ISO-8601 strings, absent fields left out. */
export function filterView(filter: DatasetFilter): DatasetView["filter"] {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    out[key] = value instanceof Date ? value.toISOString() : value;
  }
  return out as DatasetView["filter"];
}

export function presentDataset(row: DatasetRow, trained: readonly TrainedRow[]): DatasetView {
  const manifest = (row.manifest ?? null) as DatasetManifest | null;
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    filter: row.filter as DatasetView["filter"],
    format: row.format,
    fim: (row.fim ?? null) as FimTokens | null,
    validationShare: row.validationShare,
    sampleCount: row.sampleCount,
    trainCount: manifest?.splits.train.count ?? 0,
    validationCount: manifest?.splits.validation.count ?? 0,
    contentHash: row.contentHash,
    manifest,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    trainedModelVersions: trained
      .filter((v) => v.trainedOnDatasetId === row.id)
      .map((v) => ({
        key: v.key,
        name: v.name,
        status: v.status,
        createdAt: v.createdAt.toISOString(),
        experiments: v.variants.map((variant) => ({
          key: variant.experiment.key,
          status: variant.experiment.status,
          variantKey: variant.key,
        })),
      })),
  };
}

/** The model versions of a project trained on any of these datasets, oldest first, with the experiments that use them. */
export async function trainedModelVersions(client: Db, projectId: string, datasetIds: string[]) {
  if (!datasetIds.length) return [];
  return client.modelVersion.findMany({
    where: { projectId, trainedOnDatasetId: { in: datasetIds } },
    include: withExperiments,
    orderBy: [{ createdAt: "asc" }, { key: "asc" }],
  });
}

export async function findDataset(client: Db, projectId: string, id: string): Promise<DatasetRow | null> {
  return client.dataset.findFirst({ where: { id, projectId } });
}
