import type { z } from "zod";
import type { Permission } from "../auth/permissions";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * The contract of one HTTP endpoint: the same zod schemas parse requests in the route wrapper,
 * generate /api/v1/openapi.json, and check every response in tests.
 */
export interface Endpoint<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** OpenAPI path, e.g. /api/v1/experiments/{key} */
  path: string;
  summary: string;
  tag: string;
  /** "public" needs no caller; "signed_in" any authenticated caller. */
  permission: Permission | "public" | "signed_in";
  params?: P;
  query?: Q;
  body?: B;
  /** What the OpenAPI document shows as the body, when the route parses in stages (e.g. events one by one). */
  documentedBody?: z.ZodType;
  response: R;
  /** Status of a successful answer (default 200); other statuses the endpoint may answer with. */
  status?: number;
  otherStatuses?: Record<number, { description: string; schema?: z.ZodType }>;
  /**
   * The handler parses the body itself from `rawBody` (e.g. off the main thread), answering as the wrapper
   * would; `body` still documents it, and the wrapper still checks the content type, the size and emptiness.
   */
  rawBody?: boolean;
  /** Largest accepted request body in bytes (default 1 MB). */
  maxBodyBytes?: number;
  description?: string;
}

const registry: Endpoint[] = [];

/** Registers a contract; the literal type is kept so handlers see exactly the parts it declares. */
export function endpoint<const D extends Endpoint>(definition: D): D {
  registry.push(definition as unknown as Endpoint);
  return definition;
}

export function registeredEndpoints(): readonly Endpoint[] {
  return registry;
}
