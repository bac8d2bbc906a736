import path from "node:path";

// Every setting the server reads from the environment, in one place (documented in README.md).
// Read on each call, not at import time, so tests and scripts can point a process at their own directory.

export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.ECHO_DATA_DIR || ".echo");
}

export function clickhouseSettings() {
  return {
    url: process.env.CLICKHOUSE_URL || undefined,
    username: process.env.CLICKHOUSE_USER || "default",
    password: process.env.CLICKHOUSE_PASSWORD || "",
    database: process.env.CLICKHOUSE_DATABASE || "default",
    // Set to the cluster name to create replicated tables (the migrations' clustered variant).
    cluster: process.env.CLICKHOUSE_CLUSTER || undefined,
    embeddedPath: path.join(dataDir(), "clickhouse"),
  };
}

export function databaseUrl(): string | undefined {
  return process.env.DATABASE_URL || undefined;
}

/** Encrypts stored webhook secrets; unset, a random key is kept in the data directory (one instance only). */
export function secretKeySetting(): string | undefined {
  return process.env.ECHO_SECRET_KEY || undefined;
}

export function demoEnabled(): boolean {
  return process.env.ECHO_DEMO !== "0";
}

/**
 * How often each server recomputes the default scorecard of every running experiment, so that opening
 * an experiment answers at once from a computation at most this old (0: only when asked).
 */
export function scorecardRefreshSeconds(): number {
  const seconds = Number(process.env.ECHO_SCORECARD_REFRESH_SECONDS ?? 60);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : 60;
}

/** Webhooks may post to loopback, private and link-local addresses (off: such destinations are refused). */
export function webhookPrivateAddressesAllowed(): boolean {
  return process.env.ECHO_WEBHOOK_ALLOW_PRIVATE === "1";
}

export function initSettings() {
  return {
    adminEmail: process.env.ECHO_INIT_ADMIN_EMAIL || undefined,
    adminPassword: process.env.ECHO_INIT_ADMIN_PASSWORD || undefined,
    adminApiKey: process.env.ECHO_INIT_ADMIN_API_KEY || undefined,
    ingestApiKey: process.env.ECHO_INIT_INGEST_API_KEY || undefined,
  };
}
