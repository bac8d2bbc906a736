import { z } from "zod";
import { authenticate, can, type Principal } from "../auth/service";
import type { Db } from "../db";
import { database } from "../runtime/database";
import type { Endpoint } from "./endpoint";
import { DomainError, type ErrorDetail } from "../errors";
import { parseJsonText } from "../json";
import { ApiError, badRequest, errorBody, forbidden, fromDomainError, payloadTooLarge, unauthorized, zodDetails } from "./errors";

/** The parsed type of one part (params, query, body) of an endpoint, or undefined when it has none. */
type Out<E, K extends string> = E extends { [P in K]: infer S extends z.ZodType } ? z.output<S> : undefined;

/**
 * A request as the wrapper needs it, independent of the transport: Next.js hands route handlers a Web
 * Request, while server.ts serves the hot ingestion routes from Node's request directly (building a
 * Web Request and Response costs more than those handlers themselves).
 */
export interface ApiRequest {
  method: string;
  url: string;
  headers: { get(name: string): string | null };
  /** The body, read as it streams in and refused (413) the moment it passes `limit` bytes. */
  body(limit: number): Promise<Uint8Array>;
  params: Record<string, string | string[]>;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** A JSON answer's text, or the chunks of a streamed answer (StreamReply), read once as the client takes them. */
  body: string | AsyncIterable<Uint8Array>;
}

export interface HandlerContext<E extends Endpoint> {
  request: ApiRequest;
  params: Out<E, "params">;
  query: Out<E, "query">;
  /** With `rawBody`, the handler parses the body itself (answering as the wrapper would: invalidJson, invalidInput). */
  body: E extends { rawBody: true } ? undefined : Out<E, "body">;
  /** The body's bytes, read within the endpoint's limit. */
  rawBody: Uint8Array | undefined;
  principal: E["permission"] extends "public" ? null : Principal;
  /** The metadata store; public endpoints get none and open what they need themselves (health must answer when it is down). */
  db: E["permission"] extends "public" ? undefined : Db;
}

/** A successful answer with a status other than the endpoint's default (e.g. 207) or extra headers. */
export class Reply<T> {
  constructor(
    readonly status: number,
    readonly body: T,
    readonly headers: Record<string, string> = {},
  ) {}
}

/**
 * A successful answer streamed to the client instead of one JSON text (e.g. a dataset download): its
 * status, headers and the chunks of its body, produced only as the client reads them (backpressure), so
 * a large answer is never held in memory. The handler checks everything that can fail with an error
 * answer before it returns one; a failure while streaming can only cut the answer short (the error is
 * logged). Response checks (ECHO_CHECK_RESPONSES) do not apply to streamed answers.
 */
export class StreamReply {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly body: AsyncIterable<string | Uint8Array>,
  ) {}
}

const encoder = new TextEncoder();

/** The chunks of a streamed answer as bytes; a failure is logged with the route and passed on (it aborts the answer). */
async function* streamBytes(definition: Endpoint, body: AsyncIterable<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]();
  const nextBytes = async () => {
    const next = await iterator.next();
    if (next.done) return null;
    return typeof next.value === "string" ? encoder.encode(next.value) : next.value;
  };
  try {
    // Only the bytes being handed over stay referenced while the reader has not asked for more.
    for (let bytes = await nextBytes(); bytes; bytes = await nextBytes()) if (bytes.byteLength) yield bytes;
  } catch (error) {
    console.error(`[echo] ${definition.method} ${definition.path} failed while streaming its answer:`, error);
    throw error;
  } finally {
    await iterator.return?.(); // the reader went away early: stop the source
  }
}

/** A Web stream that pulls the next chunk only when the reader wants one, and stops the source if the reader cancels. */
function readableStream(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

type RouteContext = { params: Promise<Record<string, string | string[]>> };

const DEFAULT_MAX_BODY = 1024 * 1024;

/** Sent with every API answer (pages get the same from next.config.ts). */
export const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
} as const;

function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    status,
    body: JSON.stringify(body),
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...SECURITY_HEADERS, ...headers },
  };
}

/** A body beyond `limit` bytes: named by its declared length or by the bytes read so far. */
export const tooLarge = (bytes: number, limit: number, declared = false) =>
  payloadTooLarge(`Request body is ${declared ? "" : "over "}${bytes} bytes; the limit is ${limit} bytes`);

/** A Web request's body, read chunk by chunk and abandoned once it passes `limit` bytes. */
export async function readLimited(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit, limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * The raw body, before any authentication work: a declared length over the limit is refused at once,
 * anything else is read only up to the limit, and only JSON is taken (a form post from another site
 * cannot send application/json without the browser asking first).
 */
async function rawBody(request: ApiRequest, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw tooLarge(declared, limit, true);
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") {
    throw new ApiError(415, "unsupported_media_type", `Send the body as application/json (Content-Type was '${type || "missing"}')`, [
      { path: "content-type", message: "must be application/json" },
    ]);
  }
  return request.body(limit);
}

/** The answers to a body that is not JSON, also for routes that parse their body themselves (`rawBody`). */
export const emptyBody = () => badRequest("Request body is empty; send a JSON object", [], "invalid_json");
export const invalidJson = (message: string) => badRequest(`Request body is not valid JSON: ${message}`, [], "invalid_json");

/** The answer to input that breaks its schema, naming each field. */
export const invalidInput = (where: string, details: ErrorDetail[]) =>
  badRequest(`Invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, details, "validation_failed");

function parseJson(buffer: Uint8Array): unknown {
  if (buffer.byteLength === 0) throw emptyBody();
  const text = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength).toString("utf8");
  try {
    return parseJsonText(text);
  } catch (error) {
    throw invalidJson((error as Error).message);
  }
}

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Cross-site request forgery: a browser sends the session cookie with a request another site makes,
 * so a state change without an API key must come from this site. The Origin header (or, without one,
 * Sec-Fetch-Site) says where the page that sent it lives.
 */
function checkSameOrigin(request: ApiRequest) {
  if (!STATE_CHANGING.has(request.method.toUpperCase()) || request.headers.get("authorization")) return;
  const origin = request.headers.get("origin");
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  let crossSite = request.headers.get("sec-fetch-site") === "cross-site";
  if (origin) {
    try {
      crossSite = origin === "null" || new URL(origin).host !== host;
    } catch {
      crossSite = true;
    }
  }
  if (crossSite) throw forbidden("Cross-site request refused: send it from this site, or with an API key");
}

function parse<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw invalidInput(where, zodDetails(result.error, where === "body" ? "" : where));
  return result.data;
}

function searchParamsObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    out[key] = values.length > 1 ? values : values[0];
  }
  return out;
}

function prismaConflict(error: unknown): ApiError | undefined {
  const code = (error as { code?: string })?.code;
  if (code === "P2002") {
    const target = (error as { meta?: { target?: string[] | string } }).meta?.target;
    const fields = Array.isArray(target) ? target.filter((f) => f !== "projectId") : target ? [target] : [];
    return new ApiError(
      409,
      "conflict",
      `Already exists: ${fields.join(", ") || "a record with the same key"}`,
      fields.map((f) => ({ path: f, message: "must be unique" })),
    );
  }
  if (code === "P2025") return new ApiError(404, "not_found", "Not found");
  return undefined;
}

function checkResponse(definition: Endpoint, status: number, body: unknown) {
  // Tests run with ECHO_CHECK_RESPONSES=1: every answer must match its documented schema.
  if (process.env.ECHO_CHECK_RESPONSES !== "1") return;
  const schema = status === (definition.status ?? 200) ? definition.response : definition.otherStatuses?.[status]?.schema;
  if (!schema) throw new Error(`${definition.method} ${definition.path} answered ${status}, which its contract does not list`);
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new Error(
      `${definition.method} ${definition.path} answered a body that breaks its contract: ${JSON.stringify(zodDetails(result.error))}`,
    );
  }
}

export type CoreHandler = (request: ApiRequest) => Promise<ApiResponse>;
export type WebRouteHandler = ((request: Request, context: RouteContext) => Promise<Response>) & { core: CoreHandler };

/**
 * The one wrapper every route goes through: authenticate, authorize, parse params/query/body strictly,
 * call the handler, and map typed errors to HTTP answers in the documented error format.
 */
export function handle<E extends Endpoint>(
  definition: E,
  handler: (context: HandlerContext<E>) => Promise<Out<E, "response"> | Reply<unknown> | StreamReply>,
): WebRouteHandler {
  const core: CoreHandler = async (request) => {
    try {
      checkSameOrigin(request);
      // Bounded before any authentication work: an anonymous client cannot make the server hold more.
      const raw = definition.body ? await rawBody(request, definition.maxBodyBytes ?? DEFAULT_MAX_BODY) : undefined;
      const client = definition.permission === "public" ? undefined : await database();
      const principal = client ? await authenticate(client, request.headers) : null;
      if (client) {
        if (!principal) throw unauthorized();
        const permission = definition.permission as Exclude<Endpoint["permission"], "public">;
        if (permission !== "signed_in" && !can(principal, permission)) {
          const who = principal.kind === "user" ? `role '${principal.role}'` : `an ${principal.scope} API key`;
          throw forbidden(`This needs the '${permission}' permission, which ${who} does not have`);
        }
      }
      const params = definition.params ? parse(definition.params, request.params, "params") : undefined;
      const query = definition.query
        ? parse(definition.query, searchParamsObject(new URL(request.url, "http://localhost")), "query")
        : undefined;
      if (definition.rawBody && raw?.byteLength === 0) throw emptyBody();
      const body = definition.body && raw && !definition.rawBody ? parse(definition.body, parseJson(raw), "body") : undefined;
      const result = await handler({ request, params, query, body, rawBody: raw, principal, db: client } as HandlerContext<E>);
      if (result instanceof StreamReply) {
        return {
          status: result.status,
          headers: { "cache-control": "no-store", ...result.headers },
          body: streamBytes(definition, result.body),
        };
      }
      if (result instanceof Reply) {
        checkResponse(definition, result.status, result.body);
        return json(result.status, result.body, result.headers);
      }
      const status = definition.status ?? 200;
      checkResponse(definition, status, result);
      return json(status, result);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : error instanceof DomainError ? fromDomainError(error) : prismaConflict(error);
      if (apiError) return json(apiError.status, errorBody(apiError), apiError.headers);
      console.error(`[echo] ${definition.method} ${definition.path} failed:`, error);
      return json(500, { error: { code: "internal", message: "Internal error; the server log has the details", details: [] } });
    }
  };
  const web = async (request: Request, routeContext: RouteContext) => {
    const answer = await core({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: (limit) => readLimited(request.body, limit),
      params: await routeContext.params,
    });
    const body = typeof answer.body === "string" ? answer.body : readableStream(answer.body);
    return new Response(body, { status: answer.status, headers: answer.headers });
  };
  return Object.assign(web, { core });
}
