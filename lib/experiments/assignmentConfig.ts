import { compileConfig, type AssignmentConfig, type CompiledAssignmentConfig, type ExperimentConfig, type Targeting } from "../assignment";
import type { Db } from "../db";
import { projectCache } from "../db/projectCache";

// The running experiments of a project in the shape lib/assignment evaluates (and GET /api/v1/config
// serves). Assignment runs on every plugin request, so the config is cached per project
// (lib/db/projectCache.ts: rebuilt after local changes, at the latest after a TTL).

export interface ProjectAssignmentConfig extends AssignmentConfig {
  generatedAt: string;
}

export async function loadAssignmentConfig(client: Db, projectId: string): Promise<ProjectAssignmentConfig> {
  const [production, experiments] = await Promise.all([
    client.modelVersion.findFirst({ where: { projectId, status: "production" }, select: { key: true } }),
    client.experiment.findMany({
      where: { projectId, status: "running" },
      include: { variants: { include: { modelVersion: { select: { key: true } } }, orderBy: { position: "asc" } } },
      // Start order decides which experiment a user who qualifies for two of them joins.
      orderBy: [{ startedAt: "asc" }, { createdAt: "asc" }],
    }),
  ]);
  return {
    productionVersion: production?.key ?? null,
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

const cache = projectCache("assignment-config", loadAssignmentConfig);

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
