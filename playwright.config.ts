import { defineConfig } from "@playwright/test";
import { CHROMIUM_PATH } from "./scripts/systemPackages";

// End-to-end tests drive Debian's Chromium (Playwright's own browser download is not reachable here)
// against the production build, started on a fresh embedded data directory with known credentials.
export const E2E_PORT = Number(process.env.E2E_PORT || 3100);
export const E2E_ADMIN = { email: "admin@e2e.local", password: "e2e-admin-password" };
export const E2E_KEYS = { admin: "echo_admin_e2e_key", ingest: "echo_ingest_e2e_key" };

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/playwright",
  timeout: 60_000,
  globalTimeout: 15 * 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"]],
  // Tests tagged @empty-store run first, on the fresh store the web server starts with: what the pages
  // say before any data exists. Everything else runs after them, in file order.
  projects: [
    { name: "empty-store", grep: /@empty-store/ },
    { name: "main", grepInvert: /@empty-store/, dependencies: ["empty-store"] },
  ],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    viewport: { width: 1360, height: 860 },
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    command: "tsx scripts/e2e-server.ts",
    url: `http://127.0.0.1:${E2E_PORT}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      PORT: String(E2E_PORT),
      ECHO_DEMO: "0",
      ECHO_INIT_ADMIN_EMAIL: E2E_ADMIN.email,
      ECHO_INIT_ADMIN_PASSWORD: E2E_ADMIN.password,
      ECHO_INIT_ADMIN_API_KEY: E2E_KEYS.admin,
      ECHO_INIT_INGEST_API_KEY: E2E_KEYS.ingest,
    },
  },
});
