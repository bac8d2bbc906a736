import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CEILING_GROWING_PERCENT, FLOOR_GROWING_PERCENT, MIN_HEADROOM_BYTES, growingPercentFor } from "@/lib/runtime/heap";
import { HEAP_GROWING_FLAG, SERVER_MEMORY_FLAGS, SERVER_NODE_ARGS, serverEnv } from "@/lib/runtime/serverProcess";

describe("the server process's settings", () => {
  it("starts Node with the flags and environment it sets (a misspelt flag stops Node)", () => {
    const args = SERVER_MEMORY_FLAGS;
    expect(SERVER_NODE_ARGS).toEqual([...args, "--import", "tsx"]);
    expect(args).toContain(HEAP_GROWING_FLAG);
    const script =
      "console.log(JSON.stringify([process.execArgv.slice(0, -2), process.env.MALLOC_ARENA_MAX, process.env.MALLOC_MMAP_THRESHOLD_, " +
      "process.env.GLIBC_TUNABLES]))";
    const output = execFileSync(process.execPath, [...args, "-e", script], {
      env: serverEnv({ ...process.env, MALLOC_ARENA_MAX: undefined, MALLOC_MMAP_THRESHOLD_: undefined, GLIBC_TUNABLES: undefined }),
    });
    expect(JSON.parse(output.toString())).toEqual([args, "2", "2097152", "glibc.malloc.hugetlb=1"]);
  });

  it("reuses freed blocks of a request body's size instead of mapping each one afresh", () => {
    // Copies of 256 KB and 1 MB (request bodies and their copies to the ingestion workers), eight alive at a
    // time as under load. A block mapped afresh is faulted in page by page as it is written (minor faults,
    // ~12 µs per 4 KB page on the measured machines): with glibc's threshold at 128 KB every copy faulted
    // in all of its pages; reused heap blocks fault in almost none.
    const script = `
      import fs from "node:fs";
      const minorFaults = () => Number(fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ")[7]);
      const perBlock = (bytes) => {
        const source = Buffer.alloc(bytes, 7);
        const alive = [];
        const copy = (times) => {
          for (let i = 0; i < times; i++) {
            alive.push(new Uint8Array(source));
            if (alive.length > 8) alive.shift();
          }
        };
        copy(100);
        const before = minorFaults();
        copy(300);
        return (minorFaults() - before) / 300;
      };
      console.log(JSON.stringify([perBlock(256 * 1024), perBlock(1024 * 1024)]));`;
    const output = execFileSync(process.execPath, [...SERVER_MEMORY_FLAGS, "--input-type=module", "-e", script], {
      env: serverEnv({ ...process.env, MALLOC_ARENA_MAX: undefined, MALLOC_MMAP_THRESHOLD_: undefined, GLIBC_TUNABLES: undefined }),
    });
    const [faultsPer256Kb, faultsPerMb] = JSON.parse(output.toString()) as number[];
    expect(faultsPer256Kb).toBeLessThan(64 / 8);
    expect(faultsPerMb).toBeLessThan(256 / 8);
  });

  it("leaves an operator's own allocator settings as they are", () => {
    expect(serverEnv({ ...process.env, MALLOC_ARENA_MAX: "4", PORT: "3000" })).toMatchObject({
      MALLOC_ARENA_MAX: "4",
      MALLOC_MMAP_THRESHOLD_: "2097152",
      PORT: "3000",
    });
  });
});

const MB = 1024 * 1024;

/** Runs `code` (an ES module, lib/runtime/heap.ts imported as `heap`) in a process started with the server's flags and `extraFlags`; answers what it printed last. */
function inServerProcess(code: string, extraFlags: string[] = []): unknown {
  const heap = JSON.stringify(path.resolve("lib/runtime/heap.ts"));
  const script = `const heap = await import(${heap});\n${code}`;
  const output = execFileSync(process.execPath, [...SERVER_NODE_ARGS, ...extraFlags, "--input-type=module", "-e", script], {
    env: serverEnv(process.env),
  });
  return JSON.parse(output.toString().trim().split("\n").at(-1)!);
}

describe("garbage collection after start-up (lib/runtime/heap.ts)", () => {
  it("leaves a small heap its minimum room, a large one a fifth of what lives, within the ceiling", () => {
    expect(growingPercentFor(100 * MB)).toBe(64);
    expect(growingPercentFor(200 * MB)).toBe(32);
    expect(growingPercentFor(320 * MB)).toBe(FLOOR_GROWING_PERCENT);
    expect(growingPercentFor(2_000 * MB)).toBe(FLOOR_GROWING_PERCENT);
    expect(growingPercentFor(10 * MB)).toBe(CEILING_GROWING_PERCENT);
    expect(growingPercentFor(0)).toBe(CEILING_GROWING_PERCENT);
    for (let live = 64 * MB; live <= 1_024 * MB; live += 13 * MB) {
      const room = (live * growingPercentFor(live)) / 100;
      expect(room).toBeGreaterThanOrEqual(Math.max(MIN_HEADROOM_BYTES, (live * FLOOR_GROWING_PERCENT) / 100));
      expect(room).toBeLessThan(Math.max(MIN_HEADROOM_BYTES, (live * FLOOR_GROWING_PERCENT) / 100) + live / 100);
    }
  });

  it("sets the next full collection's growth from what survived the last one", () => {
    // Every flag the module sets, in order; a heap of about 200 MB kept alive across a full collection.
    const percents = inServerProcess(
      `const v8 = (await import("node:v8")).default;
       const set = [];
       const original = v8.setFlagsFromString;
       v8.setFlagsFromString = (flag) => { set.push(Number(flag.split("=")[1])); original(flag); };
       heap.keepHeapHeadroom();
       const kept = Array.from({ length: 200 }, () => new Array(${MB / 8}).fill(1.5));
       globalThis.gc();
       await new Promise((resolve) => setTimeout(resolve, 50));
       console.log(JSON.stringify([set, kept.length]));`,
      ["--expose-gc"],
    ) as [number[], number];
    const [set] = percents;
    expect(set[0]).toBe(CEILING_GROWING_PERCENT); // at start-up the heap is small
    // After the collection: about 200 MB live (the arrays, besides the process's own few MB), so about 32%.
    expect(set.at(-1)).toBeGreaterThanOrEqual(25);
    expect(set.at(-1)).toBeLessThanOrEqual(33);
  });

  it("lets worker threads size their young generation from their limits, while the main thread keeps the flag's", () => {
    const run = (clear: boolean) =>
      inServerProcess(
        `const { Worker } = await import("node:worker_threads");
         const v8 = (await import("node:v8")).default;
         const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size / ${MB};
         const churn = "let keep = []; for (let i = 0; i < 2e6; i++) { keep.push({ i }); if (keep.length > 100000) keep = []; }";
         ${clear ? "heap.letWorkersSizeTheirYoungGeneration();" : ""}
         const report = "Promise.all([import('node:worker_threads'), import('node:v8')]).then(([threads, v8]) => " +
           "threads.parentPort.postMessage(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / ${MB}));";
         const worker = new Worker(churn + report,
           { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 32 } });
         const inWorker = await new Promise((resolve) => worker.once("message", resolve));
         await worker.terminate();
         new Function(churn)();
         console.log(JSON.stringify({ worker: inWorker, main: newSpace() }));`,
      ) as { worker: number; main: number };
    // The server's --max-semi-space-size=4: two semi-spaces of 4 MB, for every thread unless cleared.
    expect(run(false)).toEqual({ worker: 8, main: 8 });
    expect(run(true)).toEqual({ worker: 32, main: 8 });
  });
});
