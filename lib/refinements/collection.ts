import type { Db } from "../db";
import { projectCache } from "../db/projectCache";

// Whose code a project may keep: sample collection may be off for the whole project, and users who
// opted out keep their metrics but never their code. Ingestion asks on every refined event and the
// pipeline on every pass, so the answer is cached per project (as the assignment config is) and
// dropped on every local change (lib/db/projectCache.ts).

export interface CodeCollection {
  /** The project keeps refinement samples at all. */
  enabled: boolean;
  optedOut: ReadonlySet<string>;
}

async function load(client: Db, projectId: string): Promise<CodeCollection> {
  const [project, optOuts] = await Promise.all([
    client.project.findUnique({ where: { id: projectId }, select: { collectSamples: true } }),
    client.optOut.findMany({ where: { projectId }, select: { userId: true } }),
  ]);
  return { enabled: project?.collectSamples ?? true, optedOut: new Set(optOuts.map((o) => o.userId)) };
}

const cache = projectCache("code-collection", load);

export function codeCollection(client: Db, projectId: string): Promise<CodeCollection> {
  return cache.get(client, projectId);
}

export function invalidateCodeCollection(projectId: string) {
  cache.invalidate(projectId);
}
