import { createHash } from "node:crypto";
import type { Prisma } from "@/generated/prisma/client";
import { audit } from "../audit/store";
import { actorName, type Principal } from "../auth/permissions";
import type { Db } from "../db";
import { conflict, notFound, unprocessable } from "../errors";
import { downloadFileName, renderLine, type ExportSample } from "./formats";
import { deleteFrozenSamples, exportableCount, freezeSamples, frozenSamples } from "./queries";
import {
  DEFAULT_FIM_TOKENS,
  type CreateDataset,
  type DatasetManifest,
  type DatasetView,
  type DownloadSplit,
  type FimTokens,
} from "./schemas";
import { filterView, findDataset, presentDataset, trainedModelVersions, type DatasetRow } from "./store";

// What the dataset routes call: create (freeze) a dataset, list and read them with their lineage, and
// download a frozen version as a stream of lines.
//
// Freezing, in order: the dataset row is created as `freezing` (which reserves its name), one
// ClickHouse statement writes the filter's sample ids in order with their split (lib/datasets/queries.ts),
// then the version is rendered once, streaming page by page, to hash its bytes and count its manifest,
// and the row becomes `ready` with its audit row. A creation that fails is undone; one that died with
// its process leaves a `freezing` row, which a new dataset of the same name replaces after
// ABANDONED_AFTER_MS.

const ABANDONED_AFTER_MS = 15 * 60_000;

function tokensOf(row: DatasetRow): FimTokens {
  return { ...DEFAULT_FIM_TOKENS, ...((row.fim ?? {}) as Partial<FimTokens>) };
}

class Tally {
  private readonly counts = new Map<string, { key: string[]; count: number }>();
  add(...key: string[]) {
    const id = JSON.stringify(key);
    const entry = this.counts.get(id);
    if (entry) entry.count++;
    else this.counts.set(id, { key, count: 1 });
  }
  /** Most frequent first, then by key: the same version always lists the same way. */
  sorted() {
    return [...this.counts.values()].sort((a, b) => b.count - a.count || (a.key.join("\u0000") < b.key.join("\u0000") ? -1 : 1));
  }
}

/**
 * Renders a frozen version once, streaming over its pages: the SHA-256 of its bytes (whole, and per
 * split, each exactly what the download of that split sends) and its manifest.
 */
async function summarize(projectId: string, row: DatasetRow) {
  const hashes = { all: createHash("sha256"), train: createHash("sha256"), validation: createHash("sha256") };
  const splits = { train: 0, validation: 0 };
  const tallies = {
    outcomes: new Tally(),
    languages: new Tally(),
    experiments: new Tally(),
    modelVersions: new Tally(),
    labels: new Tally(),
  };
  const tokens = tokensOf(row);
  const pages = frozenSamples(projectId, row.id);
  for (let page = await pages.next(); page; page = await pages.next()) {
    for (const sample of page) {
      const line = renderLine(row.format, sample, tokens);
      hashes.all.update(line);
      hashes[sample.split].update(line);
      splits[sample.split]++;
      tallies.outcomes.add(sample.outcome);
      tallies.languages.add(sample.language);
      tallies.experiments.add(sample.experimentKey, sample.variantKey);
      tallies.modelVersions.add(sample.modelVersion);
      tallies.labels.add(sample.label || "unlabeled");
    }
  }
  const manifest: DatasetManifest = {
    splits: {
      train: { count: splits.train, contentHash: hashes.train.digest("hex") },
      validation: { count: splits.validation, contentHash: hashes.validation.digest("hex") },
    },
    outcomes: tallies.outcomes.sorted().map(({ key: [outcome], count }) => ({ outcome: outcome as ExportSample["outcome"], count })),
    languages: tallies.languages.sorted().map(({ key: [language], count }) => ({ language, count })),
    experiments: tallies.experiments.sorted().map(({ key: [experimentKey, variantKey], count }) => ({ experimentKey, variantKey, count })),
    modelVersions: tallies.modelVersions.sorted().map(({ key: [modelVersion], count }) => ({ modelVersion, count })),
    labels: tallies.labels
      .sorted()
      .map(({ key: [label], count }) => ({ label: label as DatasetManifest["labels"][number]["label"], count })),
  };
  return { sampleCount: splits.train + splits.validation, contentHash: hashes.all.digest("hex"), manifest };
}

/** Removes a dataset whose creation failed or was abandoned: its frozen samples, then its row. */
async function discard(client: Db, projectId: string, id: string) {
  await deleteFrozenSamples(projectId, id);
  await client.dataset.deleteMany({ where: { id, projectId, status: "freezing" } });
}

async function reserve(client: Db, principal: Principal, input: CreateDataset): Promise<DatasetRow> {
  const { projectId } = principal;
  const taken = () => conflict(`A dataset named '${input.name}' already exists`, [{ path: "name", message: "must be unique" }]);
  const existing = await client.dataset.findUnique({ where: { projectId_name: { projectId, name: input.name } } });
  if (existing) {
    if (existing.status === "ready" || Date.now() - existing.createdAt.getTime() < ABANDONED_AFTER_MS) throw taken();
    await discard(client, projectId, existing.id);
  }
  try {
    return await client.dataset.create({
      data: {
        projectId,
        name: input.name,
        status: "freezing",
        filter: filterView(input.filter) as Prisma.InputJsonValue,
        format: input.format,
        fim: input.format === "fim" ? { ...DEFAULT_FIM_TOKENS, ...input.fim } : undefined,
        validationShare: input.validationShare,
        createdBy: actorName(principal),
      },
    });
  } catch (error) {
    if ((error as { code?: string })?.code === "P2002") throw taken();
    throw error;
  }
}

/** Creates a dataset: its filter's samples frozen into one version with its content hash and manifest (audited). */
export async function createDataset(client: Db, principal: Principal, input: CreateDataset): Promise<DatasetView> {
  const { projectId } = principal;
  const reserved = await reserve(client, principal, input);
  try {
    await freezeSamples(projectId, reserved.id, input.filter, input.validationShare);
    const { sampleCount, contentHash, manifest } = await summarize(projectId, reserved);
    if (sampleCount === 0) {
      throw unprocessable(
        "The filter selects no samples to export (only samples with code count: opted-out users' samples never do); widen the filter",
        [{ path: "filter", message: "selects no samples" }],
      );
    }
    return await client.$transaction(async (tx) => {
      const row = await tx.dataset.update({
        where: { id: reserved.id },
        data: { status: "ready", sampleCount, contentHash, manifest: manifest as unknown as Prisma.InputJsonValue },
      });
      const view = presentDataset(row, []);
      const { name, filter, format, fim, validationShare, trainCount, validationCount } = view;
      await audit(tx, principal, {
        action: "dataset.create",
        target: `dataset:${row.id}`,
        after: { name, filter, format, fim, validationShare, sampleCount, trainCount, validationCount, contentHash },
      });
      return view;
    });
  } catch (error) {
    await discard(client, projectId, reserved.id).catch((cleanup) => console.error("[echo] dataset cleanup failed:", cleanup));
    throw error;
  }
}

export async function listDatasets(client: Db, principal: Principal): Promise<DatasetView[]> {
  const rows = await client.dataset.findMany({
    where: { projectId: principal.projectId },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  });
  const trained = await trainedModelVersions(
    client,
    principal.projectId,
    rows.map((r) => r.id),
  );
  return rows.map((row) => presentDataset(row, trained));
}

async function requireDataset(client: Db, principal: Principal, id: string): Promise<DatasetRow> {
  const row = await findDataset(client, principal.projectId, id);
  if (!row) throw notFound(`No dataset with id '${id}'`);
  return row;
}

export async function getDataset(client: Db, principal: Principal, id: string): Promise<DatasetView> {
  const row = await requireDataset(client, principal, id);
  return presentDataset(row, await trainedModelVersions(client, principal.projectId, [row.id]));
}

export interface DatasetDownload {
  fileName: string;
  /** SHA-256 (hex) of the bytes of this split as frozen. */
  contentHash: string;
  /** Lines the download sends. */
  sampleCount: number;
  /** Samples frozen into this split that are gone since (their users opted out): the bytes then differ from the hash. */
  removedSamples: number;
  /** The lines, a page at a time, read from storage only as the consumer asks for them. */
  lines: AsyncIterable<string>;
}

/**
 * A frozen version (or one split of it) as lines, in the frozen order. Checked before anything is
 * streamed: the dataset exists and is ready. Then each page is rendered when the reader wants it.
 */
export async function downloadDataset(client: Db, principal: Principal, id: string, split: DownloadSplit): Promise<DatasetDownload> {
  const row = await requireDataset(client, principal, id);
  if (row.status !== "ready" || !row.contentHash || !row.manifest) {
    throw conflict(`Dataset '${row.name}' is still being frozen; download it once its status is ready`);
  }
  const manifest = row.manifest as unknown as DatasetManifest;
  const part = split === "all" ? undefined : split;
  const expected = part ? manifest.splits[part] : { count: row.sampleCount, contentHash: row.contentHash };
  const present = await exportableCount(principal.projectId, row.id, part);
  const tokens = tokensOf(row);
  const pages = frozenSamples(principal.projectId, row.id, part);
  // The next page's lines as one text, or null after the last; nothing of the page outlives the call.
  const nextText = async () => {
    const page = await pages.next();
    if (!page) return null;
    let text = "";
    for (const sample of page) text += renderLine(row.format, sample, tokens);
    return text;
  };
  async function* lines() {
    for (let text = await nextText(); text !== null; text = await nextText()) yield text;
  }
  return {
    fileName: downloadFileName(row.name, split),
    contentHash: expected.contentHash,
    sampleCount: Math.min(expected.count, present),
    removedSamples: Math.max(0, expected.count - present),
    lines: lines(),
  };
}
