import { z } from "zod";
import "./contracts";
import { registeredEndpoints, type Endpoint } from "./endpoint";
import { errorSchema } from "./errors";

const jsonSchema = (schema: z.ZodType, io: "input" | "output") =>
  z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Record<string, unknown>;

function parametersOf(endpoint: Endpoint) {
  const out: Record<string, unknown>[] = [];
  for (const [location, schema] of [
    ["path", endpoint.params],
    ["query", endpoint.query],
  ] as const) {
    if (!schema) continue;
    const object = jsonSchema(schema, "input") as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      out.push({ name, in: location, required: location === "path" || (object.required ?? []).includes(name), schema: property });
    }
  }
  return out;
}

const errorResponses: Record<number, string> = {
  400: "Invalid input: the message and details name each bad field",
  401: "No valid session or API key",
  403: "The caller's role or key scope does not allow this",
  404: "Not found",
  409: "Conflicts with the current state",
  413: "Body too large",
  415: "The body is not application/json",
  422: "Understood but not applicable",
  429: "Too many attempts; Retry-After says when to try again",
};

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes parse with. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of registeredEndpoints()) {
    const responses: Record<string, unknown> = {
      [endpoint.status ?? 200]: {
        description: "Success",
        content: { "application/json": { schema: jsonSchema(endpoint.response, "output") } },
      },
    };
    for (const [status, other] of Object.entries(endpoint.otherStatuses ?? {})) {
      responses[status] = {
        description: other.description,
        ...(other.schema ? { content: { "application/json": { schema: jsonSchema(other.schema, "output") } } } : {}),
      };
    }
    for (const [status, description] of Object.entries(errorResponses)) {
      if (endpoint.permission === "public" && (status === "401" || status === "403")) continue;
      responses[status] ??= { description, content: { "application/json": { schema: jsonSchema(errorSchema, "output") } } };
    }
    (paths[endpoint.path] ??= {})[endpoint.method.toLowerCase()] = {
      summary: endpoint.summary,
      ...(endpoint.description ? { description: endpoint.description } : {}),
      tags: [endpoint.tag],
      security: endpoint.permission === "public" ? [] : [{ bearer: [] }, { session: [] }],
      "x-echo-permission": endpoint.permission,
      parameters: parametersOf(endpoint),
      ...(endpoint.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: jsonSchema(endpoint.documentedBody ?? endpoint.body, "input") } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Echo API", version: "1.0.0", description: "A/B results and refinement datasets for AI code completion." },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "API key: scope 'ingest' (events, assign, config) or 'admin' (everything)" },
        session: { type: "apiKey", in: "cookie", name: "echo_session" },
      },
    },
    paths,
  };
}
