import fs from "node:fs";
import { expect, it } from "vitest";
import { call, servedRoutes } from "./http";

// Every route file's exported methods must be in the OpenAPI document, under the same path: the
// document is generated from the contracts the routes parse with, so a route without a contract
// (or a contract without a route) shows up here.
it("documents every route and method the app serves, and nothing it does not", async () => {
  const { GET } = await import("@/app/api/v1/openapi.json/route");
  const document = (await call(GET, "GET", "/api/v1/openapi.json")).body;
  const documented = new Set(
    Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([p, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`),
    ),
  );
  const served = new Set<string>();
  for (const { file, route } of servedRoutes()) {
    const source = fs.readFileSync(file, "utf8");
    for (const [, method] of source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE) =/g)) served.add(`${method} /${route}`);
  }
  expect([...served].sort()).toEqual([...documented].sort());
});
