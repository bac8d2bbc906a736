import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { clickhouse } from "@/lib/clickhouse";
import { flushIngestion } from "@/lib/ingestion/log";
import { dataDir } from "@/lib/settings";
import { ADMIN_KEY, INGEST_KEY, call, signInCookie } from "./http";

// Failure modes of the write path and of young experiments: what the API answers while the ingestion
// log cannot be written, and that it recovers by itself.

const routes = {
  health: () => import("@/app/api/health/route"),
  events: () => import("@/app/api/v1/events/route"),
  assign: () => import("@/app/api/v1/assign/route"),
};

const experimentKey = "hardening-exp";

function shown(userId: string, fields: Record<string, unknown> = {}) {
  return {
    eventId: randomUUID(),
    type: "shown",
    timestamp: new Date().toISOString(),
    userId,
    suggestionId: `s-${randomUUID().slice(0, 8)}`,
    modelVersion: "h-base",
    completionChars: 40,
    completionLines: 2,
    latencyMs: 180,
    ...fields,
  };
}

async function postEvents(events: unknown[]) {
  const { POST } = await routes.events();
  return call(POST, "POST", "/api/v1/events", { key: INGEST_KEY, body: { events } });
}

async function health() {
  const { GET } = await routes.health();
  return call(GET, "GET", "/api/health");
}

async function storedRows(userId: string): Promise<number> {
  await flushIngestion();
  const client = await clickhouse();
  // Without FINAL: an event logged twice would count twice until a merge collapses it.
  const query = "SELECT count() AS n FROM events WHERE user_id = {u:String}";
  const result = await client.query({ query, query_params: { u: userId }, format: "JSONEachRow" });
  return Number((await result.json<{ n: number }>())[0].n);
}

/**
 * Runs `body` while the log's directory is a regular file (a removed or remounted volume), so that
 * opening a new segment fails; the directory is back afterwards, whatever happened.
 */
async function withUnwritableLog<T>(body: () => Promise<T>): Promise<T> {
  await flushIngestion(); // closes the open segment: the next append must open a new one
  const dir = path.join(dataDir(), "ingest-wal");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.writeFileSync(dir, "");
  try {
    return await body();
  } finally {
    fs.rmSync(dir, { force: true });
    fs.mkdirSync(dir);
  }
}

/** Runs `body` while every write to the log fails after a short while, as on a full disk. */
async function withFailingWrites<T>(body: () => Promise<T>): Promise<T> {
  const writev = vi.spyOn(fs, "writev").mockImplementation(((...args: unknown[]) => {
    const callback = args.at(-1) as (error: Error | null, bytes: number) => void;
    const error = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    setTimeout(() => callback(error, 0), 20);
  }) as typeof fs.writev);
  try {
    return await body();
  } finally {
    writev.mockRestore();
  }
}

beforeAll(async () => {
  const versions = await import("@/app/api/v1/model-versions/route");
  for (const key of ["h-base", "h-new"]) {
    expect((await call(versions.POST, "POST", "/api/v1/model-versions", { key: ADMIN_KEY, body: { key, name: key } })).status).toBe(201);
  }
  const experiments = await import("@/app/api/v1/experiments/route");
  const variants = [
    { key: "control", modelVersion: "h-base", weight: 0.5 },
    { key: "treatment", modelVersion: "h-new", weight: 0.5 },
  ];
  const body = { key: experimentKey, name: "Hardening", variants };
  const created = await call(experiments.POST, "POST", "/api/v1/experiments", { key: ADMIN_KEY, body });
  expect(created.status).toBe(201);
  const start = await import("@/app/api/v1/experiments/[key]/start/route");
  expect((await call(start.POST, "POST", "/x", { key: ADMIN_KEY, params: { key: experimentKey } })).status).toBe(200);
});

describe("when the ingestion log cannot be written", () => {
  it("answers 503 to ingestion, reports it in /api/health, and recovers by itself once the disk is back", async () => {
    const userId = `h-unwritable-${randomUUID()}`;
    const batch = [shown(userId), shown(userId)];
    await withUnwritableLog(async () => {
      const refused = await postEvents(batch);
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe("unavailable");
      const { POST } = await routes.assign();
      const assign = await call(POST, "POST", "/api/v1/assign", { key: INGEST_KEY, body: { userId } });
      expect(assign.status).toBe(503);
      // The server still answers everything else.
      const reported = await health();
      expect(reported.status).toBe(200);
      expect(reported.body.ingestion).toMatchObject({ writable: false, lastError: expect.stringMatching(/ENOTDIR/), failedAttempts: 2 });
      expect(reported.body.ingestion.lastError).not.toContain(dataDir());
    });
    const accepted = await postEvents(batch);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect((await health()).body.ingestion).toMatchObject({ writable: true, lastError: null, failedAttempts: 0 });
    expect(await storedRows(userId)).toBe(2);
  });
});

describe("retries of a batch while its append is in flight", () => {
  it("never answers 'duplicate' for events that were not stored, and stores each event once after recovery", async () => {
    const userId = `h-concurrent-${randomUUID()}`;
    const batch = Array.from({ length: 50 }, () => shown(userId));
    const send = () => Promise.all(Array.from({ length: 20 }, () => postEvents(batch)));

    const failed = await withFailingWrites(send);
    // Nothing was stored, so no request may claim the events as duplicates (of stored ones).
    expect(failed.map((answer) => answer.status)).toEqual(Array(20).fill(503));
    expect(await storedRows(userId)).toBe(0);

    const recovered = await send();
    expect(recovered.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(recovered.reduce((sum, answer) => sum + answer.body.accepted, 0)).toBe(50);
    expect(recovered.reduce((sum, answer) => sum + answer.body.duplicates, 0)).toBe(19 * 50);
    expect(await storedRows(userId)).toBe(50);
  });
});

describe("results of a young experiment", () => {
  it("answers 200 with notes, not 500, while a handful of suggestions cannot support a p95 latency", async () => {
    const { POST } = await routes.assign();
    const events: Record<string, unknown>[] = [];
    for (let u = 0; u < 6; u++) {
      const userId = `h-young-${u}`;
      const assigned = await call(POST, "POST", "/api/v1/assign", { key: INGEST_KEY, body: { userId } });
      expect(assigned.status).toBe(200);
      const modelVersion = assigned.body.modelVersion;
      for (let i = 0; i < 2; i++) events.push(shown(userId, { modelVersion, latencyMs: 150 + 10 * u + i }));
    }
    expect((await postEvents(events)).body).toMatchObject({ accepted: events.length, rejected: [] });
    await flushIngestion();

    const { GET } = await import("@/app/api/v1/experiments/[key]/results/route");
    const queries: Record<string, string>[] = [{}, { metric: "latency_p95" }];
    for (const query of queries) {
      const results = await call(GET, "GET", "/x", { key: ADMIN_KEY, params: { key: experimentKey }, query });
      expect(results.status, JSON.stringify(results.body)).toBe(200);
      expect(results.body.srm.observed.reduce((sum: number, n: number) => sum + n, 0)).toBe(6);
      const latency = results.body.guardrails.find((g: { metric: string }) => g.metric === "latency_p95");
      expect(latency).toMatchObject({ pValue: null, worse: false, note: expect.stringMatching(/^Not enough data yet: .*too few/) });
    }
    const p95 = await call(GET, "GET", "/x", { key: ADMIN_KEY, params: { key: experimentKey }, query: { metric: "latency_p95" } });
    expect(p95.body.variants[1]).toMatchObject({
      lift: null,
      pValue: null,
      note: expect.stringMatching(/^Not enough data yet: .*too few/),
    });
  });
});

describe("results windows", () => {
  it("refuses unbounded, inverted and unparseable windows with a 400 naming the field", async () => {
    const { GET } = await import("@/app/api/v1/experiments/[key]/results/route");
    const results = (query: Record<string, string>) => call(GET, "GET", "/x", { key: ADMIN_KEY, params: { key: experimentKey }, query });
    const cases: [Record<string, string>, string][] = [
      [{ from: "0001-01-01", to: "9999-12-31" }, "query.from"],
      [{ to: "99999" }, "query.to"],
      [{ to: "2026-11-24T10:00:00" }, "query.to"], // no zone: which one?
      [{ from: "2026-11-24", to: "2026-11-20" }, "query.to"],
      [{ from: "2020-01-01", to: "2026-01-01" }, "query.from"],
    ];
    for (const [query, field] of cases) {
      const answer = await results(query);
      expect(answer.status, JSON.stringify(query)).toBe(400);
      expect(answer.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    }
    expect((await results({ from: "2026-11-20", to: "2026-11-24T10:00:00+01:00" })).status).toBe(200);
  });

  it("answer an experiment running for longer than the events' retention over its retained days by default", async () => {
    const { GET } = await import("@/app/api/v1/experiments/[key]/results/route");
    const { database } = await import("@/lib/runtime/database");
    const client = await database();
    const { projectId, startedAt } = await client.experiment.findFirstOrThrow({ where: { key: experimentKey } });
    const where = { projectId_key: { projectId, key: experimentKey } };
    await client.experiment.update({ where, data: { startedAt: new Date(Date.now() - 800 * 86_400_000) } });
    try {
      const answer = await call(GET, "GET", "/x", { key: ADMIN_KEY, params: { key: experimentKey } });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(Date.parse(answer.body.to) - Date.parse(answer.body.from)).toBe(731 * 86_400_000);
    } finally {
      await client.experiment.update({ where, data: { startedAt } });
    }
  });
});

describe("event timestamps", () => {
  it("refuse a date-time without a zone instead of reading it in the server's time zone", async () => {
    const userId = `h-zone-${randomUUID()}`;
    const local = new Date(Date.now() - 3_600_000).toISOString().slice(0, 19); // 2026-12-01T13:00:00
    const answer = await postEvents([shown(userId, { timestamp: local }), shown(userId)]);
    expect(answer.status).toBe(207);
    expect(answer.body.rejected).toEqual([
      { index: 0, eventId: expect.any(String), errors: [{ path: "events[0].timestamp", message: expect.stringMatching(/with a zone/) }] },
    ]);
    const offset = await postEvents([shown(userId, { timestamp: `${local}+02:00` })]);
    expect(offset.status).toBe(200);
  });
});

describe("requests a browser could be tricked into sending, and oversized ones", () => {
  const apiKeys = () => import("@/app/api/v1/api-keys/route");

  it("refuses a cookie-authenticated change from another site, and anything but JSON", async () => {
    const cookie = await signInCookie("admin@test.local", "admin-password-1");
    const { POST } = await apiKeys();
    const body = JSON.stringify({ name: "from a form", scope: "admin" });
    // What an HTML form on evil.test can send: text/plain, the victim's cookie, Origin evil.test.
    const forged = await call(POST, "POST", "/api/v1/api-keys", {
      cookie,
      rawBody: body,
      headers: { origin: "http://evil.test", host: "localhost", "content-type": "text/plain" },
    });
    expect(forged.status).toBe(403);
    const plain = await call(POST, "POST", "/api/v1/api-keys", {
      cookie,
      rawBody: body,
      headers: { origin: "http://localhost", host: "localhost", "content-type": "text/plain" },
    });
    expect(plain.status).toBe(415);
    expect(plain.body.error.details[0].path).toBe("content-type");
    const fetched = await call(POST, "POST", "/api/v1/api-keys", {
      cookie,
      body: { name: "same site", scope: "ingest" },
      headers: { origin: "http://localhost", host: "localhost", "sec-fetch-site": "same-origin" },
    });
    expect(fetched.status).toBe(201);
    // An API key is not ambient authority: no Origin rule applies to it.
    const withKey = await call(POST, "POST", "/api/v1/api-keys", {
      key: ADMIN_KEY,
      body: { name: "script", scope: "ingest" },
      headers: { origin: "http://evil.test" },
    });
    expect(withKey.status).toBe(201);
    expect(withKey.headers.get("x-content-type-options")).toBe("nosniff");
    expect(withKey.headers.get("x-frame-options")).toBe("DENY");
    expect(withKey.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("stops reading an undeclared upload at the limit, before any authentication work", async () => {
    const { POST } = await import("@/app/api/auth/session/route");
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.byteLength;
        if (sent > 64 * 1024 * 1024)
          controller.close(); // 64 MB at most, if nothing stopped reading
        else controller.enqueue(chunk);
      },
    });
    const request = new Request("http://localhost/api/auth/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: endless,
      duplex: "half",
    } as RequestInit);
    const response = await POST(request, { params: Promise.resolve({}) });
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(2 * 1024 * 1024); // the 1 MB limit and a chunk or two in flight
  });

  it("refuses a body naming __proto__ (targeting everyone by a key that would vanish)", async () => {
    const experiments = await import("@/app/api/v1/experiments/route");
    const rawBody = JSON.stringify({
      key: "proto-exp",
      name: "Proto",
      variants: [
        { key: "control", modelVersion: "h-base", weight: 0.5 },
        { key: "treatment", modelVersion: "h-new", weight: 0.5 },
      ],
    }).replace(/}$/, ', "targeting": {"__proto__": {"in": ["internal"]}}}');
    const answer = await call(experiments.POST, "POST", "/api/v1/experiments", { key: ADMIN_KEY, rawBody });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(/__proto__/);
  });
});

describe("guessing passwords", () => {
  const signInAs = async (email: string, password: string, headers: Record<string, string> = {}) => {
    const { POST } = await import("@/app/api/auth/session/route");
    return call(POST, "POST", "/api/auth/session", { body: { email, password }, headers });
  };

  it("slows an account down after a few failures, and even the right password waits its turn", async () => {
    const { createUser } = await import("@/lib/auth/service");
    const { database } = await import("@/lib/runtime/database");
    await createUser(await database(), { email: "guessed@test.local", password: "the-right-one-1", role: "viewer" });
    for (let i = 0; i < 6; i++) expect((await signInAs("guessed@test.local", `guess-${i}`)).status).toBe(401);
    const refused = await signInAs("guessed@test.local", "guess-6", { "x-forwarded-for": "203.0.113.9" });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.body.error.code).toBe("rate_limited");
    expect((await signInAs("guessed@test.local", "the-right-one-1")).status).toBe(429);
  });

  it("slows one client address down across accounts", async () => {
    const from = { "x-forwarded-for": "198.51.100.7, 10.0.0.1" };
    for (let i = 0; i < 21; i++) expect((await signInAs(`nobody-${i}@test.local`, "x", from)).status).toBe(401);
    expect((await signInAs("someone-else@test.local", "x", from)).status).toBe(429);
    expect((await signInAs("someone-else@test.local", "x", { "x-forwarded-for": "198.51.100.8" })).status).toBe(401);
  });
});
