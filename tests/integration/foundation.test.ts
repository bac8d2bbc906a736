import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { clickhouse } from "@/lib/clickhouse";
import { applyMigrations, readMigrations } from "@/lib/clickhouse/migrate";
import { database } from "@/lib/runtime/database";
import { applyDatabaseMigrations } from "@/lib/db/migrate";
import { createUser } from "@/lib/auth/service";
import { ADMIN_KEY, INGEST_KEY, call, signInCookie } from "./http";

const eventRow = (eventId: string, overrides: Record<string, unknown> = {}) => ({
  project_id: "p1",
  event_id: eventId,
  type: "shown",
  timestamp: "2026-11-20 10:00:00.000",
  user_id: "user-1",
  suggestion_id: "s-1",
  model_version: "v1",
  completion_chars: 42,
  latency_ms: 120,
  ...overrides,
});

describe("event store (embedded ClickHouse)", () => {
  it("applies its migrations twice without error, the second time as a no-op", async () => {
    const client = await clickhouse(); // first application happens here
    const again = await applyMigrations(client);
    expect(again.applied).toEqual([]);
    expect(again.skipped).toEqual(readMigrations().map((m) => m.name));
    const recorded = await (
      await client.query({ query: "SELECT count() AS n FROM schema_migrations FINAL", format: "JSONEachRow" })
    ).json<{ n: number }>();
    expect(recorded[0].n).toBe(readMigrations().length);
  });

  it("reads back an inserted event", async () => {
    const client = await clickhouse();
    const id = randomUUID();
    await client.insert({ table: "events", values: [eventRow(id)], format: "JSONEachRow" });
    const rows = await (
      await client.query({
        query: "SELECT user_id, completion_chars, toString(event_id) AS id FROM events WHERE event_id = {id:UUID}",
        query_params: { id },
        format: "JSONEachRow",
      })
    ).json<{ user_id: string; completion_chars: number; id: string }>();
    expect(rows).toEqual([{ user_id: "user-1", completion_chars: 42, id }]);
  });

  it("counts a duplicated event_id once, before and after merges", async () => {
    const client = await clickhouse();
    const id = randomUUID();
    // Two separate inserts = two parts: the duplicate exists physically until a merge.
    await client.insert({ table: "events", values: [eventRow(id, { user_id: "dup-user" })], format: "JSONEachRow" });
    await client.insert({ table: "events", values: [eventRow(id, { user_id: "dup-user" })], format: "JSONEachRow" });
    const count = async (final: boolean) =>
      (
        await (
          await client.query({
            query: `SELECT count() AS n FROM events ${final ? "FINAL" : ""} WHERE user_id = 'dup-user'`,
            format: "JSONEachRow",
          })
        ).json<{ n: number }>()
      )[0].n;
    expect(await count(false)).toBe(2); // the raw parts really hold two copies
    expect(await count(true)).toBe(1);
    await client.command({ query: "OPTIMIZE TABLE events FINAL" });
    expect(await count(false)).toBe(1);
  });

  it("keeps the first exposure of a user exactly, however often it is recorded", async () => {
    const client = await clickhouse();
    const row = (at: string) => ({
      project_id: "p1",
      experiment_key: "exp",
      phase: 1,
      user_id: "u-exp",
      variant_key: "control",
      model_version: "v1",
      first_exposed_at: at,
      last_exposed_at: at,
    });
    await client.insert({ table: "exposures", values: [row("2026-11-20 10:00:00.000")], format: "JSONEachRow" });
    await client.insert({
      table: "exposures",
      values: [row("2026-11-19 08:00:00.000"), row("2026-11-21 09:00:00.000")],
      format: "JSONEachRow",
    });
    const [first] = await (
      await client.query({
        query:
          "SELECT toString(min(first_exposed_at)) AS first, toString(max(last_exposed_at)) AS last, uniqExact(user_id) AS users FROM exposures WHERE experiment_key = 'exp'",
        format: "JSONEachRow",
      })
    ).json<{ first: string; last: string; users: number }>();
    expect(first).toEqual({ first: "2026-11-19 08:00:00.000", last: "2026-11-21 09:00:00.000", users: 1 });
  });
});

describe("metadata database (embedded PGlite through Prisma)", () => {
  it("applies its migrations twice without error", async () => {
    await database();
    expect((await applyDatabaseMigrations()).applied).toEqual([]);
  });

  it("round-trips a model version", async () => {
    const client = await database();
    const project = await client.project.findFirstOrThrow();
    const created = await client.modelVersion.create({
      data: { projectId: project.id, key: "rt-v1", name: "Round trip", baseModel: "starcoder2-3b", status: "candidate" },
    });
    const read = await client.modelVersion.findUniqueOrThrow({ where: { projectId_key: { projectId: project.id, key: "rt-v1" } } });
    expect(read).toMatchObject({
      id: created.id,
      name: "Round trip",
      baseModel: "starcoder2-3b",
      status: "candidate",
      trainedOnDatasetId: null,
    });
  });

  it("was initialized from ECHO_INIT_*: that admin and exactly those keys", async () => {
    const client = await database();
    const admin = await client.user.findUniqueOrThrow({ where: { email: "admin@test.local" } });
    expect(admin.role).toBe("admin");
    expect(admin.passwordHash).not.toContain("admin-password-1");
    expect(admin.passwordHash.startsWith("scrypt$")).toBe(true);
    const { GET } = await import("@/app/api/auth/me/route");
    expect((await call(GET, "GET", "/api/auth/me", { key: ADMIN_KEY })).body).toMatchObject({ kind: "apiKey", scope: "admin" });
    expect((await call(GET, "GET", "/api/auth/me", { key: INGEST_KEY })).body).toMatchObject({
      kind: "apiKey",
      scope: "ingest",
      permissions: ["ingest"],
    });
  });
});

describe("health", () => {
  it("reports both stores with the engine in use", async () => {
    const { GET } = await import("@/app/api/health/route");
    const response = await call(GET, "GET", "/api/health");
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      clickhouse: { ok: true, engine: "chdb" },
      database: { ok: true, engine: process.env.DATABASE_URL ? "postgresql" : "pglite" },
    });
    expect(response.body.clickhouse.version).toMatch(/^\d+\.\d+/);
  });
});

describe("authentication and roles", () => {
  it("answers 401 in the documented error format without a session or key, and for a wrong key", async () => {
    const { GET } = await import("@/app/api/v1/api-keys/route");
    for (const options of [{}, { key: "echo_admin_wrong" }]) {
      const response = await call(GET, "GET", "/api/v1/api-keys", options);
      expect(response.status).toBe(401);
      expect(response.body.error).toMatchObject({ code: "unauthorized" });
      expect(typeof response.body.error.message).toBe("string");
    }
  });

  it("signs a user in with a httpOnly, SameSite=Lax cookie and rejects a wrong password", async () => {
    const { POST } = await import("@/app/api/auth/session/route");
    const wrong = await call(POST, "POST", "/api/auth/session", { body: { email: "admin@test.local", password: "nope" } });
    expect(wrong.status).toBe(401);
    const right = await call(POST, "POST", "/api/auth/session", { body: { email: "ADMIN@test.local", password: "admin-password-1" } });
    expect(right.status).toBe(200);
    const cookie = right.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^echo_session=/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
  });

  it("names the bad field when sign-in input is invalid, and rejects malformed JSON with 400", async () => {
    const { POST } = await import("@/app/api/auth/session/route");
    const missing = await call(POST, "POST", "/api/auth/session", { body: { email: "a@b.c" } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([expect.objectContaining({ path: "password" })]);
    const malformed = await call(POST, "POST", "/api/auth/session", { rawBody: "{not json" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe("invalid_json");
  });

  it("gives a viewer 403 on an admin action, an admin 201, and an ingest key 403", async () => {
    await createUser(await database(), { email: "viewer@test.local", password: "viewer-password", role: "viewer" });
    const viewer = await signInCookie("viewer@test.local", "viewer-password");
    const { POST } = await import("@/app/api/v1/api-keys/route");
    const denied = await call(POST, "POST", "/api/v1/api-keys", { cookie: viewer, body: { name: "x", scope: "ingest" } });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain("viewer");
    const byIngestKey = await call(POST, "POST", "/api/v1/api-keys", { key: INGEST_KEY, body: { name: "x", scope: "ingest" } });
    expect(byIngestKey.status).toBe(403);
    const admin = await signInCookie("admin@test.local", "admin-password-1");
    const created = await call(POST, "POST", "/api/v1/api-keys", { cookie: admin, body: { name: "CI", scope: "ingest" } });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^echo_ingest_/);
    // The new key works, then stops working once revoked.
    const { GET: me } = await import("@/app/api/auth/me/route");
    expect((await call(me, "GET", "/api/auth/me", { key: created.body.key })).status).toBe(200);
    const { POST: revoke } = await import("@/app/api/v1/api-keys/[id]/revoke/route");
    expect(
      (await call(revoke, "POST", `/api/v1/api-keys/${created.body.id}/revoke`, { cookie: admin, params: { id: created.body.id } })).status,
    ).toBe(200);
    expect((await call(me, "GET", "/api/auth/me", { key: created.body.key })).status).toBe(401);
    // ...and both changes are in the audit log, with the actor.
    const entries = await (await database()).auditLog.findMany({ where: { target: `api-key:${created.body.id}` }, orderBy: { at: "asc" } });
    expect(entries.map((e) => [e.action, e.actor])).toEqual([
      ["api_key.create", "admin@test.local"],
      ["api_key.revoke", "admin@test.local"],
    ]);
  });

  it("serves an OpenAPI document that lists every registered endpoint", async () => {
    const { GET } = await import("@/app/api/v1/openapi.json/route");
    const response = await call(GET, "GET", "/api/v1/openapi.json");
    expect(response.body.openapi).toBe("3.1.0");
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining(["/api/health", "/api/v1/api-keys", "/api/v1/api-keys/{id}/revoke"]),
    );
    expect(response.body.paths["/api/v1/api-keys"].post.requestBody.content["application/json"].schema.properties.scope.enum).toEqual([
      "ingest",
      "admin",
    ]);
  });
});

describe("TabSeparated inserts", () => {
  it("store Array(String) values exactly as written, quotes, backslashes and tabs included", async () => {
    const { insertTabSeparated, queryRows, runStatement } = await import("@/lib/clickhouse");
    const { tsvStringArray } = await import("@/lib/clickhouse/tsv");
    await runStatement({ tag: "test.arrays", sql: "CREATE TABLE tsv_arrays (id UInt8, a Array(String)) ENGINE = Memory" });
    const values = ["it's", "a\\b", "tab\tx", "line\nbreak", "q'\\'z"];
    const rows = [`1\t${tsvStringArray(values)}`, `2\t${tsvStringArray([])}`];
    await insertTabSeparated({ tag: "test.arrays", table: "tsv_arrays", columns: ["id", "a"], rows });
    const stored = await queryRows({
      tag: "test.arrays",
      sql: "SELECT id, a FROM tsv_arrays ORDER BY id",
      columns: { id: "number", a: "strings" },
    });
    expect(stored).toEqual([
      { id: 1, a: values },
      { id: 2, a: [] },
    ]);
  });
});
