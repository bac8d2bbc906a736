// The worker side of lib/workers/pool.ts: answers each task message with the handler's result (and the
// buffers to transfer with it) or the error, one task at a time.
import { parentPort, type Transferable } from "node:worker_threads";
import type { TaskAnswer } from "./pool";

export function serveTasks<Message, Result>(handle: (message: Message) => Promise<{ result: Result; transfer?: Transferable[] }>) {
  const port = parentPort;
  if (!port) return;
  port.on("message", ({ id, message }: { id: number; message: Message }) => {
    Promise.resolve()
      .then(() => handle(message))
      .then(
        ({ result, transfer }) => port.postMessage({ id, result } satisfies TaskAnswer<Result>, transfer),
        (error: unknown) =>
          port.postMessage({
            id,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          } satisfies TaskAnswer<Result>),
      );
  });
}
