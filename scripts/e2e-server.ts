// Serves the production build for the end-to-end tests on a fresh, throw-away data directory.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SERVER_NODE_ARGS, serverEnv } from "../lib/runtime/serverProcess";

const root = path.resolve(import.meta.dirname, "..");
if (!fs.existsSync(path.join(root, ".next", "BUILD_ID"))) {
  console.error("No production build: run `next build` first (npm test does).");
  process.exit(1);
}
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-e2e-"));
const server = spawn(process.execPath, [...SERVER_NODE_ARGS, path.join(root, "server.ts")], {
  cwd: root,
  stdio: "inherit",
  // Same process group as this script: Playwright stops the web server by signalling its whole group,
  // and a server in a group of its own would outlive the run and keep its output pipe open.
  env: serverEnv({ ...process.env, ECHO_DATA_DIR: dataDir, NODE_ENV: "production", HOSTNAME_BIND: "127.0.0.1" }),
});
const stop = () => server.kill("SIGTERM");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", (code) => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(code ?? 0);
});
