import { z } from "zod";
import { modelVersionStatusSchema } from "../modelVersions/schemas";
import { experimentStatusSchema } from "../experiments/schemas";
import { LABELS, OUTCOMES, labelSchema, outcomeSchema, sampleFilterSchema } from "../refinements/schemas";

// Request and answer shapes of datasets (the public API, extended compatibly, never renamed), used by
// the route contracts, the OpenAPI document, the service and the dashboard.
//
// A dataset is a saved sample filter frozen into one version: the exact list of samples (in suggestion_id
// order, the samples table's) with each sample's train/validation split, and the SHA-256 of its rendered
// lines. A new version of the same selection is a new dataset with the same filter.

export const DATASET_FORMATS = ["jsonl", "chat", "fim"] as const;
export const DATASET_SPLITS = ["train", "validation"] as const;
export const DATASET_STATUSES = ["freezing", "ready"] as const;
/** What a dataset takes when its filter names no outcome: samples whose refinement is worth learning from. */
export const DEFAULT_DATASET_OUTCOMES = ["kept", "unchanged"] as const;

export const datasetFormatSchema = z.enum(DATASET_FORMATS);
export const datasetSplitSchema = z.enum(DATASET_SPLITS);
export const datasetStatusSchema = z.enum(DATASET_STATUSES);
export type DatasetFormat = z.output<typeof datasetFormatSchema>;
export type DatasetSplit = z.output<typeof datasetSplitSchema>;

const labelFilterValueSchema = z.enum([...LABELS, "unlabeled"]);

/** One value or a list of values, answered as a sorted list without duplicates (so equal filters look equal). */
function oneOrMany<const T extends readonly [string, ...string[]]>(values: T) {
  const item = z.enum(values);
  return z.union([item, z.array(item).min(1, "must name at least one value").max(values.length)]).transform((v) => {
    const chosen = new Set<string>(Array.isArray(v) ? v : [v]);
    return values.filter((value) => chosen.has(value)) as T[number][];
  });
}

/**
 * The filter of a dataset: the refinement browser's filter (GET /api/v1/refinements), where `outcome`
 * and `label` may also be lists. `outcome` defaults to ["kept", "unchanged"]; `opted_out` samples carry
 * no code and are never exported, so naming that outcome is an error.
 */
export const datasetFilterSchema = sampleFilterSchema
  .extend({
    outcome: oneOrMany(OUTCOMES)
      .refine((list) => !list.includes("opted_out"), "opted_out samples carry no code and are never exported")
      .default([...DEFAULT_DATASET_OUTCOMES]),
    label: oneOrMany([...LABELS, "unlabeled"] as const).optional(),
  })
  .refine((f) => f.minEditRatio === undefined || f.maxEditRatio === undefined || f.minEditRatio <= f.maxEditRatio, {
    message: "must not exceed maxEditRatio",
    path: ["minEditRatio"],
  })
  .refine((f) => !f.from || !f.to || f.from < f.to, { message: "must be after from", path: ["to"] });

export type DatasetFilter = z.output<typeof datasetFilterSchema>;

/** Fill-in-the-middle sentinel tokens; StarCoder's by default. */
export const DEFAULT_FIM_TOKENS = { prefixToken: "<fim_prefix>", suffixToken: "<fim_suffix>", middleToken: "<fim_middle>" } as const;

const fimToken = z.string().min(1, "must not be empty").max(100, "must be at most 100 characters");

export const fimTokensSchema = z
  .strictObject({
    prefixToken: fimToken.default(DEFAULT_FIM_TOKENS.prefixToken),
    suffixToken: fimToken.default(DEFAULT_FIM_TOKENS.suffixToken),
    middleToken: fimToken.default(DEFAULT_FIM_TOKENS.middleToken),
  })
  .refine((t) => new Set([t.prefixToken, t.suffixToken, t.middleToken]).size === 3, {
    message: "the three tokens must differ",
    path: ["middleToken"],
  });

export type FimTokens = z.output<typeof fimTokensSchema>;

/** POST /api/v1/datasets */
export const createDatasetSchema = z
  .strictObject({
    name: z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters"),
    filter: datasetFilterSchema.prefault({}),
    format: datasetFormatSchema.default("jsonl"),
    /** Only with format "fim"; missing tokens take StarCoder's. */
    fim: fimTokensSchema.optional(),
    /** Share of samples in the validation split, chosen by a hash of the suggestion id (0 to 0.5, default 0.1). */
    validationShare: z.number().min(0, "must be between 0 and 0.5").max(0.5, "must be between 0 and 0.5").default(0.1),
  })
  .refine((d) => d.fim === undefined || d.format === "fim", { message: "applies only to format 'fim'", path: ["fim"] });

export type CreateDataset = z.output<typeof createDatasetSchema>;

export const datasetParamsSchema = z.strictObject({ id: z.string().trim().min(1).max(100) });

/** GET /api/v1/datasets/{id}/download */
export const downloadQuerySchema = z.strictObject({ split: z.enum(["all", ...DATASET_SPLITS]).default("all") });
export type DownloadSplit = z.output<typeof downloadQuerySchema>["split"];

// ── Answers ──

/** The stored filter as answered: lists normalized, dates as ISO-8601 strings. */
export const datasetFilterViewSchema = z.object({
  experimentKey: z.string().optional(),
  variantKey: z.string().optional(),
  modelVersion: z.string().optional(),
  language: z.string().optional(),
  outcome: z.array(outcomeSchema),
  label: z.array(labelFilterValueSchema).optional(),
  q: z.string().optional(),
  minEditRatio: z.number().optional(),
  maxEditRatio: z.number().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
});

const count = z.number().int();

/** What a frozen version holds, counted over its exported samples (most frequent first). */
export const datasetManifestSchema = z.object({
  splits: z.object({
    train: z.object({ count, contentHash: z.string() }),
    validation: z.object({ count, contentHash: z.string() }),
  }),
  outcomes: z.array(z.object({ outcome: outcomeSchema, count })),
  languages: z.array(z.object({ language: z.string(), count })),
  /** Source experiment and variant of each sample ("" for both: the user was in no experiment). */
  experiments: z.array(z.object({ experimentKey: z.string(), variantKey: z.string(), count })),
  modelVersions: z.array(z.object({ modelVersion: z.string(), count })),
  labels: z.array(z.object({ label: labelFilterValueSchema, count })),
});

export type DatasetManifest = z.output<typeof datasetManifestSchema>;

/** Lineage: a model version trained on the dataset, with the experiments that serve it (each has results). */
export const trainedModelVersionSchema = z.object({
  key: z.string(),
  name: z.string(),
  status: modelVersionStatusSchema,
  createdAt: z.string(),
  experiments: z.array(z.object({ key: z.string(), status: experimentStatusSchema, variantKey: z.string() })),
});

export const datasetSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** "freezing" only while its creation runs (or if that creation died midway); downloads need "ready". */
  status: datasetStatusSchema,
  filter: datasetFilterViewSchema,
  format: datasetFormatSchema,
  /** The sentinel tokens of format "fim", else null. */
  fim: z.object({ prefixToken: z.string(), suffixToken: z.string(), middleToken: z.string() }).nullable(),
  validationShare: z.number(),
  sampleCount: count,
  trainCount: count,
  validationCount: count,
  /** SHA-256 (lowercase hex) of the bytes of the whole download (split=all); null while freezing. */
  contentHash: z.string().nullable(),
  manifest: datasetManifestSchema.nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  trainedModelVersions: z.array(trainedModelVersionSchema),
});

export const datasetListSchema = z.object({ items: z.array(datasetSchema) });

export type DatasetView = z.output<typeof datasetSchema>;

// ── Download lines (application/x-ndjson, one per sample, keys in this order) ──

export const lineMetadataSchema = z.object({
  suggestionId: z.string(),
  language: z.string(),
  modelVersion: z.string(),
  experimentKey: z.string().nullable(),
  variantKey: z.string().nullable(),
  outcome: outcomeSchema,
  label: labelSchema.nullable(),
  editRatio: z.number(),
  split: datasetSplitSchema,
});

export const jsonlLineSchema = z.object({ prompt: z.string(), completion: z.string(), metadata: lineMetadataSchema });
export const chatLineSchema = z.object({
  messages: z.array(z.object({ role: z.enum(["system", "user", "assistant"]), content: z.string() })),
  metadata: lineMetadataSchema,
});
export const fimLineSchema = z.object({ text: z.string(), metadata: lineMetadataSchema });
export const datasetLineSchema = z.union([jsonlLineSchema, chatLineSchema, fimLineSchema]);

export type LineMetadata = z.output<typeof lineMetadataSchema>;
