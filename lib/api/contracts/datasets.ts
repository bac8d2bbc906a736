import {
  createDatasetSchema,
  datasetLineSchema,
  datasetListSchema,
  datasetParamsSchema,
  datasetSchema,
  downloadQuerySchema,
} from "../../datasets/schemas";
import { endpoint } from "../endpoint";

export const listDatasets = endpoint({
  method: "GET",
  path: "/api/v1/datasets",
  summary: "Datasets, newest first, each with its manifest and the model versions trained on it",
  tag: "Datasets",
  permission: "read",
  response: datasetListSchema,
});

export const createDataset = endpoint({
  method: "POST",
  path: "/api/v1/datasets",
  summary: "Freeze the samples a filter selects into a dataset version (sample list, split, content hash, manifest)",
  description:
    "The filter is the refinement browser's; `outcome` and `label` may be lists (`outcome` defaults to kept and unchanged). " +
    "Only samples with code are exported (never opted-out users'). Samples are ordered by suggestionId (earlier versions " +
    "keep the order they were frozen in: refinedAt, then suggestionId); a sample is in the validation split when " +
    "cityHash64(suggestionId) % 10000 < validationShare × 10000. A new version of the same selection is a new dataset " +
    "with the same filter. 422 when the filter selects no sample.",
  tag: "Datasets",
  permission: "datasets:write",
  body: createDatasetSchema,
  response: datasetSchema,
  status: 201,
});

export const getDataset = endpoint({
  method: "GET",
  path: "/api/v1/datasets/{id}",
  summary: "One dataset: its filter, manifest, content hash and lineage (model versions trained on it → their experiments)",
  tag: "Datasets",
  permission: "read",
  params: datasetParamsSchema,
  response: datasetSchema,
});

export const downloadDataset = endpoint({
  method: "GET",
  path: "/api/v1/datasets/{id}/download",
  summary: "Download a frozen dataset version as application/x-ndjson, streamed: one JSON line per sample in the frozen order",
  description:
    "The body is `application/x-ndjson` (each line one of the documented record shapes, by the dataset's format), sent as an " +
    "attachment. `x-echo-content-hash` is the SHA-256 (hex) of the body's bytes as frozen; the same split downloads as the " +
    "same bytes every time. `x-echo-removed-samples` counts samples gone since freezing (users who opted out), which the " +
    "body leaves out. 409 while the dataset is still being frozen.",
  tag: "Datasets",
  permission: "read",
  params: datasetParamsSchema,
  query: downloadQuerySchema,
  response: datasetLineSchema,
});
