import { beforeAll, expect, it } from "vitest";
import { can, type Principal, type Role } from "@/lib/auth/permissions";
import { ADMIN_KEY, INGEST_KEY, call, servedRoutes, signInCookie } from "./http";

// Every route and method the app serves, against every role and key scope (and nobody): a caller the
// route's permission admits is never answered 401 or 403, anybody else always is (401 without
// credentials, 403 with). Driven by the route files and the OpenAPI document, so a route added later is
// covered without touching this test.

type Caller = { name: string; principal: Principal | null; key?: string; cookie?: string };
const callers: Caller[] = [];
const ROLES: Role[] = ["admin", "release_manager", "researcher", "viewer"];

beforeAll(async () => {
  const { createUser } = await import("@/lib/auth/service");
  const { database } = await import("@/lib/runtime/database");
  const client = await database();
  const projectId = (await client.project.findFirstOrThrow()).id;
  for (const role of ROLES) {
    const email = `access-${role}@test.local`;
    await createUser(client, { email, password: `password-${role}`, role });
    const principal: Principal = { kind: "user", userId: role, email, role, projectId };
    callers.push({ name: role, principal, cookie: await signInCookie(email, `password-${role}`) });
  }
  callers.push({ name: "ingest key", principal: { kind: "apiKey", keyId: "i", scope: "ingest", projectId }, key: INGEST_KEY });
  callers.push({ name: "admin key", principal: { kind: "apiKey", keyId: "a", scope: "admin", projectId }, key: ADMIN_KEY });
  callers.push({ name: "nobody", principal: null });
});

it("admits exactly the callers each route's permission names", async () => {
  const { GET } = await import("@/app/api/v1/openapi.json/route");
  const document = (await call(GET, "GET", "/api/v1/openapi.json")).body;
  const failures: string[] = [];
  let checked = 0;
  for (const { file, route } of servedRoutes()) {
    const handlers = (await import(file)) as Record<string, Parameters<typeof call>[0]>;
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
      const handler = handlers[method];
      if (!handler) continue;
      const operation = document.paths[`/${route}`][method.toLowerCase()];
      const permission = operation["x-echo-permission"] as string;
      const params = Object.fromEntries([...route.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name, "access-probe"]));
      for (const caller of callers) {
        // Signing out a cookie would end the session the next routes use.
        if (method === "DELETE" && route === "api/auth/session" && caller.cookie) continue;
        const answer = await call(handler, method, `/${route}`, {
          key: caller.key,
          cookie: caller.cookie,
          params,
          ...(method === "GET" || method === "DELETE" ? {} : { rawBody: "{}" }),
        });
        checked++;
        const admitted =
          permission === "public" ||
          (caller.principal !== null && (permission === "signed_in" || can(caller.principal, permission as never)));
        const expected = admitted ? "not 401/403" : caller.principal ? "403" : "401";
        const ok = admitted ? answer.status !== 401 && answer.status !== 403 : answer.status === (caller.principal ? 403 : 401);
        if (!ok) failures.push(`${method} /${route} as ${caller.name} (${permission}): ${answer.status}, expected ${expected}`);
        expect(answer.status, `${method} /${route} as ${caller.name}`).toBeLessThan(500);
      }
    }
  }
  expect(failures).toEqual([]);
  expect(checked).toBeGreaterThan(150);
}, 120_000);
