// Soak: minutes of steady mixed traffic against the production build — ingestion at 5,000 events/s,
// 200 assignments/s, results, refinement browsing and a page — with the resident memory of every process
// that serves it sampled from /proc throughout: the app server (with the embedded engines, the default),
// or, out of process, the app server, the ClickHouse engine behind HTTP and the PostgreSQL server apart.
// Every answer must be a success; the app server's memory must stay below 1 GB and flat (end within
// 100 MB of start).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { ensurePostgresBin } from "../systemPackages";
import { BENCH_KEYS, startBenchExperiment, startBenchServer, type BenchServer } from "./server";

/** A process serving the soak (or a group of them, as PostgreSQL's), with its memory over the soak. */
export interface ProcessMemory {
  name: string;
  /** How the memory is read: a process's resident set, or a group's proportional sets summed (shared pages counted once). */
  measure: "RSS" | "PSS summed";
  /** The samples of the second minute and of the last (see SoakResult). */
  startMb: number[];
  endMb: number[];
  maxMb: number;
}

export interface SoakResult {
  seconds: number;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  /**
   * The app server's resident memory (with the embedded engines, when they are in it), sampled every 10 s:
   * the samples of the second minute (the first is start-up's) and of the last minute. A minute's samples,
   * not one: a single sample moves by tens of MB with the moment it is taken (a query's memory not yet
   * returned, the heap just before a collection), which the highest sample reports apart.
   */
  rssStartMb: number[];
  rssEndMb: number[];
  rssMaxMb: number;
  /** Every sample of the app server's resident memory, one each 10 seconds from the start. */
  rssSamplesMb: number[];
  /** At the end: the app server's resident memory that is file-backed (the engine's code pages, shared and reclaimable) and anonymous. */
  rssFileEndMb: number;
  rssAnonEndMb: number;
  /** The stores' processes, when they run apart from the app server. */
  stores: ProcessMemory[];
  /** The app server's exit code when stopped after the soak (SIGTERM; null when a signal ended it). */
  stopExitCode: number | null;
}

/** A store's processes to sample (a group, e.g. PostgreSQL's server and its backends, reads as one). */
export interface StoreProcesses {
  name: string;
  measure: ProcessMemory["measure"];
  pids(): number[];
}

function residentMb(pid: number, field: "VmRSS" | "RssFile" | "RssAnon" = "VmRSS"): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m"))?.[1] ?? 0) / 1024;
}

/** A group's proportional set sizes summed: memory shared between its processes (PostgreSQL's shared buffers) counts once. */
function proportionalMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").match(/^Pss:\s+(\d+)\s+kB/m)?.[1] ?? 0);
    } catch {
      // a backend that ended between the listing and the read
    }
  }
  return kb / 1024;
}

/** A loopback port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A process and its descendants, from /proc. */
function processTree(root: number): number[] {
  const pids = [root];
  for (let i = 0; i < pids.length; i++) {
    try {
      const children = fs.readFileSync(`/proc/${pids[i]}/task/${pids[i]}/children`, "utf8").trim();
      if (children) pids.push(...children.split(" ").map(Number));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

/** A batch of one user's realistic completion traffic, refinements included. */
function batch(i: number): string {
  const events: Record<string, unknown>[] = [];
  const userId = `soak-user-${i % 3_000}`;
  const now = Date.now();
  for (let s = 0; events.length < 500; s++) {
    const suggestionId = `soak-${i}-${s}`;
    const common = { userId, suggestionId, modelVersion: "soak-base", language: ["python", "typescript", "go"][s % 3], ide: "vscode" };
    events.push({
      ...common,
      eventId: randomUUID(),
      type: "shown",
      timestamp: now - 5_000,
      completionChars: 40,
      latencyMs: 120 + (s % 80),
    });
    if (s % 3 === 0) {
      events.push({ ...common, eventId: randomUUID(), type: "accepted", timestamp: now - 4_000, acceptedChars: 40 });
      events.push({
        ...common,
        eventId: randomUUID(),
        type: "refined",
        timestamp: now - 1_000,
        windowSeconds: 60,
        proposal: `value = compute(${s})\n`,
        final: `value = compute(${s}, strict=True)\n`,
      });
    }
  }
  return JSON.stringify({ events });
}

/** POSTs at a fixed rate (requests per second) until `until`, each answer tallied. */
async function paced(
  port: number,
  route: string,
  body: (i: number) => string,
  perSecond: number,
  until: number,
  tally: (s: number) => void,
) {
  const headers = { authorization: `Bearer ${BENCH_KEYS.ingest}`, "content-type": "application/json" };
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; Date.now() < until; i++) {
    const due = started + (i * 1000) / perSecond;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const request: Promise<void> = fetch(`http://127.0.0.1:${port}${route}`, { method: "POST", headers, body: body(i) })
      .then(async (response) => {
        await response.arrayBuffer();
        tally(response.status);
      })
      .catch(() => tally(0))
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
    // A server that cannot keep up is not flooded further: at most 32 requests wait at once.
    if (inFlight.size >= 32) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

async function getLoop(port: number, paths: string[], until: number, tally: (status: number) => void) {
  for (let i = 0; Date.now() < until; i++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${paths[i % paths.length]}`, {
        headers: { authorization: `Bearer ${BENCH_KEYS.admin}` },
        redirect: "manual",
      });
      await response.arrayBuffer();
      tally(response.status);
    } catch {
      tally(0);
    }
  }
}

/** The soak's traffic against `server`, which then is stopped (SIGTERM) and its exit code reported. */
export async function soak(
  server: BenchServer,
  seconds: number,
  log: (line: string) => void,
  storeProcesses: StoreProcesses[] = [],
): Promise<SoakResult> {
  let result: Omit<SoakResult, "stopExitCode">;
  try {
    result = await soakTraffic(server, seconds, log, storeProcesses);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { ...result, stopExitCode: await server.stop() };
}

async function soakTraffic(
  server: BenchServer,
  seconds: number,
  log: (line: string) => void,
  storeProcesses: StoreProcesses[],
): Promise<Omit<SoakResult, "stopExitCode">> {
  await startBenchExperiment(server, "soak", { base: "soak-base", treatment: "soak-new" });
  const statuses: Record<string, number> = {};
  const tally = (status: number) => void (statuses[status] = (statuses[status] ?? 0) + 1);
  const rss: number[] = [];
  const stores = storeProcesses.map((store) => ({ store, samples: [] as number[] }));
  const sample = () => {
    rss.push(residentMb(server.pid));
    for (const { store, samples } of stores) {
      const pids = store.pids();
      samples.push(store.measure === "RSS" ? residentMb(pids[0]) : proportionalMb(pids));
    }
  };
  sample();
  const sampler = setInterval(() => {
    sample();
    if (rss.length % 6 === 0) {
      const apart = stores.map(({ store, samples }) => `, ${store.name} ${Math.round(samples.at(-1)!)} MB`).join("");
      log(`${Math.round((rss.length * 10) / 60)} min: app server resident ${Math.round(rss.at(-1)!)} MB${apart}`);
    }
  }, 10_000);
  const until = Date.now() + seconds * 1000;
  await Promise.all([
    // A busy product's steady traffic, not a flood: 5,000 events/s and 200 assignments/s.
    paced(server.port, "/api/v1/events", (i) => batch(i), 10, until, tally),
    paced(server.port, "/api/v1/assign", (i) => JSON.stringify({ userId: `soak-user-${i % 5_000}` }), 200, until, tally),
    getLoop(server.port, ["/api/v1/experiments/soak-exp/results", "/api/v1/experiments/soak-exp/results?metric=latency_p95"], until, tally),
    getLoop(
      server.port,
      ["/api/v1/refinements?limit=50", "/api/v1/refinements/outcomes", "/api/v1/model-versions", "/login"],
      until,
      tally,
    ),
  ]);
  clearInterval(sampler);
  sample();
  const requests = Object.values(statuses).reduce((sum, n) => sum + n, 0);
  const errors = Object.entries(statuses)
    .filter(([status]) => Number(status) < 200 || Number(status) >= 300)
    .reduce((sum, [, n]) => sum + n, 0);
  // The second minute is the baseline: start-up and the first queries allocate once.
  const minute = 6;
  const second = (samples: number[]) => samples.slice(Math.min(minute, samples.length - 1), 2 * minute);
  const last = (samples: number[]) => samples.slice(-minute);
  return {
    seconds,
    requests,
    errors,
    statuses,
    rssStartMb: second(rss),
    rssEndMb: last(rss),
    rssMaxMb: Math.max(...rss),
    rssSamplesMb: rss.map(Math.round),
    rssFileEndMb: residentMb(server.pid, "RssFile"),
    rssAnonEndMb: residentMb(server.pid, "RssAnon"),
    stores: stores.map(({ store, samples }) => ({
      name: store.name,
      measure: store.measure,
      startMb: second(samples),
      endMb: last(samples),
      maxMb: Math.max(...samples),
    })),
  };
}

const root = path.resolve(import.meta.dirname, "..", "..");

interface ExternalStores {
  /** CLICKHOUSE_URL and DATABASE_URL for the app server. */
  env: Record<string, string>;
  processes: StoreProcesses[];
  stop(): Promise<void>;
}

/**
 * The stores out of the app's process, as a deployment with CLICKHOUSE_URL and DATABASE_URL runs them: a
 * throw-away PostgreSQL cluster with its default settings (shared buffers 128 MB) on loopback, and the
 * ClickHouse engine behind its HTTP interface in a process of its own (scripts/bench/clickhouseHttp.ts).
 */
async function startExternalStores(port?: number): Promise<ExternalStores> {
  const bin = ensurePostgresBin();
  port ??= await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-soak-stores-"));
  const asRoot = process.getuid?.() === 0;
  // initdb refuses root: as root, the cluster runs as the postgres user.
  const as = (command: string, args: string[]) =>
    spawnSync(asRoot ? "runuser" : command, asRoot ? ["-u", "postgres", "--", command, ...args] : args, { stdio: "ignore" });
  // A directory of its own, which the postgres user owns when we are root.
  const pgDir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-soak-pg-"));
  if (asRoot) spawnSync("chown", ["-R", "postgres", pgDir]);
  const data = path.join(pgDir, "data");
  const options = `-p ${port} -k ${pgDir} -c listen_addresses=127.0.0.1`;
  const started =
    as(path.join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres"]).status === 0 &&
    as(path.join(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", path.join(pgDir, "log"), "-w", "start"]).status === 0;
  if (!started) {
    const log = fs.existsSync(path.join(pgDir, "log")) ? fs.readFileSync(path.join(pgDir, "log"), "utf8").trim().split("\n").slice(-3) : [];
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(pgDir, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${log.join(" / ") || "initdb failed"}`);
  }
  const postmaster = Number(fs.readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]);

  let clickhouse: ChildProcess | undefined;
  const stop = async () => {
    if (clickhouse && clickhouse.exitCode === null) {
      clickhouse.kill("SIGTERM");
      await new Promise((r) => clickhouse!.once("exit", r));
    }
    as(path.join(bin, "pg_ctl"), ["-D", data, "-m", "fast", "stop"]);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(pgDir, { recursive: true, force: true });
  };
  try {
    clickhouse = spawn(
      process.execPath,
      ["--import", "tsx", path.join(root, "scripts", "bench", "clickhouseHttp.ts"), path.join(dir, "clickhouse")],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const url = await new Promise<string>((resolve, reject) => {
      let output = "";
      clickhouse!.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("\n")) resolve(output.split("\n")[0].trim());
      });
      clickhouse!.once("exit", (code) => reject(new Error(`the ClickHouse HTTP process exited with code ${code}`)));
    });
    const clickhousePid = clickhouse.pid!;
    return {
      env: { CLICKHOUSE_URL: url, DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres` },
      processes: [
        { name: "ClickHouse engine (chDB behind HTTP)", measure: "RSS", pids: () => [clickhousePid] },
        // Its processes share the buffer pool: their resident sets summed would count it once per backend.
        { name: "PostgreSQL (server and backends)", measure: "PSS summed", pids: () => processTree(postmaster) },
      ],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The soak with the stores out of the app's process (CLICKHOUSE_URL, DATABASE_URL): the same traffic, each process's memory apart. */
export async function soakOutOfProcess(seconds: number, log: (line: string) => void, port = 3200): Promise<SoakResult> {
  const stores = await startExternalStores();
  try {
    return await soak(await startBenchServer(port, undefined, stores.env), seconds, log, stores.processes);
  } finally {
    await stores.stop();
  }
}

// Run on its own: tsx scripts/bench/soak.ts [seconds] [port] [embedded|out-of-process] (a port beside the full benchmark's 3200).
if (process.argv[1]?.endsWith("soak.ts")) {
  const seconds = Number(process.argv[2] || process.env.BENCH_SOAK_SECONDS || 600);
  const port = Number(process.argv[3] || 3500);
  const print = (line: string) => console.log(`  ${line}`);
  if (process.argv[4] === "out-of-process") {
    console.log(await soakOutOfProcess(seconds, print, port));
  } else {
    console.log(await soak(await startBenchServer(port), seconds, print));
  }
  process.exit(0);
}
