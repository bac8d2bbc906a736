// A worker thread of the ingestion pool (lib/events/preparePool.ts): prepares each request body it is
// sent (prepare.ts) and answers with the batch, its byte arrays transferred, or the error.
import { parentPort } from "node:worker_threads";
import { prepareEventsBody, type BodyProblem, type PreparedBatch, type PrepareContext } from "./prepare";

export type PrepareRequest = {
  id: number;
  body: Uint8Array;
  projectId: string;
  /** Sent when they changed since this worker last saw the project (see preparePool.ts). */
  config?: PrepareContext["config"];
  collection?: PrepareContext["collection"];
};
export type PrepareAnswer = { id: number; batch: PreparedBatch | BodyProblem } | { id: number; error: string };

/** A byte array that owns its whole buffer, so that transferring it moves nothing else. */
const own = (bytes: Uint8Array) => (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes));

const contexts = new Map<string, PrepareContext>();
const port = parentPort;
if (port) {
  port.on("message", ({ id, body, projectId, config, collection }: PrepareRequest) => {
    try {
      const known = contexts.get(projectId);
      const context = { projectId, config: config ?? known!.config, collection: collection ?? known!.collection };
      contexts.set(projectId, context);
      const batch = prepareEventsBody(body, context);
      if ("problem" in batch) port.postMessage({ id, batch } satisfies PrepareAnswer);
      else {
        const rows = own(batch.rows);
        port.postMessage({ id, batch: { ...batch, rows } } satisfies PrepareAnswer, [
          rows.buffer as ArrayBuffer,
          batch.rowEnds.buffer as ArrayBuffer,
        ]);
      }
    } catch (error) {
      port.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies PrepareAnswer);
    }
  });
}
