import {
  compileConfig,
  rolloutShare,
  type AssignmentConfig,
  type CompiledAssignmentConfig,
  type ExperimentConfig,
  type Targeting,
} from "../assignment";
import type { Db } from "../db";
import { projectCache } from "../db/projectCache";

// The running experiments of a project in the shape lib/assignment evaluates (and GET /api/v1/config
// serves), with the production ramp in progress. Assignment runs on every plugin request, so the config
// is cached per project (lib/db/projectCache.ts: rebuilt after local changes, and after another
// instance's change once the revision check below sees it).

export interface ProjectAssignmentConfig extends AssignmentConfig {
  generatedAt: string;
}

export async function loadAssignmentConfig(client: Db, projectId: string): Promise<ProjectAssignmentConfig> {
  const [production, promotion, experiments] = await Promise.all([
    client.modelVersion.findFirst({ where: { projectId, status: "production" }, select: { key: true } }),
    // The production ramp in progress (lib/releases): a paused one keeps serving its current step.
    client.promotion.findFirst({
      where: { projectId, status: { in: ["running", "paused"] } },
      select: { modelVersionKey: true, seed: true, steps: true, stepIndex: true },
    }),
    client.experiment.findMany({
      where: { projectId, status: "running" },
      include: { variants: { include: { modelVersion: { select: { key: true } } }, orderBy: { position: "asc" } } },
      // Start order decides which experiment a user who qualifies for two of them joins.
      orderBy: [{ startedAt: "asc" }, { createdAt: "asc" }],
    }),
  ]);
  const step = (promotion?.steps as { percent: number }[] | undefined)?.[promotion!.stepIndex];
  return {
    productionVersion: production?.key ?? null,
    rollout:
      promotion && step ? { modelVersion: promotion.modelVersionKey, seed: promotion.seed, share: rolloutShare(step.percent) } : null,
    experiments: experiments.map((e): ExperimentConfig => ({
      key: e.key,
      seed: e.seed,
      hashVersion: e.hashVersion === 1 ? 1 : 2,
      coverage: e.coverage,
      phase: e.phase,
      variants: e.variants.map((v) => ({ key: v.key, modelVersion: v.modelVersion.key, weight: v.weight })),
      namespace: e.namespaceName != null ? { name: e.namespaceName, start: e.namespaceStart ?? 0, end: e.namespaceEnd ?? 1 } : null,
      targeting: (e.targeting as Targeting | null) ?? null,
    })),
    generatedAt: new Date().toISOString(),
  };
}

/**
 * What changes the assignment config: experiments (their variants are rewritten with them), model
 * versions and promotions (a new one, a step, an end; not the guardrail numbers the ramp job stores every
 * 30 s). One indexed query, run at most once a second, so a rollback or a ramp step
 * made on another server instance is served everywhere within a couple of seconds.
 */
export async function assignmentConfigRevision(client: Db, projectId: string): Promise<string> {
  const rows = await client.$queryRawUnsafe<{ revision: string }[]>(
    `SELECT concat_ws('|',
       (SELECT concat(count(*), ':', max("updatedAt")) FROM "Experiment" WHERE "projectId" = $1),
       (SELECT concat(count(*), ':', max("updatedAt")) FROM "ModelVersion" WHERE "projectId" = $1),
       (SELECT concat(count(*), ':', max("stepStartedAt"), ':', count(*) FILTER (WHERE status IN ('running', 'paused')))
          FROM "Promotion" WHERE "projectId" = $1)) AS revision`,
    projectId,
  );
  return rows[0]?.revision ?? "";
}

const cache = projectCache("assignment-config", loadAssignmentConfig, assignmentConfigRevision);

export function assignmentConfig(client: Db, projectId: string): Promise<ProjectAssignmentConfig> {
  return cache.get(client, projectId);
}

export function invalidateAssignmentConfig(projectId: string) {
  cache.invalidate(projectId);
}

// Compiled once per loaded config: assignment is on every plugin request.
const compiled = new WeakMap<ProjectAssignmentConfig, CompiledAssignmentConfig>();

/** The config with its compiled form (bucket ranges, targeting), compiled once per loaded config. */
export async function compiledAssignmentConfig(client: Db, projectId: string) {
  const config = await assignmentConfig(client, projectId);
  let hit = compiled.get(config);
  if (!hit) compiled.set(config, (hit = compileConfig(config)));
  return { config, compiled: hit };
}
