import { expect, it } from "vitest";
import { clickhouse } from "@/lib/clickhouse";
import { flushIngestion } from "@/lib/ingestion/log";
import { database } from "@/lib/runtime/database";
import { ADMIN_KEY, servedRoutes } from "./http";

// Malformed and hostile requests to every route, generated from the OpenAPI document (so a route added
// later is fuzzed without touching this file): wrong types for every field, unknown keys, missing and
// broken JSON, invalid UTF-8, deep nesting, huge values, SQL fragments in every string and query
// parameter, the wrong content type, oversized bodies and bad credentials. No answer may be a 5xx, a
// validation error must name its field, a change must be refused, and nothing may be stored.
// FUZZ_PER_ROUTE sets the requests per route (npm test: 300; npm run test:hardening: 10,000).

const PER_ROUTE = Number(process.env.FUZZ_PER_ROUTE || 300);

const SQL = [
  "' OR 1=1 --",
  '"; DROP TABLE events; --',
  "') UNION SELECT password FROM users --",
  "{projectId:String}",
  "\\' FORMAT JSON",
  "1; SELECT sleep(3)",
  "`rm -rf /`",
  "<script>alert(1)</script>",
];
const WRONG = [12345, -1.5, "text", true, null, [], {}, [1, "a", null], { nested: { deeper: [] } }];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; enum?: unknown[] };

/** A value that no schema of this type accepts. */
function wrongFor(schema: Schema | undefined, random: () => number): unknown {
  const type = Array.isArray(schema?.type) ? schema?.type[0] : schema?.type;
  const candidates = WRONG.filter((value) => {
    if (value === null) return !(Array.isArray(schema?.type) && schema?.type.includes("null"));
    if (Array.isArray(value)) return type !== "array";
    if (typeof value === "object") return type !== "object";
    if (typeof value === "number") return type !== "number" && type !== "integer";
    if (typeof value === "boolean") return type !== "boolean";
    return type !== "string";
  });
  return candidates[Math.floor(random() * candidates.length)];
}

/** JSON nested `depth` arrays deep (written as text: stringifying it would overflow the stack). */
function deep(depth: number): string {
  return `${"[".repeat(depth)}"bottom"${"]".repeat(depth)}`;
}

interface Probe {
  body?: Uint8Array | string;
  contentType?: string;
  query?: Record<string, string>;
  params?: Record<string, string>;
  key?: string;
}

/** One malformed request for an operation; `mutating` ones must never be accepted. */
function probe(operation: Record<string, any>, pathParams: string[], random: () => number): Probe {
  const bodySchema: Schema | undefined = operation.requestBody?.content?.["application/json"]?.schema;
  const queryNames: string[] = (operation.parameters ?? []).filter((p: any) => p.in === "query").map((p: any) => p.name);
  const params = Object.fromEntries(
    pathParams.map((name) => [name, random() < 0.5 ? SQL[Math.floor(random() * SQL.length)] : "x".repeat(300)]),
  );
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const properties = Object.entries(bodySchema?.properties ?? {});
  const kind = Math.floor(random() * 10);
  if (random() < 0.05) return { key: `echo_admin_${Math.floor(random() * 1e9)}`, params, body: "{}" };
  if (!bodySchema) {
    // Query fuzzing: an unknown key, a wrong value, or SQL in a real one.
    const query: Record<string, string> = {};
    if (kind < 3 || !queryNames.length) query[`unknown_${kind}`] = pick(SQL);
    else if (kind < 6) query[pick(queryNames)] = pick(["-1", "1e309", "NaN", "", "[]", "{}", "\u0000", "9".repeat(400)]);
    else query[pick(queryNames)] = pick(SQL);
    return { query, params };
  }
  const base: Record<string, unknown> = Object.fromEntries(properties.map(([name]) => [name, pick(SQL)]));
  switch (kind) {
    case 0: // a wrong type for one field, the others hostile strings
      if (properties.length) {
        const [name, schema] = pick(properties);
        base[name] = wrongFor(schema, random);
      }
      return { body: JSON.stringify({ ...base, [`unknown_${kind}`]: 1 }), params };
    case 1: // an unknown key beside SQL in every field
      return { body: JSON.stringify({ ...base, [pick(["__proto__", "constructor", "extra"])]: { polluted: true } }), params };
    case 2:
      return { body: pick(["{", "[1,2", "nul", '{"a":}', "", "  ", "\u0000"]), params };
    case 3: // invalid UTF-8
      return { body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]), params };
    case 4:
      return { body: deep(200 + Math.floor(random() * 50_000)), params };
    case 5: // huge values
      return { body: JSON.stringify(Object.fromEntries(properties.map(([name]) => [name, "y".repeat(60_000)]))), params };
    case 6:
      return {
        body: JSON.stringify(base),
        contentType: pick(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]),
        params,
      };
    case 7:
      return { body: JSON.stringify(pick([[], "string", 42, null, true])), params };
    case 8: // every field of the wrong type
      return { body: JSON.stringify(Object.fromEntries(properties.map(([name, schema]) => [name, wrongFor(schema, random)]))), params };
    default: // oversized: past every route's limit
      return { body: `{"pad":"${"z".repeat(5 * 1024 * 1024 + 10)}"}`, params };
  }
}

async function storedCounts() {
  await flushIngestion();
  const client = await database();
  const ch = await clickhouse();
  const clickhouseCount = async (table: string) =>
    Number((await (await ch.query({ query: `SELECT count() AS n FROM ${table}`, format: "JSONEachRow" })).json<{ n: number }>())[0].n);
  return {
    modelVersions: await client.modelVersion.count(),
    experiments: await client.experiment.count(),
    apiKeys: await client.apiKey.count(),
    users: await client.user.count(),
    datasets: await client.dataset.count(),
    optOuts: await client.optOut.count(),
    audit: await client.auditLog.count(),
    events: await clickhouseCount("events"),
    exposures: await clickhouseCount("exposures"),
    labels: await clickhouseCount("refinement_labels"),
  };
}

it(`answers ${PER_ROUTE} malformed requests per route with a 4xx naming the field, and stores nothing`, async () => {
  const { GET } = await import("@/app/api/v1/openapi.json/route");
  const document = await (await GET(new Request("http://localhost/api/v1/openapi.json"), { params: Promise.resolve({}) })).json();
  const before = await storedCounts();
  const random = rng(20261201);
  const problems: string[] = [];
  let sent = 0;
  for (const { file, route } of servedRoutes()) {
    const handlers = (await import(file)) as Record<string, (request: Request, context: unknown) => Promise<Response>>;
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
      if (!handlers[method]) continue;
      const operation = document.paths[`/${route}`][method.toLowerCase()];
      const pathParams = [...route.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
      // Sign-out and the pages' own reads answer any shape: nothing to refuse there.
      const refusable = method !== "GET" && !(method === "DELETE" && route === "api/auth/session");
      for (let i = 0; i < PER_ROUTE; i++) {
        const p = probe(operation, pathParams, random);
        const url = new URL(`http://localhost/${route}`);
        for (const [k, v] of Object.entries(p.query ?? {})) url.searchParams.set(k, v);
        const headers: Record<string, string> = { authorization: `Bearer ${p.key ?? ADMIN_KEY}` };
        if (p.body !== undefined && method !== "GET" && method !== "DELETE") headers["content-type"] = p.contentType ?? "application/json";
        const request = new Request(url, {
          method,
          headers,
          body: method === "GET" || method === "DELETE" ? undefined : (p.body as BodyInit | undefined),
        });
        const response = await handlers[method](request, { params: Promise.resolve(p.params ?? {}) });
        const text = await response.text();
        sent++;
        const where = `${method} /${route} #${i} (${response.status}): ${text.slice(0, 200)}`;
        if (response.status >= 500) problems.push(`5xx ${where}`);
        else if (refusable && response.status < 400) problems.push(`accepted ${where}`);
        else if (response.status === 400) {
          const error = JSON.parse(text).error;
          if (error.code === "validation_failed" && !(error.details.length > 0 && error.details.every((d: any) => d.path))) {
            problems.push(`unnamed field ${where}`);
          }
        }
        if (problems.length > 20) break;
      }
    }
  }
  expect(problems).toEqual([]);
  expect(await storedCounts()).toEqual(before);
  expect(sent).toBeGreaterThanOrEqual(PER_ROUTE * 30);
}, 900_000);
