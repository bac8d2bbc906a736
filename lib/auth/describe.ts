import { can, type Permission, type Principal } from "./permissions";

const allPermissions: Permission[] = [
  "ingest",
  "read",
  "experiments:write",
  "models:write",
  "promote",
  "refinements:label",
  "datasets:write",
  "admin",
];

/** The caller as the API shows it (GET /api/auth/me). */
export function describePrincipal(principal: Principal) {
  return {
    kind: principal.kind,
    email: principal.kind === "user" ? principal.email : null,
    role: principal.kind === "user" ? principal.role : null,
    scope: principal.kind === "apiKey" ? principal.scope : null,
    projectId: principal.projectId,
    permissions: allPermissions.filter((p) => can(principal, p)),
  };
}
