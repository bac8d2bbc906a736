import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { call } from "./http";

// Every route file's exported methods must be in the OpenAPI document, under the same path: the
// document is generated from the contracts the routes parse with, so a route without a contract
// (or a contract without a route) shows up here.
function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? routeFiles(full) : entry.name === "route.ts" ? [full] : [];
  });
}

it("documents every route and method the app serves, and nothing it does not", async () => {
  const { GET } = await import("@/app/api/v1/openapi.json/route");
  const document = (await call(GET, "GET", "/api/v1/openapi.json")).body;
  const documented = new Set(
    Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([p, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`),
    ),
  );
  const served = new Set<string>();
  for (const file of routeFiles(path.resolve("app/api"))) {
    const route = path
      .dirname(path.relative(path.resolve("app"), file))
      .split(path.sep)
      .map((segment) => segment.replace(/^\[(\w+)\]$/, "{$1}"))
      .join("/");
    const source = fs.readFileSync(file, "utf8");
    for (const [, method] of source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE) =/g)) served.add(`${method} /${route}`);
  }
  expect([...served].sort()).toEqual([...documented].sort());
});
