import { z } from "zod";
import { endpoint } from "../endpoint";

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scope: z.enum(["ingest", "admin"]),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const listApiKeys = endpoint({
  method: "GET",
  path: "/api/v1/api-keys",
  summary: "List the project's API keys (secrets are never shown again)",
  tag: "Settings",
  permission: "admin",
  response: z.object({ items: z.array(apiKeySchema) }),
});

export const createApiKey = endpoint({
  method: "POST",
  path: "/api/v1/api-keys",
  summary: "Create an API key; the answer carries the secret, once",
  tag: "Settings",
  permission: "admin",
  body: z.strictObject({ name: z.string().trim().min(1).max(100), scope: z.enum(["ingest", "admin"]) }),
  response: apiKeySchema.extend({ key: z.string() }),
  status: 201,
});

export const revokeApiKey = endpoint({
  method: "POST",
  path: "/api/v1/api-keys/{id}/revoke",
  summary: "Revoke an API key (takes effect within 30 seconds everywhere)",
  tag: "Settings",
  permission: "admin",
  params: z.strictObject({ id: z.string().min(1) }),
  response: apiKeySchema,
});
