// Starts the production build on a throw-away data directory for benchmarks, with known keys.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { SERVER_NODE_ARGS, serverEnv } from "../../lib/runtime/serverProcess";

export const BENCH_KEYS = { admin: "echo_admin_bench_key", ingest: "echo_ingest_bench_key" };
const root = path.resolve(import.meta.dirname, "..", "..");

export interface BenchServer {
  port: number;
  /** The server process (its resident memory is read from /proc). */
  pid: number;
  dataDir: string;
  api<T = unknown>(method: string, route: string, body?: unknown): Promise<T>;
  /** Resolves once the server's ingestion log is empty (everything acknowledged is in ClickHouse). */
  drained(): Promise<void>;
  /** Stops it as a process manager does (SIGTERM); answers its exit code (null when a signal ended it). */
  stop(): Promise<number | null>;
}

async function waitForHealth(port: number, child: ChildProcess) {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error("the server exited during start-up");
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the server did not become healthy within 120 s");
}

/**
 * Refuses a port something already listens on: the health checks below would be answered by that server
 * (a benchmark's server left running by a run that died) and every figure would measure it instead.
 */
async function ensurePortFree(port: number) {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", () =>
      reject(new Error(`port ${port} is in use on 127.0.0.1: stop what listens there (a benchmark server left running?) and run again`)),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

/**
 * `existingDataDir`: serve a loaded store (e.g. a benchmark's) instead of a fresh one; the caller owns it (stop leaves it).
 * `env`: more environment for the server (e.g. CLICKHOUSE_URL and DATABASE_URL for stores out of its process).
 */
export async function startBenchServer(port = 3200, existingDataDir?: string, env: Record<string, string> = {}): Promise<BenchServer> {
  if (!fs.existsSync(path.join(root, ".next", "BUILD_ID"))) {
    console.log("building the app for the benchmark (next build)…");
    const built = spawnSync(path.join(root, "node_modules", ".bin", "next"), ["build"], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, ECHO_SKIP_BUILD_TYPECHECK: "1" },
    });
    if (built.status !== 0) throw new Error("next build failed");
  }
  await ensurePortFree(port);
  const dataDir = existingDataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "echo-bench-"));
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server under load.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...SERVER_NODE_ARGS, path.join(root, "server.ts")], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
    env: serverEnv({
      ...process.env,
      PORT: String(port),
      HOSTNAME_BIND: "127.0.0.1",
      ECHO_DATA_DIR: dataDir,
      ECHO_DEMO: "0",
      ECHO_INIT_ADMIN_API_KEY: BENCH_KEYS.admin,
      ECHO_INIT_INGEST_API_KEY: BENCH_KEYS.ingest,
      NODE_ENV: "production",
      ...env,
    }),
  });
  await waitForHealth(port, child);
  return {
    port,
    pid: child.pid!,
    dataDir,
    async api<T>(method: string, route: string, body?: unknown) {
      const response = await fetch(`http://127.0.0.1:${port}${route}`, {
        method,
        headers: { authorization: `Bearer ${BENCH_KEYS.admin}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = await response.json();
      if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(json)}`);
      return json as T;
    },
    async drained() {
      for (;;) {
        // A keep-alive connection the server closes just as it is reused fails the fetch (the bench pauses for
        // seconds while it builds batches, longer than the server keeps idle connections): ask again on a new one.
        const url = `http://127.0.0.1:${port}/api/health`;
        const health = (await (await fetch(url).catch(() => fetch(url))).json()) as { ingestion?: { pendingSegments: number } };
        if (!health.ingestion) throw new Error("/api/health reports no ingestion backlog");
        if (health.ingestion.pendingSegments === 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      process.kill(-child.pid!, "SIGTERM");
      const code = child.exitCode ?? (await exited);
      if (!existingDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/**
 * Two model versions and a running 50/50 experiment between them, created through the API on a benchmark
 * server: `<prefix>-exp` with control on `base` and treatment on `treatment` (both model version keys).
 */
export async function startBenchExperiment(
  server: Pick<BenchServer, "api">,
  prefix: string,
  versions: { base: string; treatment: string },
): Promise<void> {
  await server.api("POST", "/api/v1/model-versions", { key: versions.base, name: `${prefix} base` });
  await server.api("POST", "/api/v1/model-versions", { key: versions.treatment, name: `${prefix} treatment` });
  await server.api("POST", "/api/v1/experiments", {
    key: `${prefix}-exp`,
    name: prefix,
    variants: [
      { key: "control", modelVersion: versions.base, weight: 0.5 },
      { key: "treatment", modelVersion: versions.treatment, weight: 0.5 },
    ],
  });
  await server.api("POST", `/api/v1/experiments/${prefix}-exp/start`);
}
