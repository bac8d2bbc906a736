import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tooLarge, type CoreHandler } from "./handler";

/**
 * Serves a route's core handler on a Node request: the same wrapper and answers, without Web Request/Response
 * objects. `params` are the route's path parameters (the hot routes have none).
 */
export async function serveCore(core: CoreHandler, req: IncomingMessage, res: ServerResponse, params: Record<string, string> = {}) {
  let tooBig = false;
  const answer = await core({
    method: req.method ?? "GET",
    url: req.url ?? "/",
    headers: {
      get: (name) => {
        const value = req.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
      },
    },
    body: async (limit) => {
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of req) {
        total += (chunk as Buffer).length;
        if (total > limit) {
          // The rest of the upload is not read: the answer closes the connection.
          tooBig = true;
          throw tooLarge(limit, limit);
        }
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks);
    },
    params,
  });
  if (typeof answer.body === "string") {
    const close = tooBig ? { connection: "close" } : {};
    res.writeHead(answer.status, { ...answer.headers, ...close, "content-length": Buffer.byteLength(answer.body) });
    res.end(answer.body);
    return;
  }
  // A streamed answer (StreamReply): chunked, each chunk written when the socket has room for it; a
  // client that goes away stops the source, and a failure mid-stream cuts the answer short.
  res.writeHead(answer.status, answer.headers);
  const iterator = answer.body[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (res.destroyed) {
        await iterator.return?.();
        return;
      }
      const next = await iterator.next();
      if (next.done) break;
      if (!res.write(next.value)) await Promise.race([once(res, "drain"), once(res, "close")]);
    }
    res.end();
  } catch (error) {
    res.destroy(error as Error);
  }
}
