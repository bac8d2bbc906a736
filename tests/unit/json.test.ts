import { describe, expect, it } from "vitest";
import { parseJsonArrayMember, parseJsonText } from "@/lib/json";

const bytes = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));

/** What the whole body parses to under `events`, when it is exactly `{ "events": [ … ] }` with elements; else null. */
function wholeParse(text: string): unknown[] | null {
  try {
    const json = parseJsonText(text) as Record<string, unknown>;
    if (typeof json !== "object" || json === null || Array.isArray(json)) return null;
    const keys = Object.keys(json);
    return keys.length === 1 && keys[0] === "events" && Array.isArray(json.events) && json.events.length > 0 ? json.events : null;
  } catch {
    return null;
  }
}

/** A small seeded generator (mulberry32), so that a failure reproduces. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AWKWARD_STRINGS = ['a"b', "a\\b", "[1,2]", "{x}", "],{", "é ü 漢字 🙂", "\n\t\r", "\\u0000", '\\",', "\u2028", ""];

function randomValue(next: () => number, depth = 0): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 5 : 7));
  switch (pick) {
    case 0:
      return Math.round(next() * 1e6) / 100 - 5000;
    case 1:
      return AWKWARD_STRINGS[Math.floor(next() * AWKWARD_STRINGS.length)] + String(Math.floor(next() * 10));
    case 2:
      return next() < 0.5;
    case 3:
      return null;
    case 4:
      return `s${Math.floor(next() * 1000)}`;
    case 5:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(next() * 4) }, (_, i) => [`k${i}${AWKWARD_STRINGS[i % 3]}`, randomValue(next, depth + 1)]),
      );
  }
}

/** The text of `value` with JSON whitespace sprinkled between tokens (JSON.stringify's indentation, varied). */
function withWhitespace(value: unknown, next: () => number): string {
  const spaces = [" ", "\t", "\n", "\r\n", "  "];
  return JSON.stringify(value, null, spaces[Math.floor(next() * spaces.length)]);
}

describe("parseJsonArrayMember: an envelope's array parsed element by element", () => {
  it("gives what parsing the whole body gives, for bodies of every shape of element", () => {
    const next = random(7);
    for (let round = 0; round < 2_000; round++) {
      const events = Array.from({ length: 1 + Math.floor(next() * 6) }, () => randomValue(next));
      const text = round % 2 ? JSON.stringify({ events }) : withWhitespace({ events }, next);
      const parsed = parseJsonArrayMember(bytes(text), "events");
      expect(parsed).toEqual(events);
      expect(parsed).toEqual(wholeParse(text));
    }
  });

  it("declines every body that is not exactly the envelope, or not valid JSON, so the caller parses it whole", () => {
    const declined = [
      "",
      "[]",
      '{"events":[]}', // empty: the envelope's own check says so
      '{"events":{}}',
      '{"events":[1,]}',
      '{"events":[1 2]}',
      '{"events":[1],}',
      '{"events":[1]',
      '{"events":[1]} x',
      '{"events":[1],"events":[2]}', // JSON.parse keeps the last one: left to it
      '{"events":[1],"other":2}',
      '{"other":1,"events":[1]}',
      '{"\\u0065vents":[1]}', // the same key, escaped: left to JSON.parse
      '\ufeff{"events":[1]}',
      '{"events":[{"a":1}}]}',
      '{"events":[{"a":1]]}',
      '{"events":["unterminated]}',
      '{"events":[{"__proto__":{"admin":true}}]}', // refused as parseJsonText refuses it
      '{"events":[01]}',
      '{"events":[NaN]}',
      '{"events":["a\\x"]}',
    ];
    for (const text of declined) expect([text, parseJsonArrayMember(bytes(text), "events")]).toEqual([text, null]);
  });

  it("declines malformed bodies made by cutting and altering valid ones, and agrees with JSON.parse on the rest", () => {
    const next = random(11);
    let declined = 0;
    for (let round = 0; round < 3_000; round++) {
      const events = Array.from({ length: 1 + Math.floor(next() * 4) }, () => randomValue(next));
      const text = JSON.stringify({ events });
      const at = Math.floor(next() * text.length);
      const mutated = [
        text.slice(0, at),
        text.slice(0, at) + text.slice(at + 1),
        text.slice(0, at) + ',]}"[{\\ '[Math.floor(next() * 8)] + text.slice(at),
      ][round % 3];
      const body = bytes(mutated); // a cut surrogate pair becomes U+FFFD here, as in a request
      const parsed = parseJsonArrayMember(body, "events");
      if (parsed === null) declined++;
      // Whatever it accepts, the whole body parses to the same; whatever it declines, the caller parses whole.
      if (parsed !== null) expect(parsed).toEqual(wholeParse(Buffer.from(body).toString("utf8")));
    }
    expect(declined).toBeGreaterThan(1_500);
  });

  it("decodes invalid UTF-8 as decoding the whole body does", () => {
    const body = Buffer.concat([Buffer.from('{"events":[{"code":"'), Buffer.from([0xe6, 0x97, 0x41, 0xff]), Buffer.from('"}, 2]}')]);
    expect(parseJsonArrayMember(new Uint8Array(body), "events")).toEqual(wholeParse(body.toString("utf8")));
  });
});
