import { spawn, spawnSync } from "node:child_process";
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
): Promise<{ line: string; kill: () => Promise<void>; ended: () => Promise<void> }> {
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
    let lastLines: string[] = []; // for the error: what the child printed last
    const closed = new Promise<void>((r) => child.stdout.once("close", () => r()));
    let found = false;
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const lines = out.split("\n");
      out = lines.pop()!; // the unfinished last line waits for its end
      lastLines = [...lastLines, ...lines].slice(-5);
      for (const line of lines) {
        onLine(line);
        if (found || !until.test(line)) continue;
        found = true;
        resolve({
          line,
          // A child that printed what was waited for may still be closing its stores (the engine writes
          // on shutdown): the next child, or removing the directory, waits for it to be gone.
          ended: async () => {
            await exited;
            await closed;
          },
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
    // 'exit' can come before the last lines are read from the pipe: decide once stdout has closed
    child.on("exit", (code) => {
      if (code === null) return; // killed
      void closed.then(
        () =>
          found ||
          reject(
            new Error(
              `child exited (${code}) before printing ${until}; its last lines: ${[...lastLines, out].join("\n").slice(-1000)}; ` +
                `its errors: ${err.slice(-2000)}`,
            ),
          ),
      );
    });
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
  await restarted.ended();
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
  await finished.ended();
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
  await tallied.ended();
  const stored = JSON.parse(tallied.line.slice(6)) as Record<string, [number, number]>;
  expect(acknowledged.size).toBeGreaterThan(15);
  for (const user of acknowledged) expect(stored[user], user).toEqual([200, 200]);
  // A batch the server never acknowledged is stored whole or not at all, never in part.
  for (const [user, [count, ids]] of Object.entries(stored))
    expect([count, ids], user).toSatisfy(([c, i]: number[]) => c === i && (c === 200 || c === 0));
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 300_000);

// A real full disk under the write-ahead log: a small tmpfs mounted on the log's directory (mounting needs
// root; elsewhere the test is skipped, and says so), filled with a file while clients stream.
const canMountDisk = process.getuid?.() === 0 && spawnSync("mount", ["--version"]).status === 0;

function fillDisk(dir: string): string {
  const file = path.join(dir, "filler");
  const fd = fs.openSync(file, "w");
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

async function until(condition: () => boolean, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it.skipIf(!canMountDisk)(
  "when the log's disk fills up while clients stream: 503 without losing or doubling anything, health says so, and it recovers by itself",
  async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-crash-"));
    const walDir = path.join(dataDir, "ingest-wal");
    fs.mkdirSync(walDir);
    expect(spawnSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", walDir]).status).toBe(0);
    try {
      const env = { ...process.env, ECHO_DATA_DIR: dataDir, ECHO_DEMO: "0", ECHO_INIT_INGEST_API_KEY: "echo_ingest_crash_key" };
      const batchFile = path.join(dataDir, "none.json");
      fs.writeFileSync(batchFile, "{}");
      const acknowledged = new Set<string>();
      const refused = new Map<string, string>();
      const health: { writable: boolean; lastError: string | null }[] = [];
      const onLine = (line: string) => {
        if (line.startsWith("ACK ")) acknowledged.add(line.slice(4));
        if (line.startsWith("REFUSED ")) refused.set(line.split(" ")[1], line.split(" ")[2]);
        if (line.startsWith("HEALTH ")) health.push(JSON.parse(line.slice(7)));
      };
      const stream = () => runChild(["stream", batchFile, "--health"], env, /^ACK /, onLine);

      // Round 1: the disk fills up and the server is killed while it is full (torn blocks on the disk).
      let server = await stream();
      await until(() => acknowledged.size >= 10, "10 acknowledged batches");
      let filler = fillDisk(walDir);
      await until(() => refused.size > 0, "a refused batch");
      await until(() => health.some((h) => !h.writable), "health to report the log unwritable");
      expect(health.find((h) => !h.writable)!.lastError).toMatch(/ENOSPC|no space/i);
      await new Promise((r) => setTimeout(r, Math.random() * 300));
      await server.kill();

      // Round 2: restarted on a full disk that then recovers; killed at a random moment after recovery.
      health.length = 0;
      server = await stream();
      fs.rmSync(filler);
      const before = acknowledged.size;
      await until(() => acknowledged.size >= before + 5, "batches acknowledged after the restart");
      const refusedBefore = refused.size;
      filler = fillDisk(walDir);
      await until(() => refused.size > refusedBefore, "a refused batch on the second full disk");
      await until(() => health.some((h) => !h.writable), "health to report the log unwritable again");
      fs.rmSync(filler);
      const recovered = health.length;
      await until(() => health.slice(recovered).some((h) => h.writable), "health to report the log writable again, without a restart");
      const afterRecovery = acknowledged.size;
      await until(() => acknowledged.size >= afterRecovery + 1 + Math.floor(Math.random() * 20), "batches acknowledged after recovery");
      await server.kill();

      // Every refusal was a 503 (the client retries; never a 500 or a 2xx that was not kept).
      expect(new Set(refused.values())).toEqual(new Set(["503"]));
      for (const user of acknowledged) refused.delete(user); // a user is sent once: nothing is both
      const retryFile = path.join(dataDir, "retry.json");
      const refusedUsers = [...refused.keys()];
      fs.writeFileSync(retryFile, JSON.stringify(refusedUsers));
      const before503Retry = await runChild(["tally", batchFile], env, /^TALLY /);
      await before503Retry.ended();
      const storedBefore = JSON.parse(before503Retry.line.slice(6)) as Record<string, [number, number]>;
      // Before any retry: acknowledged batches are all there, once; a refused one is whole or absent, never in part.
      for (const user of acknowledged) expect(storedBefore[user], user).toEqual([200, 200]);
      for (const [user, [count, ids]] of Object.entries(storedBefore))
        expect([count, ids], user).toSatisfy(([c, i]: number[]) => c === i && (c === 200 || c === 0));
      // The clients retry what was refused: then everything sent is stored exactly once.
      const retried = await runChild(["tally", batchFile, "--retry", retryFile], env, /^TALLY /);
      await retried.ended();
      const stored = JSON.parse(retried.line.slice(6)) as Record<string, [number, number]>;
      for (const user of [...acknowledged, ...refusedUsers]) expect(stored[user], user).toEqual([200, 200]);
      console.log(
        `full disk: ${acknowledged.size} batches acknowledged, ${refusedUsers.length} refused with 503 (` +
          `${refusedUsers.filter((u) => storedBefore[u]?.[0] === 200).length} of them logged whole before the disk filled and replayed), all stored once`,
      );
    } finally {
      spawnSync("umount", ["-l", walDir]);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
  300_000,
);
