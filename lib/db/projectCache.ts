import { databaseUrl } from "../settings";
import { isServerUrl } from "./adapter";
import type { Db } from "./index";

// Per-project values read from the metadata store on hot paths (the assignment config, whose code a
// project keeps), cached and rebuilt after any change made through this process, and at the latest
// after the TTL (changes made by another server instance). The embedded database allows a single
// process, so every change is local and the TTL can be long; that also keeps PGlite, which runs on the
// main thread, off the hot path. A cache that must follow changes made elsewhere sooner (a rollback
// is due on every instance within seconds) gives a `revision`: a cheap query, run at most once per
// REVISION_CHECK_MS in the background, whose change reloads the value.
const ttlMs = () => (isServerUrl(databaseUrl()) ? 5_000 : 60_000);

/** How often a cached value's revision is compared with the store's. */
export const REVISION_CHECK_MS = 1_000;

interface Entry {
  value: Promise<unknown>;
  until: number;
  revision: Promise<string> | null;
  checkedAt: number;
  checking: boolean;
}
type Entries = Map<string, Entry>;

// On globalThis: a change made through Next's copy of a module must reach server.ts's copy too.
const globalForCaches = globalThis as unknown as { __echoProjectCaches?: Map<string, Entries> };
const caches = (globalForCaches.__echoProjectCaches ??= new Map());

export interface ProjectCache<T> {
  get(client: Db, projectId: string): Promise<T>;
  invalidate(projectId: string): void;
}

/** A per-project cache named `name` of what `load` reads; a failed load is not kept. */
export function projectCache<T>(
  name: string,
  load: (client: Db, projectId: string) => Promise<T>,
  revision?: (client: Db, projectId: string) => Promise<string>,
): ProjectCache<T> {
  const entries: Entries = caches.get(name) ?? caches.set(name, new Map()).get(name)!;
  const fill = (client: Db, projectId: string) => {
    // The revision is read before the value, so a change landing in between reloads once more rather than never.
    const revisionRead = revision ? revision(client, projectId) : null;
    const value = (revisionRead ?? Promise.resolve()).then(() => load(client, projectId));
    const entry: Entry = { value, until: Date.now() + ttlMs(), revision: revisionRead, checkedAt: Date.now(), checking: false };
    entries.set(projectId, entry);
    value.catch(() => entries.get(projectId) === entry && entries.delete(projectId));
    return entry;
  };
  const check = (client: Db, projectId: string, entry: Entry) => {
    entry.checking = true;
    entry.checkedAt = Date.now();
    Promise.all([entry.revision, revision!(client, projectId)])
      .then(([cached, current]) => {
        if (cached !== current && entries.get(projectId) === entry) fill(client, projectId);
      })
      .catch(() => entries.get(projectId) === entry && entries.delete(projectId))
      .finally(() => (entry.checking = false));
  };
  return {
    get(client, projectId) {
      const hit = entries.get(projectId);
      const now = Date.now();
      if (!hit || hit.until <= now) return fill(client, projectId).value as Promise<T>;
      // Answer from the cache meanwhile: a change is picked up by the requests after the check.
      if (revision && !hit.checking && now - hit.checkedAt >= REVISION_CHECK_MS) check(client, projectId, hit);
      return hit.value as Promise<T>;
    },
    invalidate(projectId) {
      entries.delete(projectId);
    },
  };
}
