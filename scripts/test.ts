// npm test — every check, in the order that fails fastest: Chromium present, type check, format, lint (with
// import cycles and layers), schema drift, unit + integration tests (real chDB and PGlite), production
// build, end-to-end tests in Debian's Chromium. Ends with one summary line: "N passed, N failed".
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
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

function ensureChromium() {
  if (fs.existsSync(chromium)) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || spawnSync("which", ["apt-get"]).status !== 0) {
    console.error(
      `Chromium is missing at ${chromium}: install it with 'sudo apt-get install -y chromium' (or set CHROMIUM_PATH) ` +
        "and run npm test again.",
    );
    process.exit(1);
  }
  run("install Chromium (apt-get install -y chromium)", "bash", [
    "-c",
    "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null",
  ]);
}

function counts() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const vitest = path.join(root, "test-results", "vitest.json");
  if (fs.existsSync(vitest)) {
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

for (const report of ["vitest.json", "playwright.json"]) fs.rmSync(path.join(root, "test-results", report), { force: true });
ensureChromium();
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
run("production build (next build)", bin("next"), ["build"], { ECHO_SKIP_BUILD_TYPECHECK: "1" });
run("end-to-end tests (Playwright, Debian Chromium)", bin("playwright"), ["test", "--reporter=list,json"], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: "test-results/playwright.json",
});
summary();
