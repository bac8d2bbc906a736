// npm test — every check, in the order that fails fastest: Chromium present, type check, format, lint (with
// import cycles and layers), schema drift, unit + integration tests (real chDB and PGlite), production
// build, end-to-end tests in Debian's Chromium. Ends with one summary line: "N passed, N failed".
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureChromium, ensurePostgresBin } from "./systemPackages";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
fs.mkdirSync(path.join(root, "test-results"), { recursive: true });

function run(title: string, command: string, args: string[], env: Record<string, string> = {}) {
  const started = Date.now();
  console.log(`\n▶ ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`✗ ${title} failed after ${seconds}s`);
    summary();
    process.exit(result.status ?? 1);
  }
  console.log(`✓ ${title} (${seconds}s)`);
}

/** A program the checks need from the machine (scripts/systemPackages.ts), or the summary and exit when it cannot be had. */
function required<T>(find: () => T): T {
  try {
    return find();
  } catch (error) {
    console.error((error as Error).message);
    summary();
    process.exit(1);
  }
}

/**
 * Runs `body` against a throw-away PostgreSQL cluster on loopback (stopped and deleted afterwards,
 * whatever happens). As root, the cluster runs as the postgres user, which initdb requires.
 */
function withPostgres(body: (url: string) => void) {
  const bin = required(ensurePostgresBin);
  const port = process.env.ECHO_TEST_POSTGRES_PORT || "55432";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-pg-"));
  const asRoot = process.getuid?.() === 0;
  const as = (command: string, args: string[]): [string, string[]] =>
    asRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  if (asRoot) spawnSync("chown", ["-R", "postgres", dir]);
  const data = path.join(dir, "data");
  const [initCommand, initArgs] = as(path.join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres"]);
  run("PostgreSQL: initdb", initCommand, initArgs);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const [ctl, ctlArgs] = as(path.join(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", path.join(dir, "log"), "-w", "start"]);
  const [stop, stopArgs] = as(path.join(bin, "pg_ctl"), ["-D", data, "-m", "fast", "stop"]);
  let stopped = false;
  const stopCluster = () => {
    if (stopped) return;
    stopped = true;
    spawnSync(stop, stopArgs, { stdio: "ignore" });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // A failed step exits the process at once (see run): the cluster goes with it.
  process.on("exit", stopCluster);
  run("PostgreSQL: start", ctl, ctlArgs);
  body(`postgres://postgres@127.0.0.1:${port}/postgres`);
  stopCluster();
}

function counts() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const name of ["vitest.json", "vitest-clickhouse-http.json", "vitest-postgres.json"]) {
    const vitest = path.join(root, "test-results", name);
    if (!fs.existsSync(vitest)) continue;
    const report = JSON.parse(fs.readFileSync(vitest, "utf8"));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  }
  const playwright = path.join(root, "test-results", "playwright.json");
  if (fs.existsSync(playwright)) {
    const stats = JSON.parse(fs.readFileSync(playwright, "utf8")).stats ?? {};
    passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
    failed += stats.unexpected ?? 0;
    skipped += stats.skipped ?? 0;
  }
  return { passed, failed, skipped };
}

function summary() {
  const { passed, failed, skipped } = counts();
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
}

for (const report of ["vitest.json", "vitest-clickhouse-http.json", "vitest-postgres.json", "playwright.json"]) {
  fs.rmSync(path.join(root, "test-results", report), { force: true });
}
required(ensureChromium);
run("type check (tsc --noEmit)", bin("tsc"), ["--noEmit"]);
run("format (prettier --check)", bin("prettier"), ["--check", "."]);
run("lint, import cycles and layers (eslint)", bin("eslint"), ["--max-warnings", "0", "."]);
run("Prisma schema matches its migrations", bin("prisma"), [
  "migrate",
  "diff",
  "--from-migrations",
  "prisma/migrations",
  "--to-schema-datamodel",
  "prisma/schema.prisma",
  "--exit-code",
]);
run(
  "unit and integration tests (vitest, real chDB + PGlite)",
  bin("vitest"),
  ["run", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/vitest.json"],
  {
    VITE_CONFIG_NATIVE_IGNORE_WARNING: "true",
  },
);
run(
  "ingestion, results and refinement tests over ClickHouse's HTTP interface (CLICKHOUSE_URL, a fixture serving the engine)",
  bin("vitest"),
  [
    "run",
    "--project",
    "integration",
    "tests/integration/writepath.test.ts",
    "tests/integration/results.test.ts",
    "tests/integration/refinements.test.ts",
    "--reporter=default",
    "--reporter=json",
    "--outputFile.json=test-results/vitest-clickhouse-http.json",
  ],
  { VITE_CONFIG_NATIVE_IGNORE_WARNING: "true", ECHO_TEST_CLICKHOUSE: "http" },
);
withPostgres((url) =>
  run(
    "integration tests against a PostgreSQL server (a throw-away cluster, a fresh database per test file)",
    bin("vitest"),
    ["run", "--project", "integration", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/vitest-postgres.json"],
    { VITE_CONFIG_NATIVE_IGNORE_WARNING: "true", ECHO_TEST_POSTGRES_URL: url },
  ),
);
run("production build (next build)", bin("next"), ["build"], { ECHO_SKIP_BUILD_TYPECHECK: "1" });
run("end-to-end tests (Playwright, Debian Chromium)", bin("playwright"), ["test", "--reporter=list,json"], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: "test-results/playwright.json",
});
summary();
