import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { assignUser, compileConfig, type AssignmentConfig } from "@/lib/assignment";
import { createUser } from "@/lib/auth/service";
import { assignmentConfig } from "@/lib/experiments/assignmentConfig";
import { flushIngestion } from "@/lib/ingestion/log";
import { rampPass } from "@/lib/releases/service";
import { database } from "@/lib/runtime/database";
import { EchoClient } from "@/lib/sdk";
import { ADMIN_KEY, INGEST_KEY, call, signInCookie } from "./http";

// A full ramp over synthetic traffic posted through the API: automatic advance on passing guardrails,
// completion at 100%, a guardrail failure that pauses a ramp, a refused manual advance, an admin's
// override, both kinds of rollback, the SDK's local assignment against the server's at several steps,
// another instance's change seen within seconds, and concurrent promotions and rollbacks.

const routes = {
  modelVersions: () => import("@/app/api/v1/model-versions/route"),
  modelVersion: () => import("@/app/api/v1/model-versions/[key]/route"),
  promotions: () => import("@/app/api/v1/model-versions/[key]/promotions/route"),
  promotionList: () => import("@/app/api/v1/promotions/route"),
  promotion: () => import("@/app/api/v1/promotions/[id]/route"),
  advance: () => import("@/app/api/v1/promotions/[id]/advance/route"),
  pause: () => import("@/app/api/v1/promotions/[id]/pause/route"),
  override: () => import("@/app/api/v1/promotions/[id]/override/route"),
  rollback: () => import("@/app/api/v1/rollback/route"),
  timeline: () => import("@/app/api/v1/production-timeline/route"),
  experiments: () => import("@/app/api/v1/experiments/route"),
  experiment: () => import("@/app/api/v1/experiments/[key]/route"),
  start: () => import("@/app/api/v1/experiments/[key]/start/route"),
  ship: () => import("@/app/api/v1/experiments/[key]/ship/route"),
  assign: () => import("@/app/api/v1/assign/route"),
  config: () => import("@/app/api/v1/config/route"),
  events: () => import("@/app/api/v1/events/route"),
};

/** Deterministic generator (mulberry32), so the traffic and its statistics are the same on every run. */
function generator(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Behaviour {
  acceptance: number;
  latencyMs: number;
}

/**
 * Posts plugin traffic for `users` through POST /api/v1/events: each user is served what the current
 * config says (local assignment, as the SDK does) and makes `suggestions` suggestions.
 */
async function postTraffic(users: string[], behaviour: Record<string, Behaviour>, seed: number, suggestions = 12) {
  const { GET } = await routes.config();
  const config = (await call(GET, "GET", "/api/v1/config", { key: INGEST_KEY })).body as AssignmentConfig;
  const compiled = compileConfig(config);
  const random = generator(seed);
  const served = new Map<string, string>();
  let batch: Record<string, unknown>[] = [];
  const { POST } = await routes.events();
  const send = async () => {
    if (!batch.length) return;
    const response = await call(POST, "POST", "/api/v1/events", { key: INGEST_KEY, body: { events: batch } });
    expect(response.status).toBe(200);
    batch = [];
  };
  const at = new Date().toISOString();
  for (const userId of users) {
    const result = assignUser(compiled, userId);
    const modelVersion = result.modelVersion!;
    served.set(userId, modelVersion);
    const { acceptance, latencyMs } = behaviour[modelVersion];
    const experiment = result.assignments.find((a) => a.inExperiment);
    const tags = experiment ? { experimentKey: experiment.experimentKey, variantKey: experiment.variantKey } : {};
    if (experiment) batch.push({ eventId: randomUUID(), type: "exposure", timestamp: at, userId, modelVersion, ...tags });
    for (let i = 0; i < suggestions; i++) {
      const base = { timestamp: at, userId, modelVersion, suggestionId: `${userId}-${seed}-${i}`, ...tags };
      batch.push({ ...base, eventId: randomUUID(), type: "requested" });
      const latency = Math.round(latencyMs * (0.6 + 0.8 * random()));
      batch.push({ ...base, eventId: randomUUID(), type: "shown", completionChars: 30, latencyMs: latency });
      if (random() < acceptance) batch.push({ ...base, eventId: randomUUID(), type: "accepted", acceptedChars: 30 });
    }
    if (batch.length > 4_000) await send();
  }
  await send();
  await flushIngestion();
  return served;
}

const USERS = Array.from({ length: 700 }, (_, i) => `ramp-user-${i}`);
let releaseCookie: string;
let researcherCookie: string;

async function promote(key: string, body: unknown, auth: { key?: string; cookie?: string } = { key: ADMIN_KEY }) {
  const { POST } = await routes.promotions();
  return call(POST, "POST", `/api/v1/model-versions/${key}/promotions`, { ...auth, params: { key }, body });
}
async function action(kind: "advance" | "pause" | "override", id: string, body: unknown, auth: { key?: string; cookie?: string }) {
  const { POST } = await routes[kind]();
  return call(POST, "POST", `/api/v1/promotions/${id}/${kind}`, { ...auth, params: { id }, body });
}
async function getPromotion(id: string) {
  const { GET } = await routes.promotion();
  return (await call(GET, "GET", `/api/v1/promotions/${id}`, { key: ADMIN_KEY, params: { id } })).body;
}
async function rollback(reason: string, auth: { key?: string; cookie?: string } = { key: ADMIN_KEY }) {
  const { POST } = await routes.rollback();
  return call(POST, "POST", "/api/v1/rollback", { ...auth, body: { reason } });
}
async function versions(): Promise<Record<string, string>> {
  const { GET } = await routes.modelVersions();
  const items = (await call(GET, "GET", "/api/v1/model-versions", { key: ADMIN_KEY })).body.items as { key: string; status: string }[];
  return Object.fromEntries(items.map((v) => [v.key, v.status]));
}
async function productionCount() {
  return Object.values(await versions()).filter((s) => s === "production").length;
}

/** Every user's version from the SDK's local assignment (config through GET /api/v1/config) and from POST /api/v1/assign. */
async function sdkAndServer(users: string[]) {
  const configRoute = await routes.config();
  const sdk = new EchoClient({
    baseUrl: "http://localhost",
    apiKey: INGEST_KEY,
    fetch: async (input, init) => configRoute.GET(new Request(String(input), init), { params: Promise.resolve({}) }),
  });
  await sdk.loadConfig();
  const { POST } = await routes.assign();
  const local: string[] = [];
  const remote: string[] = [];
  for (const userId of users) {
    local.push(sdk.assign(userId).modelVersion!);
    remote.push((await call(POST, "POST", "/api/v1/assign", { key: INGEST_KEY, body: { userId } })).body.modelVersion);
  }
  await sdk.shutdown();
  return { local, remote };
}

beforeAll(async () => {
  const client = await database();
  await createUser(client, { email: "release@test.local", password: "release-password", role: "release_manager" });
  await createUser(client, { email: "research@test.local", password: "research-password", role: "researcher" });
  releaseCookie = await signInCookie("release@test.local", "release-password");
  researcherCookie = await signInCookie("research@test.local", "research-password");
  const { POST } = await routes.modelVersions();
  for (const key of ["rel-prod", "rel-good", "rel-bad", "rel-x", "rel-y"]) {
    expect((await call(POST, "POST", "/api/v1/model-versions", { key: ADMIN_KEY, body: { key, name: key } })).status).toBe(201);
  }
  const { PATCH } = await routes.modelVersion();
  const made = await call(PATCH, "PATCH", "/api/v1/model-versions/rel-prod", {
    key: ADMIN_KEY,
    params: { key: "rel-prod" },
    body: { status: "production", reason: "first production model" },
  });
  expect(made.status).toBe(200);
});

describe("a ramp over live traffic", () => {
  let goodId: string;

  it("only release managers and admins may promote", async () => {
    const refused = await promote("rel-good", {}, { cookie: researcherCookie });
    expect(refused.status).toBe(403);
    const bad = await promote("rel-good", {
      steps: [
        { percent: 50, minHours: 0 },
        { percent: 20, minHours: 0 },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(["steps[1].percent"]));
  });

  it("starts a ramp whose users the SDK and the server assign alike, and advances it automatically when its guardrails hold", async () => {
    const started = await promote(
      "rel-good",
      {
        steps: [
          { percent: 10, minHours: 0 },
          { percent: 50, minHours: 0 },
          { percent: 100, minHours: 0 },
        ],
        reason: "better acceptance offline",
      },
      { cookie: releaseCookie },
    );
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ modelVersion: "rel-good", baselineVersion: "rel-prod", status: "running", currentPercent: 10 });
    goodId = started.body.id;

    const second = await promote("rel-bad", {});
    expect(second.status).toBe(409);
    expect(second.body.error.message).toMatch(/already in progress/);

    const at10 = await sdkAndServer(USERS.slice(0, 400));
    expect(at10.local).toEqual(at10.remote);
    const share10 = at10.local.filter((v) => v === "rel-good").length / 400;
    expect(share10).toBeGreaterThan(0.05);
    expect(share10).toBeLessThan(0.16);

    // Before its minimum duration, or without data, nothing moves.
    await postTraffic(USERS, { "rel-prod": { acceptance: 0.25, latencyMs: 200 }, "rel-good": { acceptance: 0.36, latencyMs: 190 } }, 1);
    const pass = await rampPass(await database());
    expect(pass.decisions.find((d) => d.promotionId === goodId)?.decision).toEqual({ action: "advance", to: 1 });
    const at50 = await getPromotion(goodId);
    expect(at50).toMatchObject({ status: "running", currentStep: 1, currentPercent: 50 });
    expect(at50.checks.verdict).toBe("pass");
    const acceptance = at50.checks.checks.find((c: { check: string }) => c.check === "acceptance_rate");
    expect(acceptance.status).toBe("pass");
    expect(acceptance.candidate).toBeGreaterThan(acceptance.baseline);
    expect(acceptance.lowerBound).toBeGreaterThan(-0.01);
    expect(at50.checks.checks.map((c: { check: string; status: string }) => [c.check, c.status])).toEqual([
      ["acceptance_rate", "pass"],
      ["latency_p95", "pass"],
      ["show_rate", "pass"],
      ["srm", "pass"],
    ]);

    // A user who had the version at 10% keeps it at 50%; the SDK still agrees with the server.
    const fifty = await sdkAndServer(USERS.slice(0, 400));
    expect(fifty.local).toEqual(fifty.remote);
    at10.local.forEach((version, i) => version === "rel-good" && expect(fifty.local[i]).toBe("rel-good"));
    expect(fifty.local.filter((v) => v === "rel-good").length / 400).toBeGreaterThan(0.4);
  });

  it("completes at 100%: the version becomes production and the previous one retired; experiments using it keep running", async () => {
    // A running experiment that serves the production version to a tenth of the users.
    const { POST } = await routes.experiments();
    const body = {
      key: "keeps-running",
      name: "keeps running",
      coverage: 0.1,
      variants: [
        { key: "control", modelVersion: "rel-prod", weight: 0.5 },
        { key: "treatment", modelVersion: "rel-good", weight: 0.5 },
      ],
    };
    expect((await call(POST, "POST", "/api/v1/experiments", { key: ADMIN_KEY, body })).status).toBe(201);
    const start = await routes.start();
    const params = { key: "keeps-running" };
    expect((await call(start.POST, "POST", "/api/v1/experiments/keeps-running/start", { key: ADMIN_KEY, params })).status).toBe(200);
    await postTraffic(USERS, { "rel-prod": { acceptance: 0.25, latencyMs: 200 }, "rel-good": { acceptance: 0.36, latencyMs: 190 } }, 2);
    await rampPass(await database());
    const done = await getPromotion(goodId);
    expect(done).toMatchObject({ status: "completed", currentPercent: 100 });
    expect(await versions()).toMatchObject({ "rel-good": "production", "rel-prod": "retired" });
    const { GET } = await routes.config();
    const config = (await call(GET, "GET", "/api/v1/config", { key: INGEST_KEY })).body;
    expect(config).toMatchObject({ productionVersion: "rel-good", rollout: null });
    const experiment = config.experiments.find((e: { key: string }) => e.key === "keeps-running");
    expect(experiment.variants.map((v: { modelVersion: string }) => v.modelVersion)).toEqual(["rel-prod", "rel-good"]);
    const { POST: assign } = await routes.assign();
    const inControl = USERS.map((userId) => ({ userId, result: assignUser(config, userId) })).find(
      (u) => u.result.assignments[0]?.variantKey === "control",
    )!;
    const served = await call(assign, "POST", "/api/v1/assign", { key: INGEST_KEY, body: { userId: inControl.userId } });
    expect(served.body.modelVersion).toBe("rel-prod"); // retired, still served to its experiment's control
    const stop = await import("@/app/api/v1/experiments/[key]/stop/route");
    expect((await call(stop.POST, "POST", "/api/v1/experiments/keeps-running/stop", { key: ADMIN_KEY, params })).status).toBe(200);
  });

  let badId: string;
  it("pauses a ramp whose guardrail fails, with the check and its numbers; a manual advance is refused", async () => {
    const started = await promote("rel-bad", {
      steps: [
        { percent: 30, minHours: 0 },
        { percent: 60, minHours: 0 },
        { percent: 100, minHours: 0 },
      ],
    });
    expect(started.status).toBe(201);
    badId = started.body.id;
    await postTraffic(USERS, { "rel-good": { acceptance: 0.36, latencyMs: 190 }, "rel-bad": { acceptance: 0.12, latencyMs: 190 } }, 3);
    const pass = await rampPass(await database());
    expect(pass.decisions.find((d) => d.promotionId === badId)?.decision.action).toBe("pause");
    const paused = await getPromotion(badId);
    expect(paused.status).toBe("paused");
    expect(paused.pausedReason).toMatch(/acceptance_rate: acceptance \d+\.\d% vs \d+\.\d%/);
    const failed = paused.checks.checks.find((c: { check: string }) => c.check === "acceptance_rate");
    expect(failed).toMatchObject({ status: "fail", threshold: 0.01 });
    expect(failed.lowerBound).toBeLessThan(-0.01);
    // Paused: its users keep the version meanwhile.
    const { GET } = await routes.config();
    expect((await call(GET, "GET", "/api/v1/config", { key: INGEST_KEY })).body.rollout).toMatchObject({
      modelVersion: "rel-bad",
      share: 0.3,
    });

    const advanced = await action("advance", badId, { reason: "looks fine to me" }, { cookie: releaseCookie });
    expect(advanced.status).toBe(409);
    expect(advanced.body.error.message).toMatch(/acceptance_rate/);
    expect(advanced.body.error.details[0].path).toBe("checks.acceptance_rate");
    expect((await getPromotion(badId)).currentPercent).toBe(30);
  });

  it("lets only an admin override, with a reason, and audits it", async () => {
    const refused = await action("override", badId, { reason: "ship anyway" }, { cookie: releaseCookie });
    expect(refused.status).toBe(403);
    const noReason = await action("override", badId, {}, { key: ADMIN_KEY });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details[0].path).toBe("reason");
    const overridden = await action("override", badId, { reason: "known logging bug in the acceptance events" }, { key: ADMIN_KEY });
    expect(overridden.status).toBe(200);
    expect(overridden.body).toMatchObject({ status: "running", currentPercent: 60 });
    const client = await database();
    const rows = await client.auditLog.findMany({ where: { target: `promotion:${badId}` }, orderBy: { at: "asc" } });
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(["promotion.start", "promotion.guardrails", "promotion.pause", "promotion.override", "promotion.advance"]),
    );
    expect(rows.find((r) => r.action === "promotion.override")?.reason).toBe("known logging bug in the acceptance events");
    expect(rows.find((r) => r.action === "promotion.pause")?.before).toMatchObject({ status: "running" });
  });

  it("pauses and rolls back: a ramp in progress ends, then the previous production version returns", async () => {
    expect((await action("pause", badId, { reason: "weekend" }, { cookie: releaseCookie })).body.status).toBe("paused");
    const stopped = await rollback("acceptance drop confirmed", { cookie: releaseCookie });
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ key: "rel-good", status: "production", rollback: { kind: "ramp_stopped", from: "rel-bad" } });
    expect((await getPromotion(badId)).status).toBe("rolled_back");
    const after = await sdkAndServer(USERS.slice(0, 200));
    expect(new Set(after.remote)).toEqual(new Set(["rel-good"]));

    const previous = await rollback("regression reported by users");
    expect(previous.status).toBe(200);
    expect(previous.body).toMatchObject({
      key: "rel-prod",
      status: "production",
      rollback: { kind: "previous_version", from: "rel-good" },
    });
    expect(await versions()).toMatchObject({ "rel-prod": "production", "rel-good": "retired" });
    expect((await getPromotion(goodId)).status).toBe("rolled_back");

    const { GET } = await routes.timeline();
    const timeline = (await call(GET, "GET", "/api/v1/production-timeline", { key: ADMIN_KEY })).body.items;
    expect(timeline.map((t: { modelVersion: string; kind: string }) => `${t.kind}:${t.modelVersion}`)).toEqual([
      "rollback:rel-prod",
      "ramp_stopped:rel-good",
      "promotion:rel-good",
      "manual:rel-prod",
    ]);
    expect(timeline[0]).toMatchObject({ until: null, previousVersion: "rel-good", reason: "regression reported by users" });
    expect(timeline[2].until).toBe(timeline[0].at);

    // A retired version can be promoted again.
    const again = await promote("rel-good", { steps: [{ percent: 100, minHours: 0 }], reason: "fixed" });
    expect(again.status).toBe(201);
    expect(again.body.status).toBe("completed");
    expect(await versions()).toMatchObject({ "rel-good": "production", "rel-prod": "retired" });
  });
});

describe("consistency", () => {
  it("follows a change made by another instance within seconds (the cached config's revision check)", async () => {
    const client = await database();
    const { projectId } = (await client.modelVersion.findFirst({ where: { key: "rel-x" } }))!;
    const before = await assignmentConfig(client, projectId);
    expect(before.rollout ?? null).toBeNull();
    // Written straight to the store, as another server instance would: nothing here invalidates the cache.
    await client.promotion.create({
      data: {
        projectId,
        modelVersionKey: "rel-x",
        baselineVersionKey: "rel-good",
        steps: [
          { percent: 5, minHours: 1 },
          { percent: 100, minHours: 0 },
        ],
        seed: "other",
        createdBy: "elsewhere",
      },
    });
    const started = Date.now();
    let seen = null;
    while (Date.now() - started < 5_000) {
      seen = (await assignmentConfig(client, projectId)).rollout ?? null;
      if (seen) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toMatchObject({ modelVersion: "rel-x", share: 0.05 });
    expect(Date.now() - started).toBeLessThan(5_000);
    const stopped = await rollback("clean up");
    expect(stopped.status).toBe(200);
  });

  it("never leaves two production versions or two ramps when promotions and rollbacks race", async () => {
    const immediate = { steps: [{ percent: 100, minHours: 0 }], reason: "race" };
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([
        promote("rel-x", {
          steps: [
            { percent: 20, minHours: 0 },
            { percent: 100, minHours: 0 },
          ],
        }),
        promote(
          "rel-y",
          {
            steps: [
              { percent: 20, minHours: 0 },
              { percent: 100, minHours: 0 },
            ],
          },
          { cookie: releaseCookie },
        ),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
      const winner = answers.find((a) => a.status === 201)!.body.id;
      const moves = await Promise.all([
        action("override", winner, { reason: "race 1" }, { key: ADMIN_KEY }),
        action("override", winner, { reason: "race 2" }, { key: ADMIN_KEY }),
        rollback("race rollback", { cookie: releaseCookie }),
        promote("rel-prod", immediate),
      ]);
      for (const move of moves) expect([200, 201, 409, 422]).toContain(move.status);
      expect(await productionCount()).toBe(1);
      const client = await database();
      expect(await client.promotion.count({ where: { status: { in: ["running", "paused"] } } })).toBeLessThanOrEqual(1);
      const active = await client.promotion.findFirst({ where: { status: { in: ["running", "paused"] } } });
      if (active) expect((await rollback("next round")).status).toBe(200);
    }
    const { GET } = await routes.promotionList();
    const list = (await call(GET, "GET", "/api/v1/promotions", { key: ADMIN_KEY })).body.items;
    expect(list.filter((p: { status: string }) => p.status === "running" || p.status === "paused")).toHaveLength(0);
  });
});

describe("shipping a variant from an experiment", () => {
  async function experimentWith(key: string, treatment: string, guardrails: string[]) {
    const { POST } = await routes.experiments();
    const created = await call(POST, "POST", "/api/v1/experiments", {
      key: ADMIN_KEY,
      body: {
        key,
        name: key,
        variants: [
          { key: "control", modelVersion: "rel-good", weight: 0.5 },
          { key: "treatment", modelVersion: treatment, weight: 0.5 },
        ],
        guardrailMetrics: guardrails,
      },
    });
    expect(created.status).toBe(201);
    const start = await routes.start();
    expect((await call(start.POST, "POST", `/api/v1/experiments/${key}/start`, { key: ADMIN_KEY, params: { key } })).status).toBe(200);
  }
  async function ship(key: string, body: unknown, auth: { key?: string; cookie?: string } = { cookie: releaseCookie }) {
    const { POST } = await routes.ship();
    return call(POST, "POST", `/api/v1/experiments/${key}/ship`, { ...auth, params: { key }, body });
  }

  it("refuses a failing guardrail without an override, then ships with one: the experiment stops and the ramp starts with the evidence", async () => {
    if ((await versions())["rel-good"] !== "production") {
      expect((await promote("rel-good", { steps: [{ percent: 100, minHours: 0 }], reason: "baseline for shipping" })).status).toBe(201);
    }
    const { POST } = await routes.modelVersions();
    expect((await call(POST, "POST", "/api/v1/model-versions", { key: ADMIN_KEY, body: { key: "ship-x", name: "ship-x" } })).status).toBe(
      201,
    );
    await experimentWith("ship-slow", "ship-x", ["latency_p95"]);
    const users = Array.from({ length: 300 }, (_, i) => `ship-user-${i}`);
    await postTraffic(users, { "rel-good": { acceptance: 0.25, latencyMs: 180 }, "ship-x": { acceptance: 0.4, latencyMs: 420 } }, 4, 10);

    expect((await ship("ship-slow", { variantKey: "treatment", reason: "x" }, { cookie: researcherCookie })).status).toBe(403);
    const unknown = await ship("ship-slow", { variantKey: "nope", reason: "x" });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details[0].path).toBe("variantKey");
    const refused = await ship("ship-slow", { variantKey: "treatment", reason: "acceptance +15 points" });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/latency_p95 is significantly worse/);
    expect(refused.body.error.details[0].path).toBe("override.reason");

    const shipped = await ship("ship-slow", {
      variantKey: "treatment",
      reason: "acceptance +15 points",
      override: { reason: "latency is fixed by the new serving cluster" },
    });
    expect(shipped.status).toBe(201);
    expect(shipped.body).toMatchObject({
      modelVersion: "ship-x",
      baselineVersion: "rel-good",
      experimentKey: "ship-slow",
      variantKey: "treatment",
    });
    const evidence = shipped.body.evidence;
    expect(evidence).toMatchObject({
      metric: "acceptance_rate",
      control: { key: "control" },
      override: { reason: "latency is fixed by the new serving cluster" },
    });
    expect(evidence.lift.ciAbsolute[0]).toBeGreaterThan(0);
    expect(evidence.guardrails).toEqual([expect.objectContaining({ metric: "latency_p95", worse: true })]);
    const { GET } = await routes.experiment();
    expect((await call(GET, "GET", "/api/v1/experiments/ship-slow", { key: ADMIN_KEY, params: { key: "ship-slow" } })).body.status).toBe(
      "stopped",
    );
    const client = await database();
    const audit = await client.auditLog.findFirst({ where: { action: "experiment.ship", target: "experiment:ship-slow" } });
    expect(audit?.reason).toMatch(/override: latency is fixed/);
    expect((await rollback("not now")).status).toBe(200);
  });
});
