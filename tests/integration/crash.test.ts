import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";

// kill -9 right after the API acknowledged a batch: the batch must still be stored, once, after a
// restart, and a client retry of it after the restart must not double-count it.

function runChild(
  args: string[],
  env: NodeJS.ProcessEnv,
  until: RegExp,
  onLine: (line: string) => void = () => {},
): Promise<{ line: string; kill: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    // Its own process group: tsx runs the script in a child of its own, and both must die at once.
    const child = spawn(path.resolve("node_modules/.bin/tsx"), [path.resolve("tests/integration/crash-child.ts"), ...args], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    let out = "";
    let err = "";
    const closed = new Promise<void>((r) => child.stdout.once("close", () => r()));
    let found = false;
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const lines = out.split("\n");
      out = lines.pop()!; // the unfinished last line waits for its end
      for (const line of lines) {
        onLine(line);
        if (found || !until.test(line)) continue;
        found = true;
        resolve({
          line,
          kill: async () => {
            process.kill(-child.pid!, "SIGKILL");
            await exited;
            await closed; // every line the child wrote before it died has been read
            await new Promise((r) => setTimeout(r, 200)); // the grandchild's file locks go with it
          },
        });
      }
    });
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("exit", (code) => code !== null && reject(new Error(`child exited (${code}) before printing ${until}: ${err.slice(-2000)}`)));
  });
}

it("keeps every acknowledged event through a kill -9, and a retry after restart counts once", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-crash-"));
  const env = { ...process.env, ECHO_DATA_DIR: dataDir, ECHO_DEMO: "0", ECHO_INIT_INGEST_API_KEY: "echo_ingest_crash_key" };
  const userId = `crash-user-${randomUUID()}`;
  const events = Array.from({ length: 500 }, (_, i) => ({
    eventId: randomUUID(),
    type: "shown",
    timestamp: new Date(Date.now() - 1000 * i).toISOString(),
    userId,
    suggestionId: `s-${i}`,
    modelVersion: "v1",
    completionChars: 10,
    latencyMs: 100,
  }));
  const batchFile = path.join(dataDir, "batch.json");
  fs.writeFileSync(batchFile, JSON.stringify({ events }));

  const ingest = await runChild(["ingest", batchFile], env, /^ACK /);
  await ingest.kill(); // SIGKILL the moment the answer is out: no flush, no shutdown hook
  expect(JSON.parse(ingest.line.slice(4))).toEqual({ status: 200, body: { accepted: 500, duplicates: 0, rejected: [] } });

  const restarted = await runChild(["count", batchFile, "--retry"], env, /^COUNT /);
  const [, count, retry] = restarted.line.match(/^COUNT (\d+) (.*)$/)!;
  expect(Number(count)).toBe(500);
  expect(JSON.parse(retry).status).toBe(200);
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 180_000);

it("loses and doubles no refinement sample when the pipeline is killed in the middle of a pass", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-crash-"));
  const env = { ...process.env, ECHO_DATA_DIR: dataDir, ECHO_DEMO: "0", ECHO_INIT_INGEST_API_KEY: "echo_ingest_crash_key" };
  const start = Date.now() - 3_600_000;
  const events = Array.from({ length: 200 }, (_, i) => {
    const common = { userId: `crash-refiner-${i % 17}`, suggestionId: `crash-s-${i}`, modelVersion: "v1", language: "python" };
    const at = (offset: number) => new Date(start + i * 1_000 + offset).toISOString();
    return [
      { ...common, eventId: randomUUID(), type: "accepted", timestamp: at(0), acceptedChars: 20 },
      {
        ...common,
        eventId: randomUUID(),
        type: "refined",
        timestamp: at(500),
        windowSeconds: 60,
        proposal: `value = compute(${i})\n`,
        final: `value = compute(${i}, strict=True)\n`,
      },
    ];
  }).flat();
  const batchFile = path.join(dataDir, "batch.json");
  fs.writeFileSync(batchFile, JSON.stringify({ events }));

  const killAfter = 1 + Math.floor(Math.random() * 3); // a different moment on every run
  const refining = await runChild(["refine", batchFile], env, new RegExp(`^SLICE ${killAfter}$`));
  await refining.kill();

  const finished = await runChild(["samples", batchFile], env, /^SAMPLES /);
  const [, rows, distinct] = finished.line.match(/^SAMPLES (\d+) (\d+)$/)!;
  expect(Number(distinct)).toBe(200);
  expect(Number(rows)).toBe(200);
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 240_000);

it("keeps every acknowledged batch, once and whole, while clients stream and the server is killed again and again", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-crash-"));
  const env = { ...process.env, ECHO_DATA_DIR: dataDir, ECHO_DEMO: "0", ECHO_INIT_INGEST_API_KEY: "echo_ingest_crash_key" };
  const batchFile = path.join(dataDir, "none.json");
  fs.writeFileSync(batchFile, "{}");
  const acknowledged = new Set<string>();
  for (let round = 0; round < 3; round++) {
    // Each round: a server streams batches until a random number of them are acknowledged, then dies.
    const stop = 5 + Math.floor(Math.random() * 40);
    const streaming = await runChild(["stream", batchFile], env, new RegExp(`^ACK stream-\\S+-${stop}$`), (line) => {
      if (line.startsWith("ACK ")) acknowledged.add(line.slice(4));
    });
    await streaming.kill();
  }
  const tallied = await runChild(["tally", batchFile], env, /^TALLY /);
  const stored = JSON.parse(tallied.line.slice(6)) as Record<string, [number, number]>;
  expect(acknowledged.size).toBeGreaterThan(15);
  for (const user of acknowledged) expect(stored[user], user).toEqual([200, 200]);
  // A batch the server never acknowledged is stored whole or not at all, never in part.
  for (const [user, [count, ids]] of Object.entries(stored))
    expect([count, ids], user).toSatisfy(([c, i]: number[]) => c === i && (c === 200 || c === 0));
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 300_000);
