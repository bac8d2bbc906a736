import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { flushIngestion } from "@/lib/ingestion/log";
import { rateInterval, type RatioSummary } from "@/lib/stats";
import { ADMIN_KEY, INGEST_KEY, call } from "./http";

// The landing page's answer (GET /api/v1/overview) and the model-version trends with their cohort
// filter, users and intervals (GET /api/v1/metrics/model-versions), against sums this test computes
// itself from the events it sends through the public API.

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const routes = {
  overview: () => import("@/app/api/v1/overview/route"),
  trends: () => import("@/app/api/v1/metrics/model-versions/route"),
  versions: () => import("@/app/api/v1/model-versions/route"),
  version: () => import("@/app/api/v1/model-versions/[key]/route"),
  events: () => import("@/app/api/v1/events/route"),
  promotions: () => import("@/app/api/v1/model-versions/[key]/promotions/route"),
  rollback: () => import("@/app/api/v1/rollback/route"),
};

interface UserDay {
  date: string;
  version: string;
  user: string;
  language: string;
  shown: number;
  accepted: number;
  aiChars: number;
  humanChars: number;
}
const truth: UserDay[] = [];

async function overview(query: Record<string, string> = {}) {
  const { GET } = await routes.overview();
  const response = await call(GET, "GET", "/api/v1/overview", { key: ADMIN_KEY, query });
  expect(response.status).toBe(200);
  return response.body;
}

async function trends(query: Record<string, string> = {}) {
  const { GET } = await routes.trends();
  return call(GET, "GET", "/api/v1/metrics/model-versions", { key: ADMIN_KEY, query });
}

/** The delta-method interval of Σ accepted / Σ shown over these user-days (summed per user first). */
function acceptanceInterval(rows: UserDay[]): { rate: number; ci: [number, number] } {
  const perUser = new Map<string, { x: number; y: number }>();
  for (const r of rows) {
    const u = perUser.get(r.user) ?? { x: 0, y: 0 };
    u.x += r.accepted;
    u.y += r.shown;
    perUser.set(r.user, u);
  }
  const s: RatioSummary = { users: 0, sumX: 0, sumY: 0, sumX2: 0, sumY2: 0, sumXY: 0 };
  for (const { x, y } of perUser.values()) {
    s.users++;
    s.sumX += x;
    s.sumY += y;
    s.sumX2 += x * x;
    s.sumY2 += y * y;
    s.sumXY += x * y;
  }
  return { rate: s.sumX / s.sumY, ci: rateInterval(s).ci };
}

describe("before any data", () => {
  it("answers an empty overview: no production version, no traffic, no event yet", async () => {
    const body = await overview();
    expect(body.production).toBeNull();
    expect(body.traffic.days).toEqual([]);
    expect(body.freshness).toMatchObject({ lastEventAt: null, lastStoredAt: null, eventsLast24h: 0 });
    expect(body.freshness.backlog.writable).toBe(true);
  });
});

describe("with traffic", () => {
  let promotedAt: number;
  beforeAll(async () => {
    const versions = await routes.versions();
    for (const key of ["ov-base", "ov-new", "ov-idle"]) {
      expect((await call(versions.POST, "POST", "/x", { key: ADMIN_KEY, body: { key, name: `Model ${key}` } })).status).toBe(201);
    }
    const version = await routes.version();
    promotedAt = Date.now();
    const promoted = await call(version.PATCH, "PATCH", "/x", {
      key: ADMIN_KEY,
      params: { key: "ov-base" },
      body: { status: "production" },
    });
    expect(promoted.status).toBe(200);

    let seed = 11;
    const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const events: Record<string, unknown>[] = [];
    for (let u = 0; u < 60; u++) {
      const user = `ov-user-${u}`;
      const version = u < 4 ? "ov-ghost" : u % 2 ? "ov-new" : "ov-base"; // ov-ghost was never registered
      const language = u % 3 ? "python" : "go";
      const common = { userId: user, modelVersion: version, language, ide: u % 4 ? "vscode" : "jetbrains", userGroup: "external" };
      for (let d = 0; d < 3; d++) {
        const dayStart = today - (2 - d) * DAY;
        const at = dayStart + 3_600_000 + u * 60_000;
        const row: UserDay = {
          date: new Date(dayStart).toISOString().slice(0, 10),
          version,
          user,
          language,
          shown: 0,
          accepted: 0,
          aiChars: 0,
          humanChars: 0,
        };
        const suggestions = 1 + Math.floor(random() * 8);
        for (let i = 0; i < suggestions; i++) {
          const suggestionId = `${user}-${d}-${i}`;
          const t = Math.min(at + i * 1_000, Date.now() - 5_000);
          events.push({ ...common, eventId: randomUUID(), type: "requested", suggestionId, timestamp: t });
          events.push({
            ...common,
            eventId: randomUUID(),
            type: "shown",
            suggestionId,
            timestamp: t + 100,
            completionChars: 40,
            latencyMs: 150,
          });
          row.shown++;
          if (random() < (version === "ov-new" ? 0.45 : 0.3)) {
            events.push({ ...common, eventId: randomUUID(), type: "accepted", suggestionId, timestamp: t + 500, acceptedChars: 40 });
            row.accepted++;
            row.aiChars += 40;
          }
        }
        const typed = 10 + Math.floor(random() * 90);
        events.push({
          ...common,
          eventId: randomUUID(),
          type: "typed",
          timestamp: Math.min(at + 20_000, Date.now() - 5_000),
          humanChars: typed,
        });
        row.humanChars += typed;
        truth.push(row);
      }
    }
    const { POST } = await routes.events();
    const sent = await call(POST, "POST", "/api/v1/events", { key: INGEST_KEY, body: { events } });
    expect(sent.status).toBe(200);
    await flushIngestion();
  });

  it("names the production version and when it became production, from the production timeline", async () => {
    const body = await overview();
    expect(body.production).toMatchObject({ key: "ov-base", name: "Model ov-base" });
    const since = Date.parse(body.production.since);
    expect(since).toBeGreaterThanOrEqual(promotedAt - 1_000);
    expect(since).toBeLessThanOrEqual(Date.now());
  });

  it("charts acceptance and generation rate per day over all traffic, users and intervals over users", async () => {
    const body = await overview({ days: "7" });
    expect(body.traffic.days.map((d: any) => d.date)).toEqual([...new Set(truth.map((t) => t.date))]);
    for (const day of body.traffic.days) {
      const rows = truth.filter((t) => t.date === day.date);
      expect(day.users).toBe(new Set(rows.map((r) => r.user)).size);
      expect(day.shown).toBe(rows.reduce((s, r) => s + r.shown, 0));
      expect(day.accepted).toBe(rows.reduce((s, r) => s + r.accepted, 0));
      const ai = rows.reduce((s, r) => s + r.aiChars, 0);
      const human = rows.reduce((s, r) => s + r.humanChars, 0);
      expect(day.generationRate).toBeCloseTo(ai / (ai + human), 12);
      const expected = acceptanceInterval(rows);
      expect(day.acceptanceRate).toBeCloseTo(expected.rate, 12);
      expect(day.acceptanceRateCi[0]).toBeCloseTo(expected.ci[0], 12);
      expect(day.acceptanceRateCi[1]).toBeCloseTo(expected.ci[1], 12);
    }
  });

  it("reports the event store's freshness", async () => {
    const { freshness } = await overview();
    const newest = Date.parse(freshness.lastEventAt);
    expect(newest).toBeLessThanOrEqual(Date.now());
    expect(newest).toBeGreaterThan(today);
    expect(Date.now() - Date.parse(freshness.lastStoredAt)).toBeLessThan(120_000);
    expect(freshness.eventsLast24h).toBeGreaterThan(0);
    expect(freshness.backlog).toMatchObject({ pendingRows: 0, writable: true, lastError: null });
  });

  it("rejects a bad days parameter, naming it", async () => {
    const { GET } = await routes.overview();
    const response = await call(GET, "GET", "/api/v1/overview", { key: ADMIN_KEY, query: { days: "400" } });
    expect(response.status).toBe(400);
    expect(response.body.error.details[0].path).toBe("query.days");
  });

  it("trends: per version and day, users and intervals equal a computation from the raw events", async () => {
    const response = await trends({ from: new Date(today - 5 * DAY).toISOString() });
    expect(response.status).toBe(200);
    for (const item of response.body.items) {
      const rows = truth.filter((t) => t.date === item.date && t.version === item.modelVersion);
      expect(item.users).toBe(rows.length);
      const expected = acceptanceInterval(rows);
      expect(item.acceptanceRate).toBeCloseTo(expected.rate, 12);
      expect(item.acceptanceRateCi[0]).toBeCloseTo(expected.ci[0], 12);
      expect(item.generationRateCi[0]).toBeLessThanOrEqual(item.generationRate);
      expect(item.generationRateCi[1]).toBeGreaterThanOrEqual(item.generationRate);
    }
    expect(response.body.items).toHaveLength(9); // 3 versions with traffic × 3 days
  });

  it("trends: lists every version over the range, those without traffic as such and unregistered ones by key", async () => {
    const { body } = await trends({ from: new Date(today - 5 * DAY).toISOString() });
    const byKey = new Map(body.versions.map((v: any) => [v.modelVersion, v]));
    expect([...byKey.keys()].sort()).toEqual(["ov-base", "ov-ghost", "ov-idle", "ov-new"]);
    expect(byKey.get("ov-idle")).toMatchObject({
      hasTraffic: false,
      users: 0,
      acceptanceRate: null,
      acceptanceRateCi: null,
      status: "candidate",
    });
    expect(byKey.get("ov-ghost")).toMatchObject({ hasTraffic: true, users: 4, name: null, status: null });
    const expected = acceptanceInterval(truth.filter((t) => t.version === "ov-new"));
    expect((byKey.get("ov-new") as any).users).toBe(28);
    expect((byKey.get("ov-new") as any).acceptanceRate).toBeCloseTo(expected.rate, 12);
    expect((byKey.get("ov-new") as any).acceptanceRateCi[1]).toBeCloseTo(expected.ci[1], 12);
    expect(body.versions.at(-1).modelVersion).toBe("ov-idle"); // without traffic: last
    expect(body.segmentValues).toEqual({ language: ["go", "python"], ide: ["jetbrains", "vscode"], userGroup: ["external"] });
  });

  it("trends: the cohort filter keeps only that cohort's events", async () => {
    const { body } = await trends({ from: new Date(today - 5 * DAY).toISOString(), language: "go" });
    expect(body.filter).toEqual({ language: "go", ide: null, userGroup: null });
    const go = truth.filter((t) => t.language === "go");
    for (const item of body.items) {
      const rows = go.filter((t) => t.date === item.date && t.version === item.modelVersion);
      expect(item.users).toBe(rows.length);
      expect(item.shown).toBe(rows.reduce((s, r) => s + r.shown, 0));
    }
    expect(body.items.reduce((s: number, i: any) => s + i.shown, 0)).toBe(go.reduce((s, r) => s + r.shown, 0));
    const none = await trends({ userGroup: "internal" });
    expect(none.body.items).toEqual([]);
    expect(none.body.versions.every((v: any) => !v.hasTraffic)).toBe(true);
    // whatever the filter, the choices stay those of the range
    expect(none.body.segmentValues.language).toEqual(["go", "python"]);
  });

  it("trends: rejects an unknown parameter and an empty cohort value, naming the field", async () => {
    const unknown = await trends({ segment: "language" });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.error.details)).toContain("segment");
    const empty = await trends({ language: "" });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details[0].path).toBe("query.language");
  });

  it("keeps the production version's start when a ramp of another version is started and stopped", async () => {
    const before = (await overview()).production.since;
    const { POST: promote } = await routes.promotions();
    const ramp = await call(promote, "POST", "/x", {
      key: ADMIN_KEY,
      params: { key: "ov-new" },
      body: {
        steps: [
          { percent: 10, minHours: 1 },
          { percent: 100, minHours: 0 },
        ],
        reason: "try the new model",
      },
    });
    expect(ramp.status).toBe(201);
    const { POST: rollback } = await routes.rollback();
    const stopped = await call(rollback, "POST", "/x", { key: ADMIN_KEY, body: { reason: "not yet" } });
    expect(stopped.status).toBe(200);
    const after = (await overview()).production;
    expect(after.key).toBe("ov-base");
    expect(after.since).toBe(before);
  });
});
