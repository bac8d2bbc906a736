import { randomUUID } from "node:crypto";
import { afterAll, expect, it } from "vitest";
import { closePreparePool, preparePoolState } from "@/lib/events/preparePool";
import { INGEST_KEY, call } from "./http";
import { countStored } from "./stored";

// Large batches that arrive together are prepared in worker threads (lib/events/preparePool.ts) and
// logged by the main thread. Through the route, concurrent batches with concurrent retries must be
// stored exactly once each, answered with the same counts and rejections as in-process preparation, and
// the code of refined events redacted.

afterAll(() => closePreparePool());

/** About 200 KB: large enough for the workers. */
function batch(user: string, size = 700): unknown[] {
  const at = new Date(Date.now() - 3_600_000).toISOString();
  const events: unknown[] = [];
  for (let i = 0; i < size; i++) {
    const common = { eventId: randomUUID(), userId: user, modelVersion: "v1", timestamp: at, suggestionId: `s${i}` };
    events.push(
      i % 10 === 0
        ? {
            ...common,
            type: "refined",
            windowSeconds: 30,
            proposal: "x = 1",
            final: `AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCY${i}`,
          }
        : { ...common, type: "shown", completionChars: 40, latencyMs: 120, language: "python", ide: "vscode", userGroup: "external" },
    );
  }
  events.push({ type: "shown", eventId: "not-a-uuid" });
  return events;
}

it("stores concurrent large batches and their concurrent retries exactly once, prepared by the workers", async () => {
  const { POST } = await import("@/app/api/v1/events/route");
  const batches = Array.from({ length: 6 }, (_, b) => batch(`worker-user-${b}`));
  const send = (events: unknown[]) => call(POST, "POST", "/api/v1/events", { key: INGEST_KEY, body: { events } });
  // Each batch twice at once (a client retrying while its first attempt is still in flight), all together.
  const answers = await Promise.all(batches.flatMap((events) => [send(events), send(events)]));
  expect(preparePoolState().workers).toBeGreaterThan(0);
  for (let b = 0; b < batches.length; b++) {
    const [first, retry] = [answers[2 * b], answers[2 * b + 1]];
    expect([first.status, retry.status]).toEqual([207, 207]);
    // Between them, every valid event is stored once: what one logged, the other counts as a duplicate.
    expect(first.body.accepted + retry.body.accepted).toBe(700);
    expect(first.body.duplicates + retry.body.duplicates).toBe(700);
    expect(first.body.rejected).toEqual([
      { index: 700, eventId: "not-a-uuid", errors: expect.arrayContaining([expect.objectContaining({ path: "events[700].timestamp" })]) },
    ]);
    expect(await countStored("user_id = {u:String}", { u: `worker-user-${b}` })).toBe(700);
  }
  expect(await countStored("user_id LIKE 'worker-user-%' AND positionUTF8(final, 'wJalrXUtnFEMI') > 0", {})).toBe(0);
  const again = await send(batches[0]);
  expect(again.body).toMatchObject({ accepted: 0, duplicates: 700 });
});
