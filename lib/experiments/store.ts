import type { Prisma } from "@/generated/prisma/client";
import type { Targeting } from "../assignment";
import type { Principal } from "../auth/permissions";
import type { Db, Tx } from "../db";
import { notFound, unprocessable, type ErrorDetail } from "../errors";
import { DEFAULT_TARGET_EFFECT } from "../stats";
import type { ExperimentView } from "./schemas";

// Prisma access of experiments: the row shape with its variants, its view, and the lookups the
// service builds its transactions from.

export const withVariants = {
  variants: { include: { modelVersion: { select: { key: true, status: true } } }, orderBy: { position: "asc" } },
} as const;
export type Row = Prisma.ExperimentGetPayload<{ include: typeof withVariants }>;

export function presentExperiment(row: Row): ExperimentView {
  return {
    key: row.key,
    name: row.name,
    hypothesis: row.hypothesis,
    status: row.status,
    coverage: row.coverage,
    seed: row.seed,
    hashVersion: row.hashVersion === 1 ? 1 : 2,
    phase: row.phase,
    variants: row.variants.map((v) => ({ key: v.key, modelVersion: v.modelVersion.key, weight: v.weight })),
    namespace: row.namespaceName != null ? { name: row.namespaceName, start: row.namespaceStart ?? 0, end: row.namespaceEnd ?? 1 } : null,
    targeting: (row.targeting as Targeting | null) ?? null,
    primaryMetric: row.primaryMetric as ExperimentView["primaryMetric"],
    guardrailMetrics: row.guardrailMetrics as ExperimentView["guardrailMetrics"],
    targetEffect: row.targetEffect ?? DEFAULT_TARGET_EFFECT,
    startedAt: row.startedAt?.toISOString() ?? null,
    stoppedAt: row.stoppedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function findExperiment(tx: Tx | Db, principal: Principal, key: string): Promise<Row> {
  const row = await tx.experiment.findUnique({ where: { projectId_key: { projectId: principal.projectId, key } }, include: withVariants });
  if (!row) throw notFound(`No experiment with key '${key}'`);
  return row;
}

/** Every running experiment of every project (background work that keeps their results computed). */
export async function runningExperiments(client: Db): Promise<{ projectId: string; experiment: ExperimentView }[]> {
  const rows = await client.experiment.findMany({ where: { status: "running" }, include: withVariants, orderBy: { startedAt: "asc" } });
  return rows.map((row) => ({ projectId: row.projectId, experiment: presentExperiment(row) }));
}

/** Model version ids for variant inputs; unknown or retired versions are named by their field path. */
export async function resolveModelVersions(tx: Tx, principal: Principal, variants: { modelVersion: string }[]): Promise<string[]> {
  const keys = [...new Set(variants.map((v) => v.modelVersion))];
  const rows = await tx.modelVersion.findMany({ where: { projectId: principal.projectId, key: { in: keys } } });
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const details: ErrorDetail[] = [];
  variants.forEach((variant, index) => {
    const row = byKey.get(variant.modelVersion);
    if (!row) details.push({ path: `variants[${index}].modelVersion`, message: `no model version with key '${variant.modelVersion}'` });
    else if (row.status === "retired")
      details.push({ path: `variants[${index}].modelVersion`, message: `model version '${variant.modelVersion}' is retired` });
  });
  if (details.length) throw unprocessable(`Unknown or retired model versions: ${details.map((d) => d.path).join(", ")}`, details);
  return variants.map((v) => byKey.get(v.modelVersion)!.id);
}

export function variantRows(variants: { key: string; weight: number }[], modelVersionIds: string[]) {
  return variants.map((variant, position) => ({
    position,
    key: variant.key,
    weight: variant.weight,
    modelVersionId: modelVersionIds[position],
  }));
}
