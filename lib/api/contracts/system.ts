import { z } from "zod";
import { endpoint } from "../endpoint";

export const healthSchema = z.object({
  clickhouse: z.object({
    ok: z.boolean(),
    engine: z.enum(["chdb", "server"]),
    version: z.string().nullable(),
    error: z.string().optional(),
  }),
  database: z.object({ ok: z.boolean(), engine: z.enum(["pglite", "postgresql"]).optional(), error: z.string().optional() }),
  ingestion: z
    .object({
      pendingSegments: z.number().int().describe("Write-ahead log segments acknowledged but not yet stored in ClickHouse"),
      pendingRows: z.number().int().describe("Rows this server process acknowledged that are not yet stored"),
      failedAttempts: z.number().int().describe("Consecutive failed attempts to write the log and to store it (0 when healthy)"),
      writable: z.boolean().describe("False from a failed write to the log until a write succeeds; meanwhile ingestion answers 503"),
      lastError: z.string().nullable().describe("Why the last failed attempt to write or store the log failed; null when both work"),
    })
    .optional(),
});

export const health = endpoint({
  method: "GET",
  path: "/api/health",
  summary: "Health of the event store (ClickHouse) and the metadata database",
  tag: "System",
  permission: "public",
  response: healthSchema,
  otherStatuses: { 503: { description: "A store is down", schema: healthSchema } },
});

export const openapi = endpoint({
  method: "GET",
  path: "/api/v1/openapi.json",
  summary: "This API as an OpenAPI 3.1 document",
  tag: "System",
  permission: "public",
  response: z.record(z.string(), z.unknown()),
});
