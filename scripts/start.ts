// npm start — builds the app when its sources changed since the last build, then runs server.ts on
// PORT (default 3000) with the embedded stores; the server migrates and initializes them as it starts.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { SERVER_NODE_ARGS, serverEnv } from "../lib/runtime/serverProcess";

const root = path.resolve(import.meta.dirname, "..");
const stampFile = path.join(root, ".next", "echo-source-hash");
const sourceRoots = ["app", "lib", "prisma", "public", "instrumentation.ts", "proxy.ts", "next.config.ts", "package-lock.json"];

function* files(entry: string): Generator<string> {
  const full = path.join(root, entry);
  if (!fs.existsSync(full)) return;
  if (fs.statSync(full).isFile()) return yield full;
  for (const child of fs.readdirSync(full).sort()) yield* files(path.join(entry, child));
}

function sourceHash(): string {
  const hash = createHash("sha256");
  for (const entry of sourceRoots) for (const file of files(entry)) hash.update(file).update(fs.readFileSync(file));
  return hash.digest("hex");
}

const next = path.join(root, "node_modules", ".bin", "next");
const current = sourceHash();
const built =
  fs.existsSync(path.join(root, ".next", "BUILD_ID")) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === current;
if (!built) {
  console.log("[echo] building the app (first start or changed sources)…");
  const result = spawnSync(next, ["build"], { cwd: root, stdio: "inherit", env: { ...process.env, ECHO_SKIP_BUILD_TYPECHECK: "1" } });
  if (result.status !== 0) process.exit(result.status ?? 1);
  fs.writeFileSync(stampFile, current);
}

const port = process.env.PORT || "3000";
console.log(`[echo] starting on http://localhost:${port}`);
// Node itself, with tsx as a loader: the tsx command relays a signal and kills its child 30 ms later
// unless the child confirms it in time, which a busy server may not (its clean stop then never runs).
const server = spawn(process.execPath, [...SERVER_NODE_ARGS, path.join(root, "server.ts")], {
  cwd: root,
  stdio: "inherit",
  env: serverEnv({ ...process.env, NODE_ENV: "production", PORT: port }),
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
