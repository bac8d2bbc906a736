import type { Db } from "../db";
import { isServerUrl } from "../db/adapter";
import { databaseUrl } from "../settings";

// Whose code a project may keep: sample collection may be off for the whole project, and users who
// opted out keep their metrics but never their code. Ingestion asks on every refined event and the
// pipeline on every pass, so the answer is cached per project (as the assignment config is) and
// dropped on every local change.

export interface CodeCollection {
  /** The project keeps refinement samples at all. */
  enabled: boolean;
  optedOut: ReadonlySet<string>;
}

const ttlMs = () => (isServerUrl(databaseUrl()) ? 5_000 : 60_000);

// On globalThis: a change made through Next's copy of this module must reach server.ts's copy too.
const globalForCollection = globalThis as unknown as { __echoCollection?: Map<string, { value: Promise<CodeCollection>; until: number }> };
const cache = (globalForCollection.__echoCollection ??= new Map());

export function invalidateCodeCollection(projectId: string) {
  cache.delete(projectId);
}

async function load(client: Db, projectId: string): Promise<CodeCollection> {
  const [project, optOuts] = await Promise.all([
    client.project.findUnique({ where: { id: projectId }, select: { collectSamples: true } }),
    client.optOut.findMany({ where: { projectId }, select: { userId: true } }),
  ]);
  return { enabled: project?.collectSamples ?? true, optedOut: new Set(optOuts.map((o) => o.userId)) };
}

export function codeCollection(client: Db, projectId: string): Promise<CodeCollection> {
  const hit = cache.get(projectId);
  if (hit && hit.until > Date.now()) return hit.value;
  const value = load(client, projectId);
  cache.set(projectId, { value, until: Date.now() + ttlMs() });
  value.catch(() => cache.delete(projectId));
  return value;
}
