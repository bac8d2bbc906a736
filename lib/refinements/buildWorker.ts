// A worker thread of the sample-building pool (lib/refinements/buildPool.ts): builds each batch it is
// sent and answers with the samples (or the error), one batch at a time.
import { parentPort } from "node:worker_threads";
import { buildBatch, type BuildBatch } from "./build";

export type BuildRequest = { id: number; batch: BuildBatch };
export type BuildAnswer = { id: number; samples: Awaited<ReturnType<typeof buildBatch>> } | { id: number; error: string };

const port = parentPort;
if (port) {
  port.on("message", ({ id, batch }: BuildRequest) => {
    buildBatch(batch).then(
      (samples) => port.postMessage({ id, samples } satisfies BuildAnswer),
      (error: unknown) =>
        port.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies BuildAnswer),
    );
  });
}
