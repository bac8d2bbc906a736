import { beforeAll, describe, expect, it } from "vitest";
import { flushIngestion } from "@/lib/ingestion/log";
import { resolveScenario, simulatedUser, type Scenario } from "@/lib/simulation/scenario";
import { setupExperiment, simulate, type SimulationSummary, type Transport } from "@/lib/simulation/run";
import { userTraffic, type UserTraffic } from "@/lib/simulation/traffic";
import { rateInterval, type RatioSummary } from "@/lib/stats";
import { ADMIN_KEY, INGEST_KEY, call } from "./http";

// The traffic simulator (npm run simulate) run in-process: its generation and sender, with a transport
// that calls the route handlers instead of fetch. Each scenario gets its own experiment, set up as
// --setup does, simulated, stored and stopped before the next starts (a user is in at most one running
// experiment). The results endpoint must then find the rates the scenario configures: each true rate
// inside the reported 95% interval, the true lift inside the lift's interval, no difference for A/A, and
// the sample-ratio mismatch flagged. Seeds are fixed, so every run sends the same events.

const DAY = 86_400_000;
const SEED = 20261201;

/** Method + path → route handler, as Next.js would route them. */
const routes: [RegExp, string, () => Promise<Record<string, any>>][] = [
  [/^\/api\/v1\/config$/, "GET", () => import("@/app/api/v1/config/route")],
  [/^\/api\/v1\/assign$/, "POST", () => import("@/app/api/v1/assign/route")],
  [/^\/api\/v1\/events$/, "POST", () => import("@/app/api/v1/events/route")],
  [/^\/api\/v1\/model-versions$/, "POST", () => import("@/app/api/v1/model-versions/route")],
  [/^\/api\/v1\/experiments$/, "POST", () => import("@/app/api/v1/experiments/route")],
  [/^\/api\/v1\/experiments\/(?<key>[^/]+)$/, "GET", () => import("@/app/api/v1/experiments/[key]/route")],
  [/^\/api\/v1\/experiments\/(?<key>[^/]+)\/start$/, "POST", () => import("@/app/api/v1/experiments/[key]/start/route")],
];

const transport: Transport = async ({ method, path, key, body }) => {
  for (const [pattern, routeMethod, load] of routes) {
    const match = pattern.exec(path);
    if (!match || routeMethod !== method) continue;
    const handler = (await load())[method];
    const params: Record<string, string> = match.groups ? { key: decodeURIComponent(match.groups.key) } : {};
    const response = await call(handler, method, path, { key, body, params });
    return { status: response.status, body: response.body, retryAfter: response.headers.get("retry-after") };
  }
  throw new Error(`no route for ${method} ${path}`);
};

interface UserSums {
  variant: string;
  group: string;
  events: number;
  shown: number;
  accepted: number;
  /** AI characters kept: retained once refined, else accepted. */
  kept: number;
  human: number;
}

function sumsOf(traffic: UserTraffic): UserSums {
  const retained = new Map<string, number>();
  for (const e of traffic.events) if (e.type === "refined") retained.set(e.suggestionId, e.retainedChars!);
  const sums: UserSums = {
    variant: traffic.serving.variantKey!,
    group: traffic.user.userGroup,
    events: traffic.events.length,
    shown: 0,
    accepted: 0,
    kept: 0,
    human: 0,
  };
  for (const e of traffic.events) {
    if (e.type === "shown") sums.shown++;
    else if (e.type === "accepted") {
      sums.accepted++;
      sums.kept += retained.get(e.suggestionId) ?? e.acceptedChars;
    } else if (e.type === "typed") sums.human += e.humanChars;
  }
  return sums;
}

function summary(users: UserSums[], x: (u: UserSums) => number, y: (u: UserSums) => number): RatioSummary {
  const s = { users: 0, sumX: 0, sumY: 0, sumX2: 0, sumY2: 0, sumXY: 0 };
  for (const u of users) {
    s.users++;
    s.sumX += x(u);
    s.sumY += y(u);
    s.sumX2 += x(u) ** 2;
    s.sumY2 += y(u) ** 2;
    s.sumXY += x(u) * y(u);
  }
  return s;
}

const acceptance = [(u: UserSums) => u.accepted, (u: UserSums) => u.shown] as const;
const generation = [(u: UserSums) => u.kept, (u: UserSums) => u.kept + u.human] as const;

interface Run {
  experimentKey: string;
  scenario: Scenario;
  summary: SimulationSummary;
  /** The exposed users' sums, as the simulator generated their events. */
  exposed: UserSums[];
  from: string;
  to: string;
}

async function run(name: "default" | "aa" | "srm", users: number, days: number): Promise<Run> {
  const experimentKey = `sim-${name}`;
  const setup = await setupExperiment(transport, ADMIN_KEY, experimentKey);
  expect(setup.action).toBe("created");
  const scenario = resolveScenario({ scenario: name, days });
  const exposed: UserSums[] = [];
  const end = Date.now() - 60_000;
  const result = await simulate({
    transport,
    ingestKey: INGEST_KEY,
    experimentKey,
    scenario,
    seed: SEED,
    users,
    end,
    onUser: (traffic) => {
      if (traffic.exposure) exposed.push(sumsOf(traffic));
    },
  });
  return { experimentKey, scenario, summary: result, exposed, from: new Date(end - (days + 1) * DAY).toISOString(), to: "" };
}

async function stop(experimentKey: string) {
  const { POST } = await import("@/app/api/v1/experiments/[key]/stop/route");
  expect((await call(POST, "POST", "/x", { key: ADMIN_KEY, params: { key: experimentKey }, body: {} })).status).toBe(200);
}

async function results(r: Run, query: Record<string, string> = {}) {
  const { GET } = await import("@/app/api/v1/experiments/[key]/results/route");
  // The events are back-dated, before the experiment started: the window is given explicitly.
  const response = await call(GET, "GET", "/x", {
    key: ADMIN_KEY,
    params: { key: r.experimentKey },
    query: { from: r.from, to: r.to, ...query },
  });
  expect(response.status).toBe(200);
  return response.body;
}

const inside = (value: number, interval: [number, number]) => interval[0] <= value && value <= interval[1];

let main: Run;
let aa: Run;
let srm: Run;
let rerun: SimulationSummary;

beforeAll(async () => {
  main = await run("default", 3_000, 7);
  // The same seed and period again: the same events, so the server answers every one as a duplicate.
  rerun = await simulate({
    transport,
    ingestKey: INGEST_KEY,
    experimentKey: main.experimentKey,
    scenario: main.scenario,
    seed: SEED,
    users: 150,
    end: Date.parse(main.summary.window.to),
  });
  await flushIngestion();
  await stop(main.experimentKey);
  aa = await run("aa", 2_000, 3);
  await flushIngestion();
  await stop(aa.experimentKey);
  srm = await run("srm", 2_000, 3);
  await flushIngestion();
  const to = new Date(Date.now() + 60_000).toISOString();
  for (const r of [main, aa, srm]) r.to = to;
}, 300_000);

describe("traffic simulator, default scenario (the published figures)", () => {
  it("sends every generated event once, through the public API, and a repeated run only duplicates", () => {
    const { events, users } = main.summary;
    expect(users.generated).toBe(3_000);
    expect(events.generated).toBeGreaterThan(300_000);
    expect(events).toMatchObject({ sent: events.generated, accepted: events.generated, duplicates: 0, rejected: 0, failed: 0 });
    expect(main.summary.errors).toEqual([]);
    expect(main.summary.exposures).toEqual(users.assigned);
    expect(rerun.events.generated).toBeGreaterThan(0);
    expect(rerun.events).toMatchObject({ accepted: 0, duplicates: rerun.events.generated, rejected: 0 });
  });

  it("is deterministic: the same seed and period give the same users and events", () => {
    const scenario = main.scenario;
    const window = { from: Date.parse(main.summary.window.from), to: Date.parse(main.summary.window.to) };
    const serving = { arm: "treatment" as const, modelVersion: "m", experimentKey: "x", variantKey: "treatment" };
    const a = userTraffic(scenario, SEED, simulatedUser(scenario, SEED, 7, "p"), serving, window);
    const b = userTraffic(scenario, SEED, simulatedUser(scenario, SEED, 7, "p"), serving, window);
    expect(b).toEqual(a);
    const other = userTraffic(scenario, SEED + 1, simulatedUser(scenario, SEED + 1, 7, "p"), serving, window);
    expect(other.events).not.toEqual(a.events);
    for (const e of a.events) expect(e.timestamp >= window.from && e.timestamp < window.to).toBe(true);
  });

  it("acceptance rate: each variant's true rate lies in its 95% interval, and the true lift in the lift's interval", async () => {
    const body = await results(main);
    const truth = main.scenario.truth.acceptance.overall;
    expect(body.srm.mismatch).toBe(false);
    expect(body.variants.map((v: any) => v.key)).toEqual(["control", "treatment"]);
    for (const [i, arm] of (["control", "treatment"] as const).entries()) {
      const users = main.exposed.filter((u) => u.variant === arm);
      const expected = summary(users, ...acceptance);
      // The API counts exactly the events the simulator generated for the exposed users …
      expect(body.variants[i].users).toBe(users.length);
      expect(body.variants[i].numerator).toBe(expected.sumX);
      expect(body.variants[i].denominator).toBe(expected.sumY);
      // … and its interval covers the configured truth (25.7% → 35.7%).
      expect(inside(truth[arm], body.variants[i].ci)).toBe(true);
      expect(body.variants[i].ci[1] - body.variants[i].ci[0]).toBeLessThan(0.03);
    }
    expect(truth).toEqual({ control: 0.257, treatment: 0.357 });
    expect(inside(0.357 / 0.257 - 1, body.variants[1].lift.ciRelative)).toBe(true);
    expect(inside(0.357 - 0.257, body.variants[1].lift.ciAbsolute)).toBe(true);
    expect(body.variants[1].significant).toBe(true);
  });

  it("acceptance rate of external users: the segment's rates, their true values inside 95% intervals, the true lift inside the lift's", async () => {
    const body = await results(main, { segment: "userGroup" });
    expect(body.segments.map((s: any) => s.value)).toEqual(["external", "internal"]);
    const truth = main.scenario.truth.acceptance;
    expect(truth.external).toEqual({ control: 0.2501, treatment: 0.3755 });
    for (const group of ["external", "internal"] as const) {
      const segment = body.segments.find((s: any) => s.value === group);
      for (const [i, arm] of (["control", "treatment"] as const).entries()) {
        const users = main.exposed.filter((u) => u.variant === arm && u.group === group && u.events > 0);
        const expected = summary(users, ...acceptance);
        expect(segment.variants[i].users).toBe(users.length);
        expect(segment.variants[i].rate).toBeCloseTo(expected.sumX / expected.sumY, 12);
        // Segment rows carry no per-variant interval: the same delta-method interval from the same sums.
        expect(inside(truth[group][arm], rateInterval(expected).ci)).toBe(true);
      }
      const lift = truth[group].treatment / truth[group].control - 1;
      expect(inside(lift, segment.variants[1].lift.ciRelative)).toBe(true);
    }
  });

  it("generation rate: the true rates inside the 95% intervals, overall and for external users (36.05% → 40.58%)", async () => {
    const overall = await results(main, { metric: "generation_rate" });
    const truth = main.scenario.truth.generation;
    expect(truth.external.control).toBeCloseTo(0.3605, 12);
    expect(truth.external.treatment).toBeCloseTo(0.4058, 12);
    for (const [i, arm] of (["control", "treatment"] as const).entries()) {
      const expected = summary(
        main.exposed.filter((u) => u.variant === arm),
        ...generation,
      );
      expect(overall.variants[i].numerator).toBe(expected.sumX);
      expect(overall.variants[i].denominator).toBe(expected.sumY);
      expect(inside(truth.overall[arm], overall.variants[i].ci)).toBe(true);
    }
    expect(inside(truth.overall.treatment / truth.overall.control - 1, overall.variants[1].lift.ciRelative)).toBe(true);

    const body = await results(main, { metric: "generation_rate", segment: "userGroup" });
    const external = body.segments.find((s: any) => s.value === "external");
    for (const [i, arm] of (["control", "treatment"] as const).entries()) {
      const expected = summary(
        main.exposed.filter((u) => u.variant === arm && u.group === "external" && u.events > 0),
        ...generation,
      );
      expect(external.variants[i].rate).toBeCloseTo(expected.sumX / expected.sumY, 12);
      expect(inside(truth.external[arm], rateInterval(expected).ci)).toBe(true);
    }
    expect(inside(0.4058 / 0.3605 - 1, external.variants[1].lift.ciRelative)).toBe(true);
  });
});

describe("traffic simulator, --scenario aa", () => {
  it("gives overlapping rates and no significant difference", async () => {
    const body = await results(aa);
    const truth = aa.scenario.truth.acceptance.overall;
    expect(truth.treatment).toBe(truth.control);
    const [control, treatment] = body.variants;
    expect(control.users + treatment.users).toBe(aa.exposed.length);
    expect(treatment.ci[0]).toBeLessThan(control.ci[1]);
    expect(control.ci[0]).toBeLessThan(treatment.ci[1]);
    for (const v of body.variants) expect(inside(truth.control, v.ci)).toBe(true);
    expect(inside(0, treatment.lift.ciRelative)).toBe(true);
    expect(treatment.pValue).toBeGreaterThan(0.05);
    expect(treatment.significant).toBe(false);
    expect(body.srm.mismatch).toBe(false);
  });
});

describe("traffic simulator, --scenario srm", () => {
  it("loses about a fifth of the treatment's exposures (55/45), and results flag the sample-ratio mismatch", async () => {
    const body = await results(srm);
    const { users, exposures } = srm.summary;
    expect(users.exposureLost).toBeGreaterThan(0);
    expect(exposures.control + exposures.treatment).toBe(srm.exposed.length);
    expect(body.srm.observed).toEqual([exposures.control, exposures.treatment]);
    const share = exposures.control / (exposures.control + exposures.treatment);
    expect(share).toBeGreaterThan(0.52);
    expect(share).toBeLessThan(0.58);
    expect(body.srm.mismatch).toBe(true);
    expect(body.srm.pValue).toBeLessThan(0.001);
  });
});

describe("traffic simulator sender", () => {
  it("sends batches of at most 1,000 events, retries a 503 with backoff, and stops at --events", async () => {
    const config = {
      productionVersion: "prod",
      experiments: [
        {
          key: "fake",
          seed: "fake",
          hashVersion: 2,
          coverage: 1,
          phase: 1,
          variants: [
            { key: "control", modelVersion: "a", weight: 0.5 },
            { key: "treatment", modelVersion: "b", weight: 0.5 },
          ],
          namespace: null,
          targeting: null,
        },
      ],
      generatedAt: new Date().toISOString(),
    };
    const batches: number[] = [];
    let calls = 0;
    const fake: Transport = async ({ method, path, body }) => {
      if (method === "GET" && path === "/api/v1/config") return { status: 200, body: config };
      calls++;
      if (calls === 2) return { status: 503, body: { error: { code: "unavailable", message: "log not writable" } }, retryAfter: "0" };
      const events = (body as { events: unknown[] }).events;
      batches.push(events.length);
      return { status: 200, body: { accepted: events.length, duplicates: 0, rejected: [] } };
    };
    const result = await simulate({
      transport: fake,
      ingestKey: "k",
      experimentKey: "fake",
      scenario: resolveScenario({ days: 2 }),
      seed: 1,
      users: 1_000,
      maxEvents: 4_321,
      concurrency: 1,
      backoff: { initialMs: 1, maxMs: 5 },
    });
    expect(result.stoppedBy).toBe("events");
    expect(result.retries).toBe(1);
    expect(result.events).toMatchObject({ generated: 4_321, sent: 4_321, accepted: 4_321, failed: 0 });
    expect(batches.reduce((a, b) => a + b, 0)).toBe(4_321);
    expect(Math.max(...batches)).toBeLessThanOrEqual(1_000);
  });
});
