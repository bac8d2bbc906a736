import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { assignUser, compileConfig, type AssignmentConfig } from "@/lib/assignment";
import { prepareEventsBody, type PrepareContext } from "@/lib/events/prepare";
import { closePreparePool, prepareEventsBodies, preparePoolState } from "@/lib/events/preparePool";

// Large request bodies are prepared in worker threads (lib/events/preparePool.ts). Whoever prepares a
// body, the answer must be the same: the same bodies in-process, through the workers, and through a
// pool whose workers cannot start; and a worker must follow the project's config when it changes.

afterAll(() => closePreparePool());

const config = (variants: [string, string][]): AssignmentConfig => ({
  productionVersion: "v1",
  rollout: null,
  experiments: [
    {
      key: "exp",
      seed: "exp",
      hashVersion: 2,
      coverage: 1,
      phase: 1,
      variants: variants.map(([key, modelVersion]) => ({ key, modelVersion, weight: 1 / variants.length })),
      namespace: null,
      targeting: null,
    },
  ],
});
const twoVariants = config([
  ["control", "v1"],
  ["treatment", "v2"],
]);

function context(over: Partial<PrepareContext> = {}): PrepareContext {
  return { projectId: "p1", config: twoVariants, collection: { enabled: true, optedOut: new Set(["opted-out"]) }, ...over };
}

function batch(): unknown[] {
  const at = new Date(Date.now() - 3_600_000).toISOString();
  const common = (userId: string) => ({ eventId: randomUUID(), userId, modelVersion: "v1", timestamp: at, language: "python" });
  const out: unknown[] = [];
  for (let i = 0; i < 300; i++) {
    const user = `user-${i % 40}`;
    out.push({ ...common(user), type: "shown", suggestionId: `s${i}`, completionChars: 10, latencyMs: 100 + i });
    out.push({
      ...common(i % 7 ? user : "opted-out"),
      type: "refined",
      suggestionId: `s${i}`,
      windowSeconds: 30,
      proposal: "x = 1\n",
      final: `password = "hunter2-${i}"\tdone`,
      prefix: "é ✓ ",
    });
  }
  const variant = assignUser(compileConfig(twoVariants), "user-1").assignments[0].variantKey!;
  out.push({ ...common("user-1"), type: "exposure", experimentKey: "exp", variantKey: variant });
  out.push({ ...common("user-1"), type: "exposure", experimentKey: "exp", variantKey: variant === "control" ? "treatment" : "control" });
  out.push({ ...common("user-2"), type: "exposure", experimentKey: "nope", variantKey: "control" });
  out.push({ type: "shown", eventId: "not-a-uuid" }, "text", null);
  return out;
}

const bodies = (): Uint8Array[] =>
  [
    JSON.stringify({ events: batch() }),
    JSON.stringify({ events: [] }),
    JSON.stringify({ events: "no", extra: 1 }),
    '{"events": [',
    '{"events": [{"__proto__": {"polluted": true}}]}',
    "[1, 2]",
  ].map((text) => new Uint8Array(Buffer.from(text)));

/** Byte arrays compared by content, whatever their class (a Buffer in-process, a Uint8Array from a worker). */
const comparable = (result: object) =>
  Object.fromEntries(Object.entries(result).map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v).toString("utf8") : v]));

describe("ingestion workers", () => {
  it("prepare every body as in-process preparation does: rows, redaction, opt-outs, exposures, rejections and errors", async () => {
    for (const body of bodies()) {
      const inProcess = prepareEventsBody(body, context());
      const pooled = await prepareEventsBodies(body, context(), { workers: 2, minPoolBytes: 0, concurrent: true });
      expect(comparable(pooled)).toEqual(comparable(inProcess));
      if ("rowEnds" in pooled) expect(Array.from(pooled.rowEnds)).toEqual(Array.from((inProcess as typeof pooled).rowEnds));
    }
    // One at a time: one worker was enough, and it answered them all.
    expect(preparePoolState()).toEqual({ workers: 1, failed: false });
    const first = prepareEventsBody(bodies()[0], context());
    expect("problem" in first).toBe(false);
    if (!("problem" in first)) {
      const text = Buffer.from(first.rows).toString("utf8");
      expect(text).not.toContain("hunter2");
      expect(first.exposures).toHaveLength(1);
      expect(first.rejected.map((r) => r.index)).toEqual([601, 602, 603, 604, 605]);
    }
  });

  it("follow a project's config and collection when they change", async () => {
    const body = bodies()[0];
    const options = { workers: 1, minPoolBytes: 0, concurrent: true };
    await prepareEventsBodies(body, context(), options);
    const changed = context({ config: config([["solo", "v3"]]), collection: { enabled: false, optedOut: new Set<string>() } });
    const pooled = await prepareEventsBodies(body, changed, options);
    expect(comparable(pooled)).toEqual(comparable(prepareEventsBody(body, changed)));
    expect(Buffer.from((pooled as { rows: Uint8Array }).rows).toString("utf8")).toContain("\tsolo\t");
  });

  it("prepare in-process when a worker cannot start, with the same answers", async () => {
    closePreparePool();
    const options = { workers: 1, minPoolBytes: 0, concurrent: true, workerFile: "lib/events/no-such-worker.ts" };
    for (const body of bodies()) {
      const pooled = await prepareEventsBodies(body, context(), options);
      expect(comparable(pooled)).toEqual(comparable(prepareEventsBody(body, context())));
    }
    expect(preparePoolState().failed).toBe(true);
    closePreparePool();
  });
});
