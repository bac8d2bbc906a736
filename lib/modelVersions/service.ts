import { conflict, notFound, unprocessable } from "../errors";
import { audit } from "../audit/store";
import type { Principal } from "../auth/permissions";
import { clickhouseTime } from "../clickhouse/time";
import type { Db, Tx } from "../db";
import { SUM_KEYS, type RatioMetricKey, type SumKey } from "../metrics/registry";
import { pooledRatio } from "../metrics/values";
import { modelVersionDaily } from "./queries";
import { invalidateAssignmentConfig } from "../experiments/assignmentConfig";
import type { CreateModelVersion, ModelVersionView, UpdateModelVersion } from "./schemas";
import { presentModelVersion, withExperiments } from "./store";

export async function listModelVersions(client: Db, principal: Principal): Promise<ModelVersionView[]> {
  const rows = await client.modelVersion.findMany({
    where: { projectId: principal.projectId },
    include: withExperiments,
    orderBy: { createdAt: "desc" },
  });
  return rows.map(presentModelVersion);
}

export async function getModelVersion(client: Db, principal: Principal, key: string): Promise<ModelVersionView> {
  const row = await client.modelVersion.findUnique({
    where: { projectId_key: { projectId: principal.projectId, key } },
    include: withExperiments,
  });
  if (!row) throw notFound(`No model version with key '${key}'`);
  return presentModelVersion(row);
}

/** Lineage: the dataset a version was trained on must be one of the project's datasets. */
async function checkDataset(tx: Tx, principal: Principal, datasetId: string) {
  const dataset = await tx.dataset.findFirst({ where: { id: datasetId, projectId: principal.projectId } });
  if (!dataset) {
    throw unprocessable(`trainedOnDatasetId: no dataset '${datasetId}' in this project`, [
      { path: "trainedOnDatasetId", message: "must name an existing dataset of the project" },
    ]);
  }
}

export async function createModelVersion(client: Db, principal: Principal, input: CreateModelVersion): Promise<ModelVersionView> {
  return client.$transaction(async (tx) => {
    const existing = await tx.modelVersion.findUnique({ where: { projectId_key: { projectId: principal.projectId, key: input.key } } });
    if (existing) throw conflict(`A model version with key '${input.key}' already exists`, [{ path: "key", message: "must be unique" }]);
    if (input.trainedOnDatasetId) await checkDataset(tx, principal, input.trainedOnDatasetId);
    const row = await tx.modelVersion.create({
      data: {
        projectId: principal.projectId,
        key: input.key,
        name: input.name,
        baseModel: input.baseModel,
        trainedOnDatasetId: input.trainedOnDatasetId,
        status: input.status ?? "candidate",
      },
    });
    const view = presentModelVersion(row);
    await audit(tx, principal, { action: "model_version.create", target: `model-version:${row.key}`, after: view });
    return view;
  });
}

/**
 * Edits a version. Making one `production` demotes the previous production version to `candidate` in
 * the same transaction, so a project always has at most one production version.
 */
export async function updateModelVersion(
  client: Db,
  principal: Principal,
  key: string,
  input: UpdateModelVersion,
): Promise<ModelVersionView> {
  const result = await client.$transaction(async (tx) => {
    const before = await tx.modelVersion.findUnique({
      where: { projectId_key: { projectId: principal.projectId, key } },
      include: withExperiments,
    });
    if (!before) throw notFound(`No model version with key '${key}'`);
    if (input.status === "retired" && before.variants.some((v) => v.experiment.status === "running")) {
      throw unprocessable(`'${key}' serves a running experiment; stop it before retiring the version`, [
        { path: "status", message: "version is in a running experiment" },
      ]);
    }
    if (input.status === "retired" && before.status === "production") {
      throw unprocessable(`'${key}' is the production version; promote another version first`, [
        { path: "status", message: "cannot retire the production version" },
      ]);
    }
    if (input.status === "production" && before.status !== "production") {
      const previous = await tx.modelVersion.findFirst({ where: { projectId: principal.projectId, status: "production" } });
      if (previous) {
        await tx.modelVersion.update({ where: { id: previous.id }, data: { status: "candidate" } });
        await audit(tx, principal, {
          action: "model_version.demote",
          target: `model-version:${previous.key}`,
          before: { status: "production" },
          after: { status: "candidate" },
          reason: input.reason ?? `'${key}' became production`,
        });
      }
    }
    if (input.trainedOnDatasetId) await checkDataset(tx, principal, input.trainedOnDatasetId);
    const row = await tx.modelVersion.update({
      where: { id: before.id },
      data: { name: input.name, baseModel: input.baseModel, status: input.status, trainedOnDatasetId: input.trainedOnDatasetId },
      include: withExperiments,
    });
    const view = presentModelVersion(row);
    await audit(tx, principal, {
      action: "model_version.update",
      target: `model-version:${key}`,
      before: presentModelVersion(before),
      after: view,
      reason: input.reason,
    });
    return view;
  });
  invalidateAssignmentConfig(principal.projectId);
  return result;
}

/** Acceptance and generation rate per model version and day over all traffic, from the metric registry's sums. */
export async function modelVersionTrends(principal: Principal, from: Date, to: Date) {
  const days = await modelVersionDaily(principal.projectId, clickhouseTime(from.getTime()), clickhouseTime(to.getTime()));
  const rate = (key: RatioMetricKey, sums: Record<SumKey, number>) =>
    pooledRatio(
      key,
      SUM_KEYS.map((k) => sums[k]),
    );
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    items: days.map(({ date, modelVersion, users, sums }) => ({
      date,
      modelVersion,
      users,
      shown: sums.shown,
      accepted: sums.accepted,
      acceptanceRate: rate("acceptance_rate", sums),
      aiChars: sums.ai_chars,
      humanChars: sums.human_chars,
      generationRate: rate("generation_rate", sums),
    })),
  };
}
