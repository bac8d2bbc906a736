import { compileConfig, type AssignmentConfig, type CompiledAssignmentConfig, type ExperimentConfig, type Targeting } from "../assignment";
import { databaseUrl } from "../settings";
import type { Db } from "../db";
import { isServerUrl } from "../db/adapter";

// The running experiments of a project in the shape lib/assignment evaluates (and GET /api/v1/config
// serves). Assignment runs on every plugin request, so the config is cached per project and rebuilt
// after any change made through this process, and at the latest after the TTL (changes made by another
// server instance). The embedded database allows a single process, so every change is local and the
// TTL can be long; that also keeps PGlite, which runs on the main thread, off the hot path.
const configTtlMs = () => (isServerUrl(databaseUrl()) ? 5_000 : 60_000);

export interface ProjectAssignmentConfig extends AssignmentConfig {
  generatedAt: string;
}

// On globalThis: a change made through Next's copy of this module must invalidate server.ts's copy too.
const globalForConfig = globalThis as unknown as {
  __echoConfigCache?: Map<string, { config: Promise<ProjectAssignmentConfig>; until: number }>;
};
const cache = (globalForConfig.__echoConfigCache ??= new Map());

export function invalidateAssignmentConfig(projectId: string) {
  cache.delete(projectId);
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

export function assignmentConfig(client: Db, projectId: string): Promise<ProjectAssignmentConfig> {
  const hit = cache.get(projectId);
  if (hit && hit.until > Date.now()) return hit.config;
  const config = loadAssignmentConfig(client, projectId);
  cache.set(projectId, { config, until: Date.now() + configTtlMs() });
  config.catch(() => cache.delete(projectId));
  return config;
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
