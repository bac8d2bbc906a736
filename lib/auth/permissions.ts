// Who may do what. Pure: the route wrapper asks `can(principal, permission)` before any handler runs.

export const roles = ["admin", "release_manager", "researcher", "viewer"] as const;
export type Role = (typeof roles)[number];

export type Permission =
  | "ingest" // write events, read assignments and the SDK config
  | "read" // read experiments, results, model versions, refinements
  | "experiments:write"
  | "models:write"
  | "promote"
  | "refinements:label"
  | "datasets:write"
  | "admin"; // users, API keys, settings, audit log

const rolePermissions: Record<Role, readonly Permission[]> = {
  admin: ["ingest", "read", "experiments:write", "models:write", "promote", "refinements:label", "datasets:write", "admin"],
  release_manager: ["ingest", "read", "experiments:write", "models:write", "promote"],
  researcher: ["ingest", "read", "refinements:label", "datasets:write"],
  viewer: ["read"],
};

export type Principal =
  | { kind: "user"; userId: string; email: string; role: Role; projectId: string }
  | { kind: "apiKey"; keyId: string; scope: "ingest" | "admin"; projectId: string };

export function can(principal: Principal, permission: Permission): boolean {
  if (principal.kind === "apiKey") return principal.scope === "admin" || permission === "ingest";
  return rolePermissions[principal.role].includes(permission);
}

export function actorName(principal: Principal): string {
  return principal.kind === "user" ? principal.email : `api-key:${principal.keyId}`;
}
