import { can, permissions, type Principal } from "./permissions";

/** The caller as the API shows it (GET /api/auth/me). */
export function describePrincipal(principal: Principal) {
  return {
    kind: principal.kind,
    email: principal.kind === "user" ? principal.email : null,
    role: principal.kind === "user" ? principal.role : null,
    scope: principal.kind === "apiKey" ? principal.scope : null,
    projectId: principal.projectId,
    permissions: permissions.filter((p) => can(principal, p)),
  };
}
