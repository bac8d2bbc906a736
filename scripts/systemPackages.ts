// The two programs Echo's checks need from the machine rather than from npm: Debian's Chromium (the
// end-to-end tests and the benchmark's page timings; Playwright cannot download a browser here) and the
// PostgreSQL server (the tests against a PostgreSQL database, the soak with the stores out of the process).
// `npm test` and `npm run bench` both install the package when it is missing and they run as root with
// apt-get, so that either command works on a fresh machine; otherwise they stop with the command to run.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** Where Chromium is expected (CHROMIUM_PATH, default Debian's). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** Installs a Debian package, or throws with the command to run when this process may not (not root, or no apt-get). */
function aptInstall(pkg: string, missing: string) {
  if (process.getuid?.() !== 0 || spawnSync("which", ["apt-get"]).status !== 0) {
    throw new Error(`${missing}: install it with 'sudo apt-get install -y ${pkg}' and run the command again.`);
  }
  const started = Date.now();
  console.log(`\n▶ install ${pkg} (apt-get install -y ${pkg})`);
  const script = `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg} >/dev/null`;
  const result = spawnSync("bash", ["-c", script], { stdio: "inherit" });
  if (result.status !== 0) throw new Error(`installing ${pkg} failed (apt-get exited with ${result.status})`);
  console.log(`✓ install ${pkg} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
}

/** Chromium's executable, installing Debian's package when it is missing and we may. */
export function ensureChromium(): string {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    aptInstall("chromium", `Chromium is missing at ${CHROMIUM_PATH} (or set CHROMIUM_PATH)`);
    if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is still missing at ${CHROMIUM_PATH} after installing it`);
  }
  return CHROMIUM_PATH;
}

/** The directory of the PostgreSQL server's initdb and pg_ctl, or undefined when they are not installed. */
function installedPostgresBin(): string | undefined {
  const versions = fs.existsSync("/usr/lib/postgresql") ? fs.readdirSync("/usr/lib/postgresql").sort().reverse() : [];
  const candidates = ["/usr/local/bin", ...versions.map((version) => path.join("/usr/lib/postgresql", version, "bin"))];
  return candidates.find((dir) => fs.existsSync(path.join(dir, "initdb")) && fs.existsSync(path.join(dir, "pg_ctl")));
}

/** The directory of initdb and pg_ctl, installing Debian's PostgreSQL package when they are missing and we may. */
export function ensurePostgresBin(): string {
  const found = installedPostgresBin();
  if (found) return found;
  aptInstall("postgresql", "PostgreSQL is missing");
  const installed = installedPostgresBin();
  if (!installed) throw new Error("PostgreSQL's initdb and pg_ctl are still missing after installing it");
  return installed;
}
