import { databaseUrl } from "../settings";
import { isServerUrl } from "./adapter";
import type { Db } from "./index";

// Per-project values read from the metadata store on hot paths (the assignment config, whose code a
// project keeps), cached and rebuilt after any change made through this process, and at the latest
// after the TTL (changes made by another server instance). The embedded database allows a single
// process, so every change is local and the TTL can be long; that also keeps PGlite, which runs on the
// main thread, off the hot path.
const ttlMs = () => (isServerUrl(databaseUrl()) ? 5_000 : 60_000);

type Entries = Map<string, { value: Promise<unknown>; until: number }>;

// On globalThis: a change made through Next's copy of a module must reach server.ts's copy too.
const globalForCaches = globalThis as unknown as { __echoProjectCaches?: Map<string, Entries> };
const caches = (globalForCaches.__echoProjectCaches ??= new Map());

export interface ProjectCache<T> {
  get(client: Db, projectId: string): Promise<T>;
  invalidate(projectId: string): void;
}

/** A per-project cache named `name` of what `load` reads; a failed load is not kept. */
export function projectCache<T>(name: string, load: (client: Db, projectId: string) => Promise<T>): ProjectCache<T> {
  const entries: Entries = caches.get(name) ?? caches.set(name, new Map()).get(name)!;
  return {
    get(client, projectId) {
      const hit = entries.get(projectId);
      if (hit && hit.until > Date.now()) return hit.value as Promise<T>;
      const value = load(client, projectId);
      entries.set(projectId, { value, until: Date.now() + ttlMs() });
      value.catch(() => entries.delete(projectId));
      return value;
    },
    invalidate(projectId) {
      entries.delete(projectId);
    },
  };
}
