import { afterEach, describe, expect, it, vi } from "vitest";
import { type AssignmentConfig, type ExperimentConfig, assignUser } from "@/lib/assignment";
import { EchoClient, type EchoClientOptions, type EchoEvent, EchoSdkError } from "@/lib/sdk";
import { exponentialDelayMs, isRetryableStatus, jitteredDelayMs, parseRetryAfterMs, retryDelayMs } from "@/lib/sdk/backoff";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface RecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  events: EchoEvent[];
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

/**
 * A fake `fetch` that records requests and answers from a script; once the script runs out
 * it answers like a healthy server (200, everything accepted).
 */
function fakeServer(script: Reply[] = []) {
  const requests: RecordedRequest[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const body = typeof init?.body === "string" ? init.body : undefined;
    const events: EchoEvent[] = body ? (JSON.parse(body).events ?? []) : [];
    requests.push({
      url: String(input),
      method: init?.method ?? "GET",
      headers: { ...(init?.headers as Record<string, string>) },
      body,
      events,
    });
    const reply = script.shift() ?? { status: 200, body: { accepted: events.length, duplicates: 0, rejected: [] } };
    if (reply instanceof Error) throw reply;
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status: reply.status,
      headers: { "content-type": "application/json", ...reply.headers },
    });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, requests };
}

function makeClient(server: ReturnType<typeof fakeServer>, options: Partial<EchoClientOptions> = {}) {
  const errors: EchoSdkError[] = [];
  const client = new EchoClient({
    baseUrl: "https://echo.test/",
    apiKey: "ingest-key",
    fetch: server.fetch,
    flushAt: 1000,
    flushIntervalMs: 60_000,
    backoff: { initialMs: 1, maxMs: 5 },
    onError: (error) => errors.push(error),
    ...options,
  });
  return { client, errors };
}

function shownEvent(i: number) {
  return {
    type: "shown" as const,
    userId: `user-${i}`,
    suggestionId: `s-${i}`,
    modelVersion: "m-prod",
    completionChars: 10 + i,
    latencyMs: 120,
  };
}

function experiment(overrides: Partial<ExperimentConfig> = {}): ExperimentConfig {
  return {
    key: "model-test",
    seed: "model-test-seed",
    hashVersion: 2,
    coverage: 1,
    phase: 1,
    variants: [
      { key: "control", modelVersion: "m-prod", weight: 0.5 },
      { key: "treatment", modelVersion: "m-new", weight: 0.5 },
    ],
    namespace: null,
    targeting: null,
    ...overrides,
  };
}

const config: AssignmentConfig = {
  productionVersion: "m-prod",
  experiments: [
    experiment({ targeting: { language: { in: ["python"] } } }),
    experiment({ key: "second", seed: "second-seed", coverage: 0.5, hashVersion: 1 }),
  ],
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe("EchoClient event queue", () => {
  it("fills eventId and timestamp without touching the caller's object, keeping given ones", () => {
    const { client } = makeClient(fakeServer());
    const input = shownEvent(1);
    const stamped = client.track(input);
    expect(stamped.eventId).toMatch(UUID);
    expect(new Date(stamped.timestamp).toISOString()).toBe(stamped.timestamp);
    expect(input).not.toHaveProperty("eventId");

    const given = client.track({ ...shownEvent(2), eventId: "00000000-0000-4000-8000-000000000000", timestamp: 1700000000000 });
    expect(given.eventId).toBe("00000000-0000-4000-8000-000000000000");
    expect(given.timestamp).toBe(1700000000000);
  });

  it("offers typed helpers for every event type", () => {
    const { client } = makeClient(fakeServer());
    const base = { userId: "u", modelVersion: "m", suggestionId: "s" };
    expect(client.requested(base).type).toBe("requested");
    expect(client.shown({ ...base, completionChars: 3, latencyMs: 5 }).type).toBe("shown");
    expect(client.accepted({ ...base, acceptedChars: 3 }).type).toBe("accepted");
    expect(client.rejected({ ...base, reason: "esc" }).type).toBe("rejected");
    expect(client.refined({ ...base, windowSeconds: 30, proposal: "a", final: "ab" }).type).toBe("refined");
    expect(client.typed({ userId: "u", modelVersion: "m", humanChars: 7 }).type).toBe("typed");
    expect(client.queuedCount).toBe(6);
  });

  it("sends batches of at most maxBatch to /api/v1/events with the bearer key", async () => {
    const server = fakeServer();
    const { client, errors } = makeClient(server, { maxBatch: 2 });
    const tracked = [0, 1, 2, 3, 4].map((i) => client.track(shownEvent(i)));

    const result = await client.flush();

    expect(server.requests.map((r) => r.events.length)).toEqual([2, 2, 1]);
    expect(server.requests.flatMap((r) => r.events)).toEqual(tracked);
    for (const request of server.requests) {
      expect(request.url).toBe("https://echo.test/api/v1/events");
      expect(request.method).toBe("POST");
      expect(request.headers.authorization).toBe("Bearer ingest-key");
      expect(request.headers["content-type"]).toBe("application/json");
    }
    expect(result).toEqual({ sent: 5, accepted: 5, duplicates: 0, rejected: 0, failed: 0 });
    expect(client.queuedCount).toBe(0);
    expect(errors).toEqual([]);
  });

  it("never sends more than 5000 events per request", async () => {
    const server = fakeServer();
    const { client } = makeClient(server, { maxBatch: 10_000, flushAt: 100_000 });
    for (let i = 0; i < 6000; i++) client.track(shownEvent(i));
    await client.flush();
    expect(server.requests.map((r) => r.events.length)).toEqual([5000, 1000]);
  });

  it("flushes by itself once flushAt events are queued", async () => {
    const server = fakeServer();
    const { client } = makeClient(server, { flushAt: 3 });
    client.track(shownEvent(1));
    client.track(shownEvent(2));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(server.requests).toHaveLength(0);
    client.track(shownEvent(3));
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    expect(server.requests[0].events).toHaveLength(3);
  });

  it("flushes by itself after flushIntervalMs, with a timer that does not keep Node alive", async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, "setTimeout");
    const server = fakeServer();
    const { client } = makeClient(server, { flushIntervalMs: 20 });
    client.track(shownEvent(1));
    client.track(shownEvent(2));

    const timer = setTimeoutSpy.mock.results[0].value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1); // one timer per pending flush, not one per event

    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    expect(server.requests[0].events).toHaveLength(2);
  });

  it("shares one flush between concurrent callers and sends each event once", async () => {
    const server = fakeServer();
    const { client } = makeClient(server);
    for (let i = 0; i < 10; i++) client.track(shownEvent(i));
    const [a, b] = await Promise.all([client.flush(), client.flush()]);
    const sentIds = server.requests.flatMap((r) => r.events.map((e) => e.eventId));
    expect(new Set(sentIds).size).toBe(10);
    expect(sentIds).toHaveLength(10);
    expect(a.sent + b.sent).toBeGreaterThanOrEqual(10);
  });

  it("flushes on shutdown, then drops and reports later events", async () => {
    const server = fakeServer();
    const { client, errors } = makeClient(server);
    client.track(shownEvent(1));
    const result = await client.shutdown();
    expect(result.sent).toBe(1);
    expect(server.requests).toHaveLength(1);

    client.track(shownEvent(2));
    expect(client.queuedCount).toBe(0);
    expect(errors.map((e) => e.kind)).toEqual(["client_shut_down"]);
  });

  it("drops and reports events beyond maxQueueSize", () => {
    const { client, errors } = makeClient(fakeServer(), { maxQueueSize: 2 });
    [1, 2, 3].forEach((i) => client.track(shownEvent(i)));
    expect(client.queuedCount).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0].kind).toBe("queue_full");
    expect(errors[0].details.events?.[0].userId).toBe("user-3");
  });
});

describe("EchoClient retries", () => {
  it("retries a 503 with the same body, so the same eventIds, then succeeds", async () => {
    const server = fakeServer([{ status: 503, body: { error: { code: "unavailable", message: "try later" } } }]);
    const { client, errors } = makeClient(server);
    [1, 2, 3].forEach((i) => client.track(shownEvent(i)));

    const result = await client.flush();

    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].body).toBe(server.requests[0].body);
    expect(server.requests[1].events.map((e) => e.eventId)).toEqual(server.requests[0].events.map((e) => e.eventId));
    expect(result).toEqual({ sent: 3, accepted: 3, duplicates: 0, rejected: 0, failed: 0 });
    expect(errors).toEqual([]);
  });

  it("retries 429 and network errors too", async () => {
    const server = fakeServer([{ status: 429, headers: { "retry-after": "0" } }, new TypeError("fetch failed"), { status: 500 }]);
    const { client, errors } = makeClient(server);
    client.track(shownEvent(1));
    const result = await client.flush();
    expect(server.requests).toHaveLength(4);
    expect(new Set(server.requests.map((r) => r.body)).size).toBe(1);
    expect(result.accepted).toBe(1);
    expect(errors).toEqual([]);
  });

  it("does not retry a 400 and reports it with the dropped events", async () => {
    const server = fakeServer([
      {
        status: 400,
        body: { error: { code: "bad_request", message: "Malformed JSON", details: [{ path: "events", message: "Required" }] } },
      },
    ]);
    const { client, errors } = makeClient(server);
    const event = client.track(shownEvent(1));

    const result = await client.flush();

    expect(server.requests).toHaveLength(1);
    expect(result).toEqual({ sent: 1, accepted: 0, duplicates: 0, rejected: 0, failed: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(EchoSdkError);
    expect(errors[0].kind).toBe("http_error");
    expect(errors[0].details).toMatchObject({ status: 400, code: "bad_request", events: [event] });
    expect(errors[0].details.fieldErrors).toEqual([{ path: "events", message: "Required" }]);
  });

  it("does not retry other 4xx such as 401", async () => {
    const server = fakeServer([{ status: 401, body: { error: { code: "unauthorized", message: "bad key" } } }]);
    const { client, errors } = makeClient(server);
    client.track(shownEvent(1));
    await client.flush();
    expect(server.requests).toHaveLength(1);
    expect(errors[0].details.status).toBe(401);
  });

  it("reports per-event rejections of a 207 without retrying", async () => {
    const server = fakeServer([
      {
        status: 207,
        body: { accepted: 1, duplicates: 1, rejected: [{ index: 2, errors: [{ path: "latencyMs", message: "must be ≥ 0" }] }] },
      },
    ]);
    const { client, errors } = makeClient(server);
    const events = [1, 2, 3].map((i) => client.track(shownEvent(i)));

    const result = await client.flush();

    expect(server.requests).toHaveLength(1);
    expect(result).toEqual({ sent: 3, accepted: 1, duplicates: 1, rejected: 1, failed: 0 });
    expect(errors).toHaveLength(1);
    expect(errors[0].kind).toBe("events_rejected");
    expect(errors[0].details.rejections).toEqual([{ event: events[2], errors: [{ path: "latencyMs", message: "must be ≥ 0" }] }]);
  });

  it("reports every event of a 400 that lists rejections, without retrying", async () => {
    const rejected = [0, 1].map((index) => ({ index, errors: [{ path: "userId", message: "Required" }] }));
    const server = fakeServer([{ status: 400, body: { accepted: 0, duplicates: 0, rejected } }]);
    const { client, errors } = makeClient(server);
    const events = [1, 2].map((i) => client.track(shownEvent(i)));
    const result = await client.flush();
    expect(server.requests).toHaveLength(1);
    expect(result.rejected).toBe(2);
    expect(errors[0].details.rejections?.map((r) => r.event)).toEqual(events);
  });

  it("gives up after maxRetries and reports the dropped batch", async () => {
    const server = fakeServer(Array.from({ length: 10 }, () => ({ status: 502 })));
    const { client, errors } = makeClient(server, { maxRetries: 2 });
    const event = client.track(shownEvent(1));
    const result = await client.flush();
    expect(server.requests).toHaveLength(3);
    expect(result.failed).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0].kind).toBe("retries_exhausted");
    expect(errors[0].details.events).toEqual([event]);
  });

  it("waits with exponential backoff between attempts", async () => {
    const server = fakeServer([{ status: 503 }, { status: 503 }]);
    const { client } = makeClient(server, { backoff: { initialMs: 20, maxMs: 1000 }, random: () => 1 });
    client.track(shownEvent(1));
    const started = performance.now();
    await client.flush();
    // random() = 1 means the full nominal delays: 20 ms, then 40 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(server.requests).toHaveLength(3);
  });
});

describe("backoff policy", () => {
  const backoff = { initialMs: 200, maxMs: 30_000 };

  it("doubles per attempt up to the cap", () => {
    expect([0, 1, 2, 3].map((attempt) => exponentialDelayMs(attempt, backoff))).toEqual([200, 400, 800, 1600]);
    expect(exponentialDelayMs(20, backoff)).toBe(30_000);
  });

  it("jitters between half and all of the nominal delay", () => {
    expect(jitteredDelayMs(2, backoff, () => 0)).toBe(400);
    expect(jitteredDelayMs(2, backoff, () => 0.999999)).toBeCloseTo(800, 2);
  });

  it("honours Retry-After (seconds or date), capped at maxMs", () => {
    expect(parseRetryAfterMs("3", 0)).toBe(3000);
    expect(parseRetryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfterMs("soon", 0)).toBeNull();
    expect(parseRetryAfterMs(null, 0)).toBeNull();
    expect(retryDelayMs(0, backoff, 5000, () => 0)).toBe(5000);
    expect(retryDelayMs(0, backoff, 120_000, () => 0)).toBe(30_000);
    expect(retryDelayMs(0, backoff, null, () => 0)).toBe(100);
  });

  it("retries only 429 and 5xx", () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 413, 422].some(isRetryableStatus)).toBe(false);
  });
});

describe("EchoClient assignment", () => {
  it("loads the config from /api/v1/config with the bearer key", async () => {
    const server = fakeServer([{ status: 200, body: { ...config, generatedAt: "2024-11-24T08:00:00.000Z" } }]);
    const { client } = makeClient(server);
    expect(client.getConfig()).toBeNull();
    expect(await client.loadConfig()).toEqual(config);
    expect(server.requests[0]).toMatchObject({ url: "https://echo.test/api/v1/config", method: "GET" });
    expect(server.requests[0].headers.authorization).toBe("Bearer ingest-key");
    expect(client.getConfig()).toEqual(config);
  });

  it("assigns locally exactly like assignUser", async () => {
    const server = fakeServer([{ status: 200, body: { ...config, generatedAt: "2024-11-24T08:00:00.000Z" } }]);
    const { client } = makeClient(server);
    await client.loadConfig();
    const languages = ["python", "go", undefined];
    for (let i = 0; i < 1000; i++) {
      const attributes = { language: languages[i % 3], ide: "vscode" };
      expect(client.assign(`user-${i}`, attributes)).toEqual(assignUser(config, `user-${i}`, attributes));
    }
  });

  it("queues one exposure per user, experiment and variant, however often the user is assigned", async () => {
    const server = fakeServer();
    const { client } = makeClient(server);
    client.setConfig(config);

    const first = client.assign("alice", { language: "python", ide: "vscode", userGroup: "beta", plan: "pro" });
    client.assign("alice", { language: "python", ide: "vscode", userGroup: "beta", plan: "pro" });
    client.assign("alice", { language: "python" });
    client.assign("bob", { language: "python" });
    await client.flush();

    const exposures = server.requests.flatMap((r) => r.events).filter((e) => e.type === "exposure");
    expect(exposures.map((e) => e.userId)).toEqual(["alice", "bob"]);
    const assigned = first.assignments.find((a) => a.inExperiment)!;
    expect(exposures[0]).toMatchObject({
      type: "exposure",
      userId: "alice",
      experimentKey: assigned.experimentKey,
      variantKey: assigned.variantKey,
      modelVersion: assigned.modelVersion,
      language: "python",
      ide: "vscode",
      userGroup: "beta",
    });
    expect(exposures[0].eventId).toMatch(UUID);
    expect(exposures[0]).not.toHaveProperty("plan"); // not an event field
  });

  it("queues no exposure for users outside every experiment", async () => {
    const server = fakeServer();
    const { client } = makeClient(server);
    client.setConfig({ productionVersion: "m-prod", experiments: [experiment({ coverage: 0 })] });
    expect(client.assign("carol").modelVersion).toBe("m-prod");
    expect(client.queuedCount).toBe(0);
  });

  it("exposes again when the experiment enters a new phase", () => {
    const { client } = makeClient(fakeServer());
    client.setConfig({ productionVersion: "m-prod", experiments: [experiment()] });
    client.assign("dave");
    client.setConfig({ productionVersion: "m-prod", experiments: [experiment({ phase: 2 })] });
    client.assign("dave");
    expect(client.queuedCount).toBe(2);
  });

  it("throws before any config is loaded", () => {
    const { client } = makeClient(fakeServer());
    expect(() => client.assign("u")).toThrow(/loadConfig/);
  });

  it("rejects an invalid config and keeps the previous one", async () => {
    const server = fakeServer([
      { status: 200, body: { productionVersion: "m", experiments: [{ key: "broken" }], generatedAt: "x" } },
      { status: 401, body: { error: { code: "unauthorized", message: "bad key" } } },
    ]);
    const { client } = makeClient(server);
    client.setConfig(config);
    await expect(client.loadConfig()).rejects.toMatchObject({ kind: "config_unavailable" });
    await expect(client.loadConfig()).rejects.toMatchObject({ kind: "config_unavailable", details: { status: 401 } });
    expect(client.getConfig()).toEqual(config);
  });

  it("asks the server to assign via POST /api/v1/assign", async () => {
    const remote = assignUser(config, "erin", { language: "python" });
    const server = fakeServer([{ status: 200, body: remote }]);
    const { client } = makeClient(server);
    expect(await client.assignRemote("erin", { language: "python" })).toEqual(remote);
    expect(server.requests[0]).toMatchObject({ url: "https://echo.test/api/v1/assign", method: "POST" });
    expect(JSON.parse(server.requests[0].body!)).toEqual({ userId: "erin", attributes: { language: "python" } });
  });
});
