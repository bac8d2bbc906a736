/**
 * Namespaces (GrowthBook's `inNamespace`): experiments that claim disjoint slices of the same
 * namespace can never share a user, independently of their own seeds.
 */
import { FNV_INITIAL_STATE, fnvContinue } from "./hash";
import type { Namespace } from "./types";

/** The string appended to the user id before hashing: GrowthBook hashes `userId + "__" + name`. */
export function namespaceSuffix(name: string): string {
  return "__" + name;
}

/**
 * The user's position in the namespace: `fnv1a32(userId + "__" + name) % 1000 / 1000`,
 * i.e. hash version 1 with seed `"__" + name`.
 */
export function namespaceHash(userId: string, name: string): number {
  return namespaceHashWithSuffix(userId, namespaceSuffix(name));
}

/** `namespaceHash` with the suffix precomputed (see `compileExperiment`). */
export function namespaceHashWithSuffix(userId: string, suffix: string): number {
  const hash = fnvContinue(fnvContinue(FNV_INITIAL_STATE, userId), suffix) >>> 0;
  return (hash % 1000) / 1000;
}

/** Whether the user falls in the namespace slice `[start, end)`. */
export function inNamespace(userId: string, namespace: Namespace): boolean {
  const position = namespaceHash(userId, namespace.name);
  return position >= namespace.start && position < namespace.end;
}
