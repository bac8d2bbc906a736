import { conflict, notFound, unprocessable } from "../errors";
import { audit } from "../audit/store";
import type { Principal } from "../auth/permissions";
import { clickhouseTime } from "../clickhouse/time";
import type { Db, Tx } from "../db";
import { METRICS, SUM_KEYS, type RatioMetric, type SumKey } from "../metrics/registry";
import { pooledRatio } from "../metrics/values";
import { rateInterval } from "../stats";
import { modelVersionDaily, segmentValues, type ModelVersionDay, type TrafficFilter, type TrendMetric, type TrendMoments } from "./queries";
import { invalidateAssignmentConfig } from "../experiments/assignmentConfig";
import type { CreateModelVersion, ModelVersionView, Trends, TrendValues, UpdateModelVersion } from "./schemas";
import { activePromotion, lockProject, presentModelVersion, recordProductionChange, withExperiments } from "./store";
import { actorName } from "../auth/permissions";

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
      // The same lock and history as promotions (lib/releases): never two production versions.
      await lockProject(tx, principal.projectId);
      const ramp = await activePromotion(tx, principal.projectId);
      if (ramp) {
        throw conflict(`A promotion of '${ramp.modelVersionKey}' is in progress; finish or roll it back first`, [
          { path: "status", message: "a promotion is in progress" },
        ]);
      }
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
      await recordProductionChange(tx, {
        projectId: principal.projectId,
        modelVersionKey: key,
        previousVersionKey: previous?.key ?? null,
        kind: "manual",
        reason: input.reason ?? null,
        actor: actorName(principal),
      });
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

/** A trend metric's value over users with its 95% delta-method interval (null when it cannot have one). */
function trendRate(metric: TrendMetric, users: number, sums: Record<SumKey, number>, moments: TrendMoments) {
  const value = pooledRatio(
    metric,
    SUM_KEYS.map((k) => sums[k]),
  );
  const definition = METRICS[metric] as RatioMetric;
  const add = (keys: readonly SumKey[] | "per_user") => (keys === "per_user" ? users : keys.reduce((total, key) => total + sums[key], 0));
  const summary = {
    users,
    sumX: add(definition.numerator),
    sumY: add(definition.denominator),
    sumX2: moments.xx,
    sumY2: moments.yy,
    sumXY: moments.xy,
  };
  const ci = users >= 2 && summary.sumY > 0 ? rateInterval(summary).ci : null;
  return { value, ci };
}

/** One group's figures as the trends answer shows them. */
function trendValues(group: ModelVersionDay): TrendValues {
  const { users, sums, moments } = group;
  const acceptance = trendRate("acceptance_rate", users, sums, moments.acceptance_rate);
  const generation = trendRate("generation_rate", users, sums, moments.generation_rate);
  return {
    users,
    shown: sums.shown,
    accepted: sums.accepted,
    acceptanceRate: acceptance.value,
    acceptanceRateCi: acceptance.ci,
    aiChars: sums.ai_chars,
    humanChars: sums.human_chars,
    generationRate: generation.value,
    generationRateCi: generation.ci,
  };
}

const NO_TRAFFIC: TrendValues = {
  users: 0,
  shown: 0,
  accepted: 0,
  acceptanceRate: null,
  acceptanceRateCi: null,
  aiChars: 0,
  humanChars: 0,
  generationRate: null,
  generationRateCi: null,
};

/**
 * Acceptance and generation rate per model version and day over all traffic (optionally one cohort),
 * from the metric registry's sums, with user counts and intervals; and per version over the whole
 * range, every registered version included (those without events as such).
 */
export async function modelVersionTrends(
  client: Db,
  principal: Principal,
  from: Date,
  to: Date,
  filter: TrafficFilter = {},
): Promise<Trends> {
  const range = [principal.projectId, clickhouseTime(from.getTime()), clickhouseTime(to.getTime())] as const;
  const [days, totals, cohorts, registered] = await Promise.all([
    modelVersionDaily(...range, { grouping: "version_day", filter }),
    modelVersionDaily(...range, { grouping: "version", filter }),
    segmentValues(...range),
    client.modelVersion.findMany({ where: { projectId: principal.projectId }, orderBy: { createdAt: "asc" } }),
  ]);
  const totalsByVersion = new Map(totals.map((t) => [t.modelVersion, t]));
  const known = new Set(registered.map((v) => v.key));
  const versions = [
    ...registered.map((v) => ({ key: v.key, name: v.name as string | null, status: v.status as Trends["versions"][number]["status"] })),
    ...totals.filter((t) => !known.has(t.modelVersion)).map((t) => ({ key: t.modelVersion, name: null, status: null })),
  ].map(({ key, name, status }) => {
    const total = totalsByVersion.get(key);
    return { modelVersion: key, name, status, hasTraffic: !!total, ...(total ? trendValues(total) : NO_TRAFFIC) };
  });
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    filter: { language: filter.language ?? null, ide: filter.ide ?? null, userGroup: filter.userGroup ?? null },
    items: days.map((day) => ({ date: day.date, modelVersion: day.modelVersion, ...trendValues(day) })),
    // Versions with traffic first (most users first), then those without.
    versions: versions.sort((a, b) => b.users - a.users),
    segmentValues: cohorts,
  };
}

/** Acceptance and generation rate per day over all traffic and every version (the overview's chart). */
export async function allTrafficTrend(principal: Principal, from: Date, to: Date) {
  const days = await modelVersionDaily(principal.projectId, clickhouseTime(from.getTime()), clickhouseTime(to.getTime()), {
    grouping: "day",
  });
  return days.map((day) => ({ date: day.date, ...trendValues(day) }));
}
