import fs from "node:fs";
import path from "node:path";

// Calls route handlers the way Next.js does (a Request and a params promise): the real wrapper, auth,
// parsing and stores, without a server in between.

type RouteHandler = (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

export const ADMIN_KEY = "echo_admin_test_key";
export const INGEST_KEY = "echo_ingest_test_key";

export interface CallOptions {
  key?: string;
  cookie?: string;
  body?: unknown;
  rawBody?: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

export async function call<T = any>(handler: RouteHandler, method: string, path: string, options: CallOptions = {}) {
  const url = new URL(`http://localhost${path}`);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.cookie) headers.cookie = options.cookie;
  const body = options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
  if (body !== undefined) headers["content-type"] ??= "application/json";
  const response = await handler(new Request(url, { method, headers, body }), { params: Promise.resolve(options.params ?? {}) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as T };
}

/** Signs in through the real endpoint and returns the session cookie. */
export async function signInCookie(email: string, password: string): Promise<string> {
  const { POST } = await import("@/app/api/auth/session/route");
  const response = await call(POST, "POST", "/api/auth/session", { body: { email, password } });
  if (response.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(response.body)}`);
  return response.headers.get("set-cookie")!.split(";")[0];
}

/** Every route file under app/api with its OpenAPI path (`api/v1/experiments/{key}`, no leading slash). */
export function servedRoutes(dir = path.resolve("app/api")): { file: string; route: string }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return servedRoutes(full);
    if (entry.name !== "route.ts") return [];
    const route = path
      .dirname(path.relative(path.resolve("app"), full))
      .split(path.sep)
      .map((segment) => segment.replace(/^\[(\w+)\]$/, "{$1}"))
      .join("/");
    return [{ file: full, route }];
  });
}
