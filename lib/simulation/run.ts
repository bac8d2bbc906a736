import { assignmentConfigSchema, assignUser, compileConfig, type AssignmentConfig } from "../assignment";
import { isRetryableStatus, parseRetryAfterMs, retryDelayMs, type BackoffOptions } from "../sdk/backoff";
import { simulatedUser, type Arm, type Scenario, type UserGroup } from "./scenario";
import { userTraffic, type Serving, type SimEvent, type TrafficWindow, type UserTraffic } from "./traffic";

// Runs a simulation against Echo's public HTTP API: reads the running experiments (GET /api/v1/config),
// assigns each simulated user locally as the SDK does (or asks POST /api/v1/assign), generates the
// user's events (traffic.ts) and sends them in batches to POST /api/v1/events with the ingest key,
// retrying 429/5xx and network errors with the SDK's backoff. The transport is injected (fetch in
// scripts/simulate.ts, the route handlers in the integration test), so nothing here touches the network.

export interface TransportRequest {
  method: "GET" | "POST";
  /** Path and query, e.g. /api/v1/events. */
  path: string;
  /** API key, sent as a Bearer token. */
  key: string;
  /** JSON body. */
  body?: unknown;
}

export interface TransportResponse {
  status: number;
  /** Parsed JSON body (null when empty or not JSON). */
  body: unknown;
  /** The Retry-After header, if any. */
  retryAfter?: string | null;
}

/** One HTTP exchange. Throws on network errors (they are retried like 5xx). */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

export class SimulationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SimulationError";
  }
}

/** Batches hold at most this many events (the API takes 5,000; the SDK sends 1,000). */
export const MAX_BATCH = 1_000;
const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 30_000 };

function errorMessage(body: unknown): string {
  const error = (body as { error?: { message?: unknown } } | null)?.error;
  return typeof error?.message === "string" ? error.message : JSON.stringify(body)?.slice(0, 300);
}

async function expectStatus(transport: Transport, request: TransportRequest, ok: number[]): Promise<TransportResponse> {
  const response = await transport(request);
  if (!ok.includes(response.status)) {
    throw new SimulationError(`${request.method} ${request.path}: HTTP ${response.status}: ${errorMessage(response.body)}`);
  }
  return response;
}

/** The running experiments and the production version, as the SDK reads them (GET /api/v1/config). */
export async function loadConfig(transport: Transport, key: string): Promise<AssignmentConfig> {
  const response = await expectStatus(transport, { method: "GET", path: "/api/v1/config", key }, [200]);
  const parsed = assignmentConfigSchema.safeParse(response.body);
  if (!parsed.success) throw new SimulationError(`GET /api/v1/config: not an assignment config: ${parsed.error.message}`);
  return parsed.data;
}

/** Running experiments started earlier take their users first (at most one running experiment per user). */
export function precedenceWarning(config: AssignmentConfig, experimentKey: string): string | null {
  const index = config.experiments.findIndex((e) => e.key === experimentKey);
  if (index <= 0) return null;
  const earlier = config.experiments.slice(0, index).map((e) => `'${e.key}'`);
  return (
    `running experiment(s) ${earlier.join(", ")} started earlier and take their users first (a user is in at most one ` +
    `running experiment): simulated users assigned there are served without an exposure to '${experimentKey}'`
  );
}

export interface SetupResult {
  experimentKey: string;
  modelVersions: Record<Arm, string>;
  /** What setup did: created the experiment, started an existing draft, or found it running. */
  action: "created" | "started" | "running";
  startedAt: string | null;
}

/**
 * Creates (or reuses) two model versions `<key>-control` and `<key>-treatment` and a running 50/50
 * experiment `<key>` with variants control and treatment, through the admin API.
 */
export async function setupExperiment(transport: Transport, adminKey: string, experimentKey: string): Promise<SetupResult> {
  const modelVersions: Record<Arm, string> = { control: `${experimentKey}-control`, treatment: `${experimentKey}-treatment` };
  for (const arm of ["control", "treatment"] as const) {
    await expectStatus(
      transport,
      {
        method: "POST",
        path: "/api/v1/model-versions",
        key: adminKey,
        body: { key: modelVersions[arm], name: `Simulated ${arm} model (${experimentKey})`, status: "candidate" },
      },
      [201, 409], // 409: it exists already (a repeated setup)
    );
  }
  const created = await expectStatus(
    transport,
    {
      method: "POST",
      path: "/api/v1/experiments",
      key: adminKey,
      body: {
        key: experimentKey,
        name: `Simulated traffic: ${experimentKey}`,
        hypothesis: "Simulated traffic (npm run simulate): the treatment model raises the acceptance rate from 25.7% to 35.7%.",
        variants: [
          { key: "control", modelVersion: modelVersions.control, weight: 0.5 },
          { key: "treatment", modelVersion: modelVersions.treatment, weight: 0.5 },
        ],
        primaryMetric: "acceptance_rate",
      },
    },
    [201, 409],
  );
  let experiment = created.body as { status: string; startedAt: string | null };
  let action: SetupResult["action"] = created.status === 201 ? "created" : "started";
  if (created.status === 409) {
    const path = `/api/v1/experiments/${encodeURIComponent(experimentKey)}`;
    experiment = (await expectStatus(transport, { method: "GET", path, key: adminKey }, [200])).body as typeof experiment;
    if (experiment.status === "stopped") {
      throw new SimulationError(`experiment '${experimentKey}' exists and is stopped: name another with --experiment`);
    }
    if (experiment.status === "running") action = "running";
  }
  if (experiment.status !== "running") {
    const path = `/api/v1/experiments/${encodeURIComponent(experimentKey)}/start`;
    experiment = (await expectStatus(transport, { method: "POST", path, key: adminKey }, [200])).body as typeof experiment;
  }
  return { experimentKey, modelVersions, action, startedAt: experiment.startedAt };
}

export interface SimulationOptions {
  transport: Transport;
  /** Ingest API key. */
  ingestKey: string;
  /** A running experiment; its variant `control` (or the first) behaves as the control, the others as the treatment. */
  experimentKey: string;
  scenario: Scenario;
  seed: number;
  users: number;
  /** Prefix of the user ids (default `sim-<scenario>-<seed>`). */
  userPrefix?: string;
  /** End of the simulated period, epoch ms (default a minute ago); it starts scenario.days earlier. */
  end?: number;
  /**
   * events (default): exposure events, as the SDK sends them; assign: POST /api/v1/assign per user as
   * well (the server records that exposure at the current time, so the backdated exposure event is still sent).
   */
  exposures?: "events" | "assign";
  /** Events per POST (at most 1,000; default 1,000, fewer under a low rate). */
  batchSize?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Throttle: events per second. */
  rate?: number;
  /** Stop after this many events. */
  maxEvents?: number;
  /** Stop generating after this long (in-flight requests still finish). */
  durationMs?: number;
  /** Stop generating when aborted (in-flight requests still finish). */
  signal?: AbortSignal;
  /** Retries of a request after the first attempt (default 8). */
  maxRetries?: number;
  backoff?: BackoffOptions;
  onProgress?: (progress: SimulationProgress) => void;
  /** Sees each user's traffic as generated (the events actually queued). */
  onUser?: (traffic: UserTraffic) => void;
}

export interface SimulationProgress {
  users: number;
  usersDone: number;
  /** Events answered by the server (accepted, duplicates, rejected) or given up on. */
  eventsDone: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  failed: number;
  elapsedMs: number;
  eventsPerSecond: number;
}

export interface SimulationSummary {
  experimentKey: string;
  scenario: string;
  seed: number;
  userPrefix: string;
  window: { from: string; to: string };
  users: {
    generated: number;
    /** Assigned to the simulated experiment, per variant. */
    assigned: Record<string, number>;
    /** Not in the experiment (coverage, targeting, an earlier experiment): served without an exposure. */
    notInExperiment: number;
    /** srm: treatment users whose exposure was never reported. */
    exposureLost: number;
    byGroup: Record<UserGroup, number>;
  };
  events: { generated: number; sent: number; accepted: number; duplicates: number; rejected: number; failed: number };
  /** Exposure events sent and not refused, per variant. */
  exposures: Record<string, number>;
  /** assign mode: the server's answers per variant, and disagreements with the local assignment. */
  assign: { requests: number; variants: Record<string, number>; mismatches: number } | null;
  requests: number;
  retries: number;
  /** The first refusals (field and message). */
  rejections: string[];
  /** The first requests given up on. */
  errors: string[];
  stoppedBy: "events" | "duration" | "interrupted" | "error" | null;
  elapsedMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function simulate(options: SimulationOptions): Promise<SimulationSummary> {
  const { transport, ingestKey, experimentKey, scenario, seed } = options;
  const userPrefix = options.userPrefix ?? `sim-${scenario.name}-${seed}`;
  const end = options.end ?? Date.now() - 60_000;
  const window: TrafficWindow = { from: Math.round(end - scenario.days * 86_400_000), to: end };
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const rate = options.rate && options.rate > 0 ? options.rate : null;
  const batchSize = Math.max(1, Math.min(MAX_BATCH, Math.floor(options.batchSize ?? (rate ? Math.max(1, rate / 4) : MAX_BATCH))));
  const maxRetries = options.maxRetries ?? 8;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const maxEvents = options.maxEvents ?? Infinity;
  const started = Date.now();

  const config = await loadConfig(transport, ingestKey);
  const experiment = config.experiments.find((e) => e.key === experimentKey);
  if (!experiment) {
    const running = config.experiments.map((e) => `'${e.key}'`).join(", ") || "none";
    throw new SimulationError(`experiment '${experimentKey}' is not running (GET /api/v1/config lists ${running})`);
  }
  const compiled = compileConfig(config);
  const armOf = (variantKey: string): Arm =>
    variantKey === "control" || (variantKey === experiment.variants[0].key && !experiment.variants.some((v) => v.key === "control"))
      ? "control"
      : "treatment";

  const summary: SimulationSummary = {
    experimentKey,
    scenario: scenario.name,
    seed,
    userPrefix,
    window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() },
    users: { generated: 0, assigned: {}, notInExperiment: 0, exposureLost: 0, byGroup: { external: 0, internal: 0 } },
    events: { generated: 0, sent: 0, accepted: 0, duplicates: 0, rejected: 0, failed: 0 },
    exposures: Object.fromEntries(experiment.variants.map((v) => [v.key, 0])),
    assign: options.exposures === "assign" ? { requests: 0, variants: {}, mismatches: 0 } : null,
    requests: 0,
    retries: 0,
    rejections: [],
    errors: [],
    stoppedBy: null,
    elapsedMs: 0,
  };
  let fatal: string | null = null;
  /** Keeps the first 20 failures (every one counts in the events' failed). */
  const noteError = (message: string) => {
    if (summary.errors.length < 20) summary.errors.push(message);
  };
  const progress = () => {
    if (!options.onProgress) return;
    const elapsedMs = Date.now() - started;
    const { accepted, duplicates, rejected, failed } = summary.events;
    const eventsDone = accepted + duplicates + rejected + failed;
    options.onProgress({
      users: options.users,
      usersDone: summary.users.generated,
      eventsDone,
      accepted,
      duplicates,
      rejected,
      failed,
      elapsedMs,
      eventsPerSecond: elapsedMs > 0 ? (eventsDone / elapsedMs) * 1000 : 0,
    });
  };

  /** One request with retries on 429, 5xx and network errors; null when given up. */
  const exchange = async (request: TransportRequest): Promise<TransportResponse | null> => {
    for (let attempt = 0; ; attempt++) {
      let response: TransportResponse | null = null;
      let problem: string;
      summary.requests++;
      try {
        response = await transport(request);
        if (!isRetryableStatus(response.status)) return response;
        problem = `HTTP ${response.status}: ${errorMessage(response.body)}`;
      } catch (error) {
        problem = `network error: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (attempt >= maxRetries) {
        noteError(`${request.method} ${request.path}: gave up after ${attempt + 1} attempts: ${problem}`);
        return null;
      }
      summary.retries++;
      await sleep(retryDelayMs(attempt, backoff, parseRetryAfterMs(response?.retryAfter ?? null, Date.now()), Math.random));
    }
  };

  const sendBatch = async (events: SimEvent[]) => {
    summary.events.sent += events.length;
    const response = await exchange({ method: "POST", path: "/api/v1/events", key: ingestKey, body: { events } });
    const body = response?.body as {
      accepted?: number;
      duplicates?: number;
      rejected?: { index: number; errors: { path: string; message: string }[] }[];
    };
    if (response && (response.status === 200 || response.status === 207 || response.status === 400) && Array.isArray(body?.rejected)) {
      summary.events.accepted += body.accepted ?? 0;
      summary.events.duplicates += body.duplicates ?? 0;
      summary.events.rejected += body.rejected.length;
      const refused = new Set(body.rejected.map((r) => r.index));
      events.forEach((e, i) => {
        if (e.type === "exposure" && !refused.has(i)) summary.exposures[e.variantKey] = (summary.exposures[e.variantKey] ?? 0) + 1;
      });
      for (const r of body.rejected) {
        if (summary.rejections.length >= 10) break;
        summary.rejections.push(r.errors.map((e) => `${e.path}: ${e.message}`).join("; "));
      }
    } else {
      summary.events.failed += events.length;
      if (response) {
        noteError(`POST /api/v1/events: HTTP ${response.status}: ${errorMessage(response.body)}`);
        // A wrong key, a missing route or a refused body would fail for every batch alike.
        if (response.status !== 400) fatal = `POST /api/v1/events answered HTTP ${response.status}: ${errorMessage(response.body)}`;
      }
    }
    progress();
  };

  const assignRemote = async (traffic: UserTraffic) => {
    const { user } = traffic;
    const response = await exchange({
      method: "POST",
      path: "/api/v1/assign",
      key: ingestKey,
      body: { userId: user.id, attributes: { language: user.language, ide: user.ide, userGroup: user.userGroup } },
    });
    summary.assign!.requests++;
    if (response?.status !== 200) {
      if (response) noteError(`POST /api/v1/assign: HTTP ${response.status}: ${errorMessage(response.body)}`);
      return;
    }
    const answer = (response.body as { assignments?: { experimentKey: string; variantKey: string | null }[] }).assignments?.find(
      (a) => a.experimentKey === experimentKey,
    );
    const variant = answer?.variantKey ?? "none";
    summary.assign!.variants[variant] = (summary.assign!.variants[variant] ?? 0) + 1;
    if (variant !== traffic.serving.variantKey) summary.assign!.mismatches++;
  };

  // Requests in flight; the generator waits when there are `concurrency` of them.
  const inFlight = new Set<Promise<void>>();
  const launch = async (task: () => Promise<void>) => {
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    const promise = task().finally(() => inFlight.delete(promise));
    inFlight.add(promise);
  };
  let dispatched = 0;
  const dispatch = async (events: SimEvent[]) => {
    if (rate) {
      const due = started + (dispatched / rate) * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    dispatched += events.length;
    await launch(() => sendBatch(events));
  };

  const stopReason = (): SimulationSummary["stoppedBy"] => {
    if (fatal) return "error";
    if (options.signal?.aborted) return "interrupted";
    if (options.durationMs !== undefined && Date.now() - started >= options.durationMs) return "duration";
    if (summary.events.generated >= maxEvents) return "events";
    return null;
  };

  let buffer: SimEvent[] = [];
  for (let index = 0; index < options.users; index++) {
    const reason = stopReason();
    if (reason) {
      summary.stoppedBy = reason;
      break;
    }
    const user = simulatedUser(scenario, seed, index, userPrefix);
    const assignment = assignUser(compiled, user.id, { language: user.language, ide: user.ide, userGroup: user.userGroup });
    const mine = assignment.assignments.find((a) => a.experimentKey === experimentKey);
    const serving: Serving =
      mine?.inExperiment && mine.variantKey
        ? { arm: armOf(mine.variantKey), modelVersion: mine.modelVersion!, experimentKey, variantKey: mine.variantKey }
        : { arm: "control", modelVersion: assignment.modelVersion ?? config.productionVersion ?? experiment.variants[0].modelVersion };
    const traffic = userTraffic(scenario, seed, user, serving, window);

    summary.users.generated++;
    summary.users.byGroup[user.userGroup]++;
    if (serving.variantKey) summary.users.assigned[serving.variantKey] = (summary.users.assigned[serving.variantKey] ?? 0) + 1;
    else summary.users.notInExperiment++;
    if (traffic.exposureLost) summary.users.exposureLost++;
    // The broken client of the srm scenario never asks the server either.
    if (summary.assign && traffic.exposure) await launch(() => assignRemote(traffic));

    let events = traffic.exposure ? [traffic.exposure, ...traffic.events] : traffic.events;
    if (summary.events.generated + events.length > maxEvents) events = events.slice(0, maxEvents - summary.events.generated);
    summary.events.generated += events.length;
    if (options.onUser) {
      const exposure = events[0] === traffic.exposure ? traffic.exposure : null;
      options.onUser({ ...traffic, exposure, events: exposure ? events.slice(1) : events });
    }
    for (const event of events) {
      buffer.push(event);
      if (buffer.length >= batchSize) {
        const batch = buffer;
        buffer = [];
        await dispatch(batch);
      }
    }
    if (index % 50 === 49) progress();
  }
  if (buffer.length) await dispatch(buffer);
  await Promise.all(inFlight);
  if (fatal && !summary.stoppedBy) summary.stoppedBy = "error";
  summary.elapsedMs = Date.now() - started;
  progress();
  return summary;
}
