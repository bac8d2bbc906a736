/** A key JSON.parse would keep but an object assignment drops (and a record schema never sees). */
const PROTO_KEY = '"__proto__"';

/**
 * JSON.parse for request bodies, refusing `__proto__` as a key (a SyntaxError like JSON.parse's own).
 * Shared by the route wrapper (lib/api/handler.ts) and the ingestion workers, which parse event batches.
 */
export function parseJsonText(text: string): unknown {
  if (!text.includes(PROTO_KEY)) return JSON.parse(text);
  return JSON.parse(text, (key, value) => {
    if (key === "__proto__") throw new SyntaxError("'__proto__' is not allowed as a key");
    return value;
  });
}
