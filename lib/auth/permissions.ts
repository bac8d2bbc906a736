// Who may do what, defined once: the route wrapper asks `can(principal, permission)` before any handler
// runs, GET /api/auth/me lists a caller's permissions, and the settings page shows this table. Pure.

export const roles = ["admin", "release_manager", "researcher", "viewer"] as const;
export type Role = (typeof roles)[number];

/** Every permission with what it allows, in the order the settings page lists them. */
export const permissionDescriptions = {
  ingest: "Send events and read assignments and the SDK config",
  read: "Read experiments, results, model versions, refinements, datasets and the audit log",
  "experiments:write": "Create, change, start and stop experiments",
  "models:write": "Register model versions",
  promote: "Ship variants; start, advance and pause promotions; roll back",
  "refinements:label": "Label refinement samples",
  "datasets:write": "Export datasets",
  admin: "Manage users, API keys, webhooks and settings; override a failed guardrail",
} as const;

export type Permission = keyof typeof permissionDescriptions;
export const permissions = Object.keys(permissionDescriptions) as Permission[];

export const rolePermissions: Record<Role, readonly Permission[]> = {
  admin: ["ingest", "read", "experiments:write", "models:write", "promote", "refinements:label", "datasets:write", "admin"],
  release_manager: ["ingest", "read", "experiments:write", "models:write", "promote"],
  researcher: ["ingest", "read", "refinements:label", "datasets:write"],
  viewer: ["read"],
};

/** What an API key of each scope may do: an admin key everything, an ingest key only ingestion. */
export const keyScopePermissions: Record<"ingest" | "admin", readonly Permission[]> = {
  admin: permissions,
  ingest: ["ingest"],
};

export type Principal =
  | { kind: "user"; userId: string; email: string; role: Role; projectId: string }
  | { kind: "apiKey"; keyId: string; scope: "ingest" | "admin"; projectId: string };

export function can(principal: Principal, permission: Permission): boolean {
  const granted = principal.kind === "apiKey" ? keyScopePermissions[principal.scope] : rolePermissions[principal.role];
  return granted.includes(permission);
}

export function actorName(principal: Principal): string {
  return principal.kind === "user" ? principal.email : `api-key:${principal.keyId}`;
}
