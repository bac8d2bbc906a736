import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { assignUser } from "@/lib/assignment";
import { clickhouse } from "@/lib/clickhouse";
import { flushIngestion } from "@/lib/ingestion/log";
import { database } from "@/lib/runtime/database";
import { createUser } from "@/lib/auth/service";
import { ADMIN_KEY, INGEST_KEY, call, signInCookie } from "./http";
import { countStored } from "./stored";

const routes = {
  modelVersions: () => import("@/app/api/v1/model-versions/route"),
  modelVersion: () => import("@/app/api/v1/model-versions/[key]/route"),
  experiments: () => import("@/app/api/v1/experiments/route"),
  experiment: () => import("@/app/api/v1/experiments/[key]/route"),
  start: () => import("@/app/api/v1/experiments/[key]/start/route"),
  stop: () => import("@/app/api/v1/experiments/[key]/stop/route"),
  exposures: () => import("@/app/api/v1/experiments/[key]/exposures/route"),
  assign: () => import("@/app/api/v1/assign/route"),
  config: () => import("@/app/api/v1/config/route"),
  events: () => import("@/app/api/v1/events/route"),
};

const now = Date.now();
function event(type: string, fields: Record<string, unknown> = {}) {
  const base: Record<string, unknown> = {
    eventId: randomUUID(),
    type,
    timestamp: new Date(now - 60_000).toISOString(),
    userId: "user-a",
    modelVersion: "mv-base",
  };
  if (type !== "typed" && type !== "exposure") base.suggestionId = `s-${randomUUID().slice(0, 8)}`;
  const perType: Record<string, Record<string, unknown>> = {
    requested: {},
    shown: { completionChars: 40, completionLines: 2, latencyMs: 180 },
    accepted: { acceptedChars: 40 },
    rejected: { reason: "typed_over" },
    refined: { windowSeconds: 60, proposal: "x = 1", final: "x = 2", retainedChars: 4 },
    typed: { humanChars: 120 },
  };
  return { ...base, ...perType[type], ...fields };
}

beforeAll(async () => {
  const { POST } = await routes.modelVersions();
  for (const key of ["mv-base", "mv-refined"]) {
    const response = await call(POST, "POST", "/api/v1/model-versions", {
      key: ADMIN_KEY,
      body: { key, name: key, baseModel: "starcoder2-3b" },
    });
    expect(response.status).toBe(201);
  }
  const { PATCH } = await routes.modelVersion();
  expect(
    (
      await call(PATCH, "PATCH", "/api/v1/model-versions/mv-base", {
        key: ADMIN_KEY,
        params: { key: "mv-base" },
        body: { status: "production" },
      })
    ).status,
  ).toBe(200);
});

describe("model versions and experiments", () => {
  it("creates an experiment, refuses bad ones with the field named, and audits every change", async () => {
    const { POST } = await routes.experiments();
    const bad = await call(POST, "POST", "/api/v1/experiments", {
      key: ADMIN_KEY,
      body: {
        key: "bad",
        name: "Bad",
        variants: [
          { key: "control", modelVersion: "mv-base", weight: 0.5 },
          { key: "control", modelVersion: "nope", weight: 0.6 },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(["variants[1].key", "variants"]));
    const unknownVersion = await call(POST, "POST", "/api/v1/experiments", {
      key: ADMIN_KEY,
      body: {
        key: "bad2",
        name: "Bad",
        variants: [
          { key: "control", modelVersion: "mv-base", weight: 0.5 },
          { key: "t", modelVersion: "nope", weight: 0.5 },
        ],
      },
    });
    expect(unknownVersion.status).toBe(422);
    expect(unknownVersion.body.error.details).toEqual([{ path: "variants[1].modelVersion", message: "no model version with key 'nope'" }]);

    const created = await call(POST, "POST", "/api/v1/experiments", {
      key: ADMIN_KEY,
      body: {
        key: "refine-v1",
        name: "Refinement-trained model",
        hypothesis: "Training on refinements lifts acceptance",
        variants: [
          { key: "control", modelVersion: "mv-base", weight: 0.5 },
          { key: "treatment", modelVersion: "mv-refined", weight: 0.5 },
        ],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: "refine-v1", status: "draft", seed: "refine-v1", hashVersion: 2, coverage: 1, phase: 1 });
    expect((await call(POST, "POST", "/api/v1/experiments", { key: ADMIN_KEY, body: { ...created.body, status: undefined } })).status).toBe(
      400,
    ); // unknown fields are refused
    const { POST: start } = await routes.start();
    const started = await call(start, "POST", "/api/v1/experiments/refine-v1/start", { key: ADMIN_KEY, params: { key: "refine-v1" } });
    expect(started.status).toBe(200);
    expect(started.body.status).toBe("running");
    const audit = await (await database()).auditLog.findMany({ where: { target: "experiment:refine-v1" }, orderBy: { at: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["experiment.create", "experiment.start"]);
    expect(audit[1].before).toMatchObject({ status: "draft" });
    expect(audit[1].after).toMatchObject({ status: "running" });
  });

  it("refuses to reshuffle a running experiment unless a new phase is started", async () => {
    const { PATCH } = await routes.experiment();
    const variants = [
      { key: "control", modelVersion: "mv-base", weight: 0.3 },
      { key: "treatment", modelVersion: "mv-refined", weight: 0.7 },
    ];
    const refused = await call(PATCH, "PATCH", "/api/v1/experiments/refine-v1", {
      key: ADMIN_KEY,
      params: { key: "refine-v1" },
      body: { variants },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain("newPhase");
    const renamed = await call(PATCH, "PATCH", "/api/v1/experiments/refine-v1", {
      key: ADMIN_KEY,
      params: { key: "refine-v1" },
      body: { name: "Renamed" },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.phase).toBe(1);
  });

  it("keeps experiments of one namespace from overlapping", async () => {
    const { POST } = await routes.experiments();
    const { POST: start } = await routes.start();
    const variants = [
      { key: "a", modelVersion: "mv-base", weight: 0.5 },
      { key: "b", modelVersion: "mv-refined", weight: 0.5 },
    ];
    for (const [key, start_, end] of [
      ["ns-1", 0, 0.5],
      ["ns-2", 0.4, 1],
    ] as const) {
      expect(
        (
          await call(POST, "POST", "/api/v1/experiments", {
            key: ADMIN_KEY,
            body: { key, name: key, variants, namespace: { name: "latency", start: start_, end } },
          })
        ).status,
      ).toBe(201);
    }
    expect((await call(start, "POST", "/x", { key: ADMIN_KEY, params: { key: "ns-1" } })).status).toBe(200);
    const overlap = await call(start, "POST", "/x", { key: ADMIN_KEY, params: { key: "ns-2" } });
    expect(overlap.status).toBe(409);
    expect(overlap.body.error.message).toContain("overlaps");
    const { POST: stop } = await routes.stop();
    expect((await call(stop, "POST", "/x", { key: ADMIN_KEY, params: { key: "ns-1" } })).status).toBe(200);
  });
});

describe("assignment", () => {
  it("assigns deterministically, agrees with local evaluation of /config, and records one exposure per user", async () => {
    const { GET } = await routes.config();
    const config = await call(GET, "GET", "/api/v1/config", { key: INGEST_KEY });
    expect(config.status).toBe(200);
    expect(config.body.productionVersion).toBe("mv-base");
    expect(config.body.experiments.map((e: { key: string }) => e.key)).toEqual(["refine-v1"]);

    const { POST } = await routes.assign();
    const users = Array.from({ length: 200 }, (_, i) => `assign-user-${i}`);
    const seen: Record<string, number> = {};
    for (const userId of users) {
      const first = await call(POST, "POST", "/api/v1/assign", { key: INGEST_KEY, body: { userId, attributes: { language: "python" } } });
      const again = await call(POST, "POST", "/api/v1/assign", { key: INGEST_KEY, body: { userId } });
      expect(first.status).toBe(200);
      expect(again.body.assignments[0].variantKey).toBe(first.body.assignments[0].variantKey);
      expect(first.body).toEqual(assignUser(config.body, userId, { language: "python" }));
      seen[first.body.assignments[0].variantKey] = (seen[first.body.assignments[0].variantKey] ?? 0) + 1;
    }
    expect(seen.control + seen.treatment).toBe(200);
    expect(Math.abs(seen.control - 100)).toBeLessThan(30); // 4+ standard deviations

    await flushIngestion();
    const { GET: exposures } = await routes.exposures();
    const summary = await call(exposures, "GET", "/x", { key: ADMIN_KEY, params: { key: "refine-v1" } });
    expect(summary.body.totalUsers).toBe(200); // each user assigned twice, counted once
    expect(summary.body.variants).toEqual([
      { key: "control", users: seen.control },
      { key: "treatment", users: seen.treatment },
    ]);
    expect(summary.body.multipleExposures).toBe(0);
  });

  it("lets an ingest key assign but not read or change experiments; a viewer may read but not edit", async () => {
    const { GET, POST } = await routes.experiments();
    expect((await call(GET, "GET", "/api/v1/experiments", { key: INGEST_KEY })).status).toBe(403);
    expect((await call(POST, "POST", "/api/v1/experiments", { key: INGEST_KEY, body: {} })).status).toBe(403);
    await createUser(await database(), { email: "viewer3@test.local", password: "viewer-password", role: "viewer" });
    const viewer = await signInCookie("viewer3@test.local", "viewer-password");
    expect((await call(GET, "GET", "/api/v1/experiments", { cookie: viewer })).status).toBe(200);
    const { POST: stop } = await routes.stop();
    expect((await call(stop, "POST", "/x", { cookie: viewer, params: { key: "refine-v1" } })).status).toBe(403);
    const { POST: createVersion } = await routes.modelVersions();
    expect((await call(createVersion, "POST", "/api/v1/model-versions", { cookie: viewer, body: { key: "v", name: "v" } })).status).toBe(
      403,
    );
  });
});

describe("event ingestion", () => {
  it("stores a valid batch once: a retry of the same batch is all duplicates", async () => {
    const { POST } = await routes.events();
    const batch = ["requested", "shown", "accepted", "refined", "typed", "rejected"].map((t) => event(t, { userId: "retry-user" }));
    const first = await call(POST, "POST", "/api/v1/events", { key: INGEST_KEY, body: { events: batch } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ accepted: 6, duplicates: 0, rejected: [] });
    const retry = await call(POST, "POST", "/api/v1/events", { key: INGEST_KEY, body: { events: batch } });
    expect(retry.body).toEqual({ accepted: 0, duplicates: 6, rejected: [] });
    expect(await countStored("user_id = {u:String}", { u: "retry-user" })).toBe(6);
  });

  it("stores the valid events of a mixed batch and names each bad one by index and field (207)", async () => {
    const { POST } = await routes.events();
    const good = event("shown", { userId: "mixed-user" });
    const batch = [
      good,
      event("shown", { userId: "mixed-user", timestamp: "yesterday" }),
      event("accepted", { userId: "mixed-user", acceptedChars: -3 }),
      { ...event("shown", { userId: "mixed-user" }), eventId: "not-a-uuid" },
      event("teleported", { userId: "mixed-user" }),
      event("typed", { userId: "mixed-user", surprise: true }),
    ];
    const response = await call(POST, "POST", "/api/v1/events", { key: INGEST_KEY, body: { events: batch } });
    expect(response.status).toBe(207);
    expect(response.body.accepted).toBe(1);
    const paths = Object.fromEntries(
      response.body.rejected.map((r: { index: number; errors: { path: string }[] }) => [r.index, r.errors.map((e) => e.path)]),
    );
    expect(paths).toEqual({
      1: ["events[1].timestamp"],
      2: ["events[2].acceptedChars"],
      3: ["events[3].eventId"],
      4: ["events[4].type"],
      5: ["events[5]"],
    });
    expect(response.body.rejected[4].errors[0].message).toContain("surprise");
    expect(await countStored("user_id = {u:String}", { u: "mixed-user" })).toBe(1);
  });

  it("answers 400 when every event is bad, 400 for malformed JSON and 413 for an oversized body — never 500", async () => {
    const { POST } = await routes.events();
    const allBad = await call(POST, "POST", "/api/v1/events", { key: INGEST_KEY, body: { events: [{ type: "shown" }] } });
    expect(allBad.status).toBe(400);
    expect(allBad.body.error.details.map((d: { path: string }) => d.path)).toContain("events[0].eventId");
    expect(allBad.body).toMatchObject({ accepted: 0, duplicates: 0, rejected: [{ index: 0 }] });
    expect((await call(POST, "POST", "/api/v1/events", { key: INGEST_KEY, rawBody: '{"events": [' })).status).toBe(400);
    expect((await call(POST, "POST", "/api/v1/events", { key: INGEST_KEY, body: { events: [] } })).status).toBe(400);
    expect((await call(POST, "POST", "/api/v1/events", { key: INGEST_KEY, body: { batch: [] } })).status).toBe(400);
    const huge = JSON.stringify({ events: [event("refined", { proposal: "x".repeat(6 * 1024 * 1024) })] });
    const tooLarge = await call(POST, "POST", "/api/v1/events", { key: INGEST_KEY, rawBody: huge });
    expect(tooLarge.status).toBe(413);
    const tooMany = await call(POST, "POST", "/api/v1/events", {
      key: INGEST_KEY,
      body: { events: Array.from({ length: 5001 }, () => ({})) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details[0].path).toBe("events");
  });

  it("rejects events without an ingest or admin key", async () => {
    const { POST } = await routes.events();
    expect((await call(POST, "POST", "/api/v1/events", { body: { events: [event("shown")] } })).status).toBe(401);
  });

  it("accepts an SDK exposure that agrees with the hash, rejects one that does not, and tags events with the user's variant", async () => {
    const { GET } = await routes.config();
    const config = (await call(GET, "GET", "/api/v1/config", { key: INGEST_KEY })).body;
    const userId = "sdk-user-1";
    const expected = assignUser(config, userId).assignments[0].variantKey!;
    const wrong = expected === "control" ? "treatment" : "control";
    const { POST } = await routes.events();
    const response = await call(POST, "POST", "/api/v1/events", {
      key: INGEST_KEY,
      body: {
        events: [
          event("exposure", { userId, experimentKey: "refine-v1", variantKey: expected }),
          event("exposure", { userId, experimentKey: "refine-v1", variantKey: wrong }),
          event("exposure", { userId, experimentKey: "not-running", variantKey: "a" }),
          event("shown", { userId }),
        ],
      },
    });
    expect(response.status).toBe(207);
    expect(response.body.accepted).toBe(2);
    expect(response.body.rejected.map((r: any) => [r.index, r.errors[0].path])).toEqual([
      [1, "events[1].variantKey"],
      [2, "events[2].experimentKey"],
    ]);
    expect(response.body.rejected[0].errors[0].message).toContain(`variant '${expected}'`);
    await flushIngestion();
    const client = await clickhouse();
    const exposed = await (
      await client.query({
        query: "SELECT variant_key FROM exposures WHERE user_id = {u:String} GROUP BY variant_key",
        query_params: { u: userId },
        format: "JSONEachRow",
      })
    ).json<{ variant_key: string }>();
    expect(exposed).toEqual([{ variant_key: expected }]);
    const tagged = await (
      await client.query({
        query: "SELECT experiment_key, variant_key FROM events FINAL WHERE user_id = {u:String} AND type = 'shown'",
        query_params: { u: userId },
        format: "JSONEachRow",
      })
    ).json();
    expect(tagged).toEqual([{ experiment_key: "refine-v1", variant_key: expected }]);
  });

  it("redacts secrets in refinement code before storing it", async () => {
    const { POST } = await routes.events();
    const refined = event("refined", {
      userId: "secret-user",
      proposal: 'API_KEY = "sk-proj-abcdefghijklmnopqrstuvwx"',
      final: 'password = "hunter22"\nprint(1)',
    });
    expect((await call(POST, "POST", "/api/v1/events", { key: INGEST_KEY, body: { events: [refined] } })).status).toBe(200);
    await flushIngestion();
    const client = await clickhouse();
    const [row] = await (
      await client.query({ query: "SELECT proposal, final FROM events FINAL WHERE user_id = 'secret-user'", format: "JSONEachRow" })
    ).json<{ proposal: string; final: string }>();
    expect(row.proposal).not.toContain("abcdefghijklmnop");
    expect(row.final).toBe('password = "[REDACTED:secret_assignment]"\nprint(1)');
  });

  it("counts concurrent retries of one batch once", async () => {
    const { POST } = await routes.events();
    const batch = Array.from({ length: 50 }, () => event("shown", { userId: "concurrent-user" }));
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => call(POST, "POST", "/api/v1/events", { key: INGEST_KEY, body: { events: batch } })),
    );
    expect(answers.reduce((s, a) => s + a.body.accepted, 0)).toBe(50);
    expect(answers.reduce((s, a) => s + a.body.duplicates, 0)).toBe(150);
    expect(await countStored("user_id = {u:String}", { u: "concurrent-user" })).toBe(50);
  });
});
