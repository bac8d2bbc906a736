import type { IncomingMessage, ServerResponse } from "node:http";
import type { CoreHandler } from "./handler";

/** Serves a route's core handler on a Node request: the same wrapper and answers, without Web Request/Response objects. */
export async function serveCore(core: CoreHandler, req: IncomingMessage, res: ServerResponse) {
  const answer = await core({
    method: req.method ?? "GET",
    url: req.url ?? "/",
    headers: {
      get: (name) => {
        const value = req.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
      },
    },
    body: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    params: {},
  });
  res.writeHead(answer.status, { ...answer.headers, "content-length": Buffer.byteLength(answer.body) });
  res.end(answer.body);
}
