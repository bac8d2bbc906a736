import type { Db } from "../db";
import { assignmentConfig } from "../experiments/assignmentConfig";
import { codeCollection } from "../refinements/collection";
import { enqueueEvents, enqueueExposures } from "../ingestion/log";
import { prepareEvents, type BodyProblem, type PreparedBatch, type PrepareContext, type Rejection } from "./prepare";
import { prepareEventsBodies } from "./preparePool";

export type { Rejection };

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
}

/** Request bodies being ingested now (see preparePool.ts: workers only under concurrent load). */
let ingesting = 0;

async function prepareContext(client: Db, projectId: string): Promise<PrepareContext> {
  const [config, collection] = await Promise.all([assignmentConfig(client, projectId), codeCollection(client, projectId)]);
  return { projectId, config, collection };
}

/** Logs a prepared batch: exposures first, as an event whose user's exposure was lost would fall out of its experiment's results. */
async function logBatch(projectId: string, batch: PreparedBatch): Promise<IngestResult> {
  if (batch.exposures.length) await enqueueExposures(batch.exposures);
  const { duplicates } = batch.eventIds.length ? await enqueueEvents(projectId, batch) : { duplicates: 0 };
  return { accepted: batch.eventIds.length - duplicates, duplicates, rejected: batch.rejected };
}

/**
 * Validates, enriches and logs a batch (lib/ingestion/log.ts). Valid events are kept even when others
 * are rejected; the answer is sent only after the write-ahead log has them, so an acknowledged event
 * survives a crash, and a retry of the same events (same eventIds) is never stored twice.
 */
export async function ingestEvents(client: Db, projectId: string, raw: unknown[]): Promise<IngestResult> {
  return logBatch(projectId, prepareEvents(raw, await prepareContext(client, projectId)));
}

/**
 * The same for a request body (JSON `{ events: [...] }`): parsed, validated and encoded off the main
 * thread when it is large (preparePool.ts). A body that is not a batch is answered with what is wrong.
 */
export async function ingestEventsBody(
  client: Db,
  projectId: string,
  body: Uint8Array,
): Promise<(IngestResult & { count: number }) | BodyProblem> {
  ingesting++;
  try {
    const prepared = await prepareEventsBodies(body, await prepareContext(client, projectId), { concurrent: ingesting > 1 });
    if ("problem" in prepared) return prepared;
    return { ...(await logBatch(projectId, prepared)), count: prepared.count };
  } finally {
    ingesting--;
  }
}
