import { z } from "zod";
import { keySchema } from "../../keys";
import {
  createModelVersionSchema,
  modelVersionSchema,
  trendsQuerySchema,
  trendsSchema,
  updateModelVersionSchema,
} from "../../modelVersions/schemas";
import { endpoint } from "../endpoint";

const keyParams = z.strictObject({ key: keySchema });

export const listModelVersions = endpoint({
  method: "GET",
  path: "/api/v1/model-versions",
  summary: "List model versions with status, lineage and the experiments that use them",
  tag: "Model versions",
  permission: "read",
  response: z.object({ items: z.array(modelVersionSchema) }),
});

export const createModelVersion = endpoint({
  method: "POST",
  path: "/api/v1/model-versions",
  summary: "Register a model version (status candidate unless given)",
  tag: "Model versions",
  permission: "models:write",
  body: createModelVersionSchema,
  response: modelVersionSchema,
  status: 201,
});

export const getModelVersion = endpoint({
  method: "GET",
  path: "/api/v1/model-versions/{key}",
  summary: "One model version",
  tag: "Model versions",
  permission: "read",
  params: keyParams,
  response: modelVersionSchema,
});

export const updateModelVersion = endpoint({
  method: "PATCH",
  path: "/api/v1/model-versions/{key}",
  summary: "Edit a model version; status 'production' demotes the previous production version to candidate",
  tag: "Model versions",
  permission: "models:write",
  params: keyParams,
  body: updateModelVersionSchema,
  response: modelVersionSchema,
});

export const modelVersionMetrics = endpoint({
  method: "GET",
  path: "/api/v1/metrics/model-versions",
  summary:
    "Acceptance and generation rate per model version and day over all traffic (or one cohort), with users and intervals, " +
    "and per version over the range (versions without traffic included)",
  tag: "Model versions",
  permission: "read",
  query: trendsQuerySchema,
  response: trendsSchema,
});
