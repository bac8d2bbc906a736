// A worker thread of the ingestion pool (lib/events/preparePool.ts): prepares each request body it is
// sent (prepare.ts) and answers with the batch, its byte arrays transferred.
import { serveTasks } from "../workers/serve";
import { prepareEventsBody, type BodyProblem, type PreparedBatch, type PrepareContext } from "./prepare";

export type PrepareRequest = {
  body: Uint8Array;
  projectId: string;
  /** Sent when they changed since this worker last saw the project (see preparePool.ts). */
  config?: PrepareContext["config"];
  collection?: PrepareContext["collection"];
};

/** A byte array that owns its whole buffer, so that transferring it moves nothing else. */
const own = (bytes: Uint8Array) => (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes));

const contexts = new Map<string, PrepareContext>();
serveTasks<PrepareRequest, PreparedBatch | BodyProblem>(async ({ body, projectId, config, collection }) => {
  const known = contexts.get(projectId);
  const context = { projectId, config: config ?? known!.config, collection: collection ?? known!.collection };
  contexts.set(projectId, context);
  const batch: PreparedBatch | BodyProblem = prepareEventsBody(body, context);
  if ("problem" in batch) return { result: batch };
  const rows = own(batch.rows);
  return { result: { ...batch, rows }, transfer: [rows.buffer as ArrayBuffer, batch.rowEnds.buffer as ArrayBuffer] };
});
