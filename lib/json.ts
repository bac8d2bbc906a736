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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;

/** JSON's whitespace (RFC 8259: space, tab, line feed, carriage return), and nothing else. */
function skipWhitespace(bytes: Uint8Array, at: number): number {
  while (at < bytes.length) {
    const byte = bytes[at];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) break;
    at++;
  }
  return at;
}

/** Where `expected` (ASCII) ends when the bytes at `at` are exactly it, else −1. */
function expectAscii(bytes: Uint8Array, at: number, expected: string): number {
  if (at + expected.length > bytes.length) return -1;
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected.charCodeAt(i)) return -1;
  return at + expected.length;
}

/**
 * Where the JSON value starting at `at` ends: at the first comma or closing bracket outside strings and
 * outside the value's own brackets (its text is then checked by JSON.parse), or −1 when a bracket closes
 * more than the value opened or the bytes end first.
 */
function valueEnd(bytes: Uint8Array, at: number): number {
  let depth = 0;
  while (at < bytes.length) {
    const byte = bytes[at];
    if (byte === QUOTE) {
      // A string: UTF-8's multi-byte sequences never hold a quote or a backslash byte.
      for (at++; at < bytes.length && bytes[at] !== QUOTE; at++) if (bytes[at] === BACKSLASH) at++;
      if (at >= bytes.length) return -1;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (depth === 0) return byte === CLOSE_BRACKET ? at : -1;
      depth--;
    } else if (byte === COMMA && depth === 0) return at;
    at++;
  }
  return -1;
}

/**
 * `{"<key>": [ … ]}` (UTF-8) parsed as parseJsonText(body)[key] would be, one element at a time, or null
 * when the body is anything else, malformed included (the caller then parses it whole, which says what
 * is wrong). Why: a request body is decoded to one string, and a string from 128 KB on is a large object
 * for V8, mapped afresh and faulted in page by page as it is written (about 1 ms for a 256 KB batch of
 * events on the machines Echo is measured on); elements are decoded and parsed one by one instead.
 * The bytes are only split at commas and brackets outside strings, so every element's text is exactly
 * its part of the body, and JSON.parse checks each.
 */
export function parseJsonArrayMember(body: Uint8Array, key: string): unknown[] | null {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let at = skipWhitespace(bytes, 0);
  if (bytes[at] !== OPEN_BRACE) return null;
  at = expectAscii(bytes, skipWhitespace(bytes, at + 1), JSON.stringify(key));
  if (at < 0) return null;
  at = skipWhitespace(bytes, at);
  if (bytes[at] !== COLON) return null;
  at = skipWhitespace(bytes, at + 1);
  if (bytes[at] !== OPEN_BRACKET) return null;
  const elements: unknown[] = [];
  for (at++; ; at++) {
    const end = valueEnd(bytes, at);
    if (end < 0) return null;
    try {
      elements.push(parseJsonText(bytes.toString("utf8", at, end)));
    } catch {
      return null;
    }
    at = end;
    if (bytes[at] === CLOSE_BRACKET) break;
  }
  at = skipWhitespace(bytes, at + 1);
  if (bytes[at] !== CLOSE_BRACE) return null;
  return skipWhitespace(bytes, at + 1) === bytes.length ? elements : null;
}
