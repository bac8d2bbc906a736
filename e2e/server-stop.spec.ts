import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { SERVER_NODE_ARGS, serverEnv } from "../lib/runtime/serverProcess";
import { E2E_PORT } from "../playwright.config";

// The production server of its own data directory, stopped as a process manager stops it (SIGTERM) while
// its background jobs run: it must end cleanly (exit 0, the embedded engine closed, not aborted) with
// every acknowledged event stored, so the next start replays nothing.

const root = path.resolve(import.meta.dirname, "..");
const port = E2E_PORT + 17;
const ingestKey = "echo_ingest_stop_test_key";
const adminKey = "echo_admin_stop_test_key";

function startServer(dataDir: string) {
  // as `npm start` runs it: Node with tsx as a loader (the tsx command would kill a busy child 30 ms after relaying the signal)
  const child = spawn(process.execPath, [...SERVER_NODE_ARGS, path.join(root, "server.ts")], {
    cwd: root,
    env: serverEnv({
      ...process.env,
      ECHO_DATA_DIR: dataDir,
      ECHO_DEMO: "0",
      ECHO_INIT_INGEST_API_KEY: ingestKey,
      ECHO_INIT_ADMIN_API_KEY: adminKey,
      NODE_ENV: "production",
      HOSTNAME_BIND: "127.0.0.1",
      PORT: String(port),
    }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => output };
}

async function health(): Promise<any> {
  const answer = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null);
  return answer?.ok ? answer.json() : null;
}

test("a server stopped while requests read the store and its jobs run ends cleanly, with every acknowledged event stored", async () => {
  test.setTimeout(120_000);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-e2e-stop-"));
  try {
    const server = startServer(dataDir);
    await expect.poll(health, { timeout: 60_000 }).not.toBeNull();
    // refined events keep the refinement pipeline busy (a pass every 2 s), as the demo's jobs do
    const events = Array.from({ length: 400 }, (_, i) => ({
      eventId: randomUUID(),
      type: i % 2 ? "refined" : "accepted",
      userId: `stop-user-${i % 20}`,
      suggestionId: `stop-${Math.floor(i / 2)}`,
      modelVersion: "stop-model",
      language: "python",
      timestamp: new Date(Date.now() - 60_000 + i).toISOString(),
      ...(i % 2 ? { windowSeconds: 60, proposal: "return x\n", final: `return x + ${i}\n` } : { acceptedChars: 9 }),
    }));
    const post = async (batch: unknown[]) => {
      const posted = await fetch(`http://127.0.0.1:${port}/api/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${ingestKey}`, "content-type": "application/json" },
        body: JSON.stringify({ events: batch }),
      });
      expect((await posted.json()).accepted).toBe(batch.length);
    };
    await post(events);
    await new Promise((r) => setTimeout(r, 6_000)); // the jobs' first turns (the scorecard upkeep starts after 5 s)
    // and the engine busy storing and merging more when the signal comes
    const shown = (batch: number) =>
      Array.from({ length: 5_000 }, (_, i) => ({
        eventId: randomUUID(),
        type: "shown",
        userId: `stop-user-${i % 500}`,
        suggestionId: `stop-shown-${batch}-${i}`,
        modelVersion: "stop-model",
        timestamp: new Date(Date.now() - 30_000).toISOString(),
        completionChars: 20,
        latencyMs: 100 + (i % 200),
      }));
    for (let batch = 0; batch < 20; batch++) await post(shown(batch));
    // the signal comes while requests read the store
    const overview = () => fetch(`http://127.0.0.1:${port}/api/v1/overview`, { headers: { authorization: `Bearer ${adminKey}` } });
    const reading = Array.from({ length: 8 }, () =>
      overview()
        .then((answer) => answer.status)
        .catch(() => "no answer"),
    );
    await new Promise((r) => setTimeout(r, 30));
    server.child.kill("SIGTERM");
    const ended = await server.exited;
    // a request under way when the signal came is answered, or was never taken (its connection refused)
    for (const status of await Promise.all(reading)) expect([200, "no answer"]).toContain(status);
    expect(server.output()).not.toMatch(/assertion|Aborted|Segmentation/i);
    expect(ended).toEqual({ code: 0, signal: null });

    // Started again on the same directory: nothing left to replay, and every event is stored.
    const again = startServer(dataDir);
    await expect.poll(health, { timeout: 60_000 }).not.toBeNull();
    expect((await health()).ingestion.pendingSegments).toBe(0);
    expect((await (await overview()).json()).freshness.eventsLast24h).toBe(events.length + 20 * 5_000);
    again.child.kill("SIGTERM");
    expect(await again.exited).toEqual({ code: 0, signal: null });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
