import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileDiscriminatedUnion } from "@/lib/events/compiledSchema";
import { compiledEventSchema, eventSchema } from "@/lib/events/schema";

// The compiled fast path (lib/events/compiledSchema.ts) against zod itself: for every element it
// accepts, it must give exactly zod's output; everything zod refuses it must leave to zod (which names
// the field); and the valid events of real traffic must take the fast path.

const fast = compiledEventSchema;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function validEvents(): Record<string, unknown>[] {
  const now = Date.now();
  const common = {
    eventId: randomUUID(),
    timestamp: new Date(now - HOUR).toISOString(),
    userId: "user-1",
    modelVersion: "v1",
    language: "python",
    ide: "vscode",
    userGroup: "external",
  };
  return [
    { ...common, type: "requested", suggestionId: "s-1" },
    { ...common, type: "shown", suggestionId: "s-1", completionChars: 48, completionLines: 2, latencyMs: 140 },
    { ...common, type: "shown", suggestionId: "s-1", completionChars: 0, latencyMs: 10_000_000, timestamp: now - DAY },
    { ...common, type: "accepted", suggestionId: "s-1", acceptedChars: 48 },
    { ...common, type: "rejected", suggestionId: "s-1", reason: "esc" },
    { ...common, type: "refined", suggestionId: "s-1", windowSeconds: 30, proposal: "a = 1", final: "a = 2", prefix: "x", suffix: "" },
    { ...common, type: "typed", humanChars: 80, experimentKey: "exp", variantKey: "control" },
    { ...common, type: "exposure", experimentKey: "exp", variantKey: "control", eventId: randomUUID().toUpperCase() },
    {
      eventId: randomUUID(),
      type: "requested",
      suggestionId: "  padded  ",
      userId: " u ",
      modelVersion: "m\t",
      timestamp: "2026-11-30T10:00+01:00",
    },
  ];
}

/** Values that break (or stress) one rule or another. */
const VARIANTS: unknown[] = [
  "",
  " ",
  "   x   ",
  "x".repeat(100),
  "x".repeat(101),
  " ".repeat(50) + "x".repeat(100) + " ".repeat(50),
  "x".repeat(256),
  "x".repeat(257),
  "y".repeat(64 * 1024),
  "y".repeat(64 * 1024 + 1),
  "\u00a0x\u2028",
  "not-a-uuid",
  "00000000-0000-0000-0000-000000000000",
  "123e4567-e89b-92d3-a456-426614174000",
  "2026-11-30T10:00:00",
  "2026-11-30T10:00:00.123456789Z",
  "2026-11-30 10:00:00Z",
  "yesterday",
  0,
  -1,
  1.5,
  -0,
  10_000_000,
  10_000_001,
  Number.MAX_SAFE_INTEGER + 2,
  1e300,
  Date.now() - HOUR,
  Date.now() - 1000 * DAY,
  Date.now() + 2 * DAY,
  Date.now() - HOUR + 0.75,
  true,
  null,
  [],
  {},
  ["a"],
  { nested: 1 },
];
const KEYS = [
  "eventId",
  "type",
  "timestamp",
  "userId",
  "modelVersion",
  "suggestionId",
  "experimentKey",
  "variantKey",
  "language",
  "ide",
  "userGroup",
  "completionChars",
  "completionLines",
  "latencyMs",
  "acceptedChars",
  "acceptedLines",
  "reason",
  "windowSeconds",
  "proposal",
  "final",
  "prefix",
  "suffix",
  "retainedChars",
  "humanChars",
  "surprise",
];
const TYPES = ["requested", "shown", "accepted", "rejected", "refined", "typed", "exposure", "teleported", 3, null];

function mutate(event: Record<string, unknown>, random: () => number): Record<string, unknown> {
  const out = { ...event };
  const changes = 1 + Math.floor(random() * 3);
  for (let i = 0; i < changes; i++) {
    const key = KEYS[Math.floor(random() * KEYS.length)];
    const what = random();
    if (what < 0.15) delete out[key];
    else if (what < 0.25) out.type = TYPES[Math.floor(random() * TYPES.length)];
    else out[key] = VARIANTS[Math.floor(random() * VARIANTS.length)];
  }
  return out;
}

function agreesWithZod(element: unknown) {
  const reference = eventSchema.safeParse(element);
  const compiled = fast(element);
  if (compiled !== undefined) {
    expect(reference.success, JSON.stringify(element)).toBe(true);
    expect(compiled).toStrictEqual(reference.data);
  }
  return { zodAccepts: reference.success, fastAccepts: compiled !== undefined };
}

describe("the compiled event schema", () => {
  it("takes the fast path for valid events and gives zod's output (trimmed ids, timestamps in ms)", () => {
    for (const event of validEvents()) {
      const { zodAccepts, fastAccepts } = agreesWithZod(event);
      expect(zodAccepts).toBe(true);
      expect(fastAccepts, JSON.stringify(event)).toBe(true);
    }
    expect(fast(validEvents().at(-1))).toMatchObject({ suggestionId: "padded", userId: "u", modelVersion: "m" });
  });

  it("never accepts what zod refuses and never differs from zod's output, over 30,000 mutated events", () => {
    const random = rng(20261201);
    let refused = 0;
    let fastAccepted = 0;
    for (let i = 0; i < 30_000; i++) {
      const base = validEvents()[Math.floor(random() * 9)];
      const { zodAccepts, fastAccepts } = agreesWithZod(mutate(base, random));
      if (!zodAccepts) refused++;
      if (fastAccepts) fastAccepted++;
    }
    // Both kinds are well represented, so the comparison means something.
    expect(refused).toBeGreaterThan(12_000);
    expect(fastAccepted).toBeGreaterThan(2_500);
  });

  it("leaves non-objects, unknown keys and explicitly undefined fields to zod", () => {
    for (const element of [null, 3, "x", [], [validEvents()[0]]]) expect(fast(element)).toBeUndefined();
    expect(fast({ ...validEvents()[0], surprise: true })).toBeUndefined();
    expect(fast({ ...validEvents()[0], language: undefined })).toBeUndefined();
  });

  it("asks zod for rules it does not know, and for schemas that are not a union of strict objects", () => {
    const custom = z.discriminatedUnion("kind", [
      z.strictObject({ kind: z.literal("a"), word: z.string().regex(/^[a-z]+$/), n: z.number().multipleOf(5) }),
    ]);
    const compiled = compileDiscriminatedUnion(custom);
    expect(compiled({ kind: "a", word: "abc", n: 10 })).toEqual({ kind: "a", word: "abc", n: 10 });
    expect(compiled({ kind: "a", word: "ABC", n: 10 })).toBeUndefined();
    expect(compiled({ kind: "a", word: "abc", n: 11 })).toBeUndefined();
    const loose = compileDiscriminatedUnion(z.discriminatedUnion("kind", [z.object({ kind: z.literal("a") })]));
    expect(loose({ kind: "a" })).toBeUndefined();
  });
});
