/**
 * EchoClient: assigns users to experiment variants locally and ships completion telemetry to
 * the Echo server in batches.
 *
 * Runs in Node 20+ and browsers; it relies only on fetch, setTimeout and crypto.randomUUID.
 * Delivery is at-least-once: a failed batch is retried with the same eventIds, and the server
 * drops the duplicates, so a retry can never double-count an event.
 */
import {
  type AssignmentConfig,
  type AssignResult,
  type Assignment,
  type CompiledAssignmentConfig,
  type UserAttributes,
  assignmentConfigSchema,
  assignUser,
  compileConfig,
} from "../assignment";
import { type BackoffOptions, isRetryableStatus, parseRetryAfterMs, retryDelayMs } from "./backoff";
import type {
  ApiErrorBody,
  AssignResponse,
  EchoEvent,
  EchoEventInput,
  EventFields,
  EventRejection,
  ExposureEvent,
  FieldError,
  IngestResponse,
} from "./types";

/** The server accepts at most this many events per request. */
export const MAX_EVENTS_PER_REQUEST = 5000;

export interface EchoClientOptions {
  /** Server origin, e.g. `https://echo.example.com` (a trailing slash is fine). */
  baseUrl: string;
  /** Ingest API key, sent as a Bearer token. */
  apiKey: string;
  /** Flush as soon as this many events are queued. Default 100. */
  flushAt?: number;
  /** Flush queued events at the latest this long after the first one was queued. Default 1000. */
  flushIntervalMs?: number;
  /** Events per request, at most 5000. Default 1000. */
  maxBatch?: number;
  /** Retries per batch after the first attempt, on 429 / 5xx / network errors. Default 8. */
  maxRetries?: number;
  /** Exponential backoff bounds. Defaults: initialMs 200, maxMs 30000. */
  backoff?: Partial<BackoffOptions>;
  /** Injected fetch (tests, proxies, custom agents). Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Receives every delivery problem. Defaults to console.warn. Exceptions it throws are ignored. */
  onError?: (error: EchoSdkError) => void;
  /** Events beyond this many waiting in memory (server unreachable) are dropped and reported. Default 100000. */
  maxQueueSize?: number;
  /** How many (user, experiment, phase, variant) exposures are remembered for deduplication. Default 100000. */
  maxRememberedExposures?: number;
  /** Random source for backoff jitter, in [0, 1). Defaults to Math.random. */
  random?: () => number;
}

export type EchoErrorKind =
  /** The server refused some events of a batch (207, or 400 listing them); they are not retried. */
  | "events_rejected"
  /** A non-retryable HTTP error (4xx other than 429) or an unexpected response; the batch is dropped. */
  | "http_error"
  /** Every retry failed; the batch is dropped. */
  | "retries_exhausted"
  /** The queue was full; the event was dropped. */
  | "queue_full"
  /** `track` after `shutdown`; the event was dropped. */
  | "client_shut_down"
  /** `GET /api/v1/config` failed or returned something that is not a valid config. */
  | "config_unavailable"
  /** Anything else that stopped a batch from being sent (e.g. an event that cannot be serialized); the batch is dropped. */
  | "send_failed";

/** One refused event, with the server's reasons. */
export interface EventRejectionReport {
  event: EchoEvent;
  errors: FieldError[];
}

export class EchoSdkError extends Error {
  constructor(
    readonly kind: EchoErrorKind,
    message: string,
    readonly details: {
      status?: number;
      code?: string;
      /** The `details` of the API's error body. */
      fieldErrors?: FieldError[];
      /** Events affected (dropped or refused). */
      events?: EchoEvent[];
      rejections?: EventRejectionReport[];
      cause?: unknown;
    } = {},
  ) {
    super(message);
    this.name = "EchoSdkError";
  }
}

/** What a flush achieved, summed over its batches. */
export interface FlushResult {
  /** Events taken from the queue by this flush. */
  sent: number;
  accepted: number;
  duplicates: number;
  /** Refused by the server as invalid (reported to onError, not retried). */
  rejected: number;
  /** Dropped after a non-retryable error or after exhausting retries (reported to onError). */
  failed: number;
}

const EMPTY_FLUSH: FlushResult = { sent: 0, accepted: 0, duplicates: 0, rejected: 0, failed: 0 };

function addFlushResults(a: FlushResult, b: FlushResult): FlushResult {
  return {
    sent: a.sent + b.sent,
    accepted: a.accepted + b.accepted,
    duplicates: a.duplicates + b.duplicates,
    rejected: a.rejected + b.rejected,
    failed: a.failed + b.failed,
  };
}

function failedBatch(events: EchoEvent[]): FlushResult {
  return { ...EMPTY_FLUSH, sent: events.length, failed: events.length };
}

/** Outcome of one HTTP attempt: final (possibly failed), or worth retrying. */
type AttemptOutcome = { final: true; result: FlushResult } | { final: false; error: EchoSdkError; retryAfterMs: number | null };

/** Node timers would keep the process alive just to flush telemetry; browsers return plain ids. */
function unrefTimer(timer: unknown): void {
  const unref = (timer as { unref?: () => void } | null)?.unref;
  if (typeof unref === "function") unref.call(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Fills what the client is responsible for, without mutating the caller's object. */
function stampEvent(event: EchoEventInput): EchoEvent {
  return { ...event, eventId: event.eventId ?? crypto.randomUUID(), timestamp: event.timestamp ?? new Date().toISOString() };
}

function isIngestResponse(body: unknown): body is IngestResponse {
  return typeof body === "object" && body !== null && Array.isArray((body as IngestResponse).rejected);
}

/** A count from the response, or the fallback when the server did not send one. */
function countOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function isApiErrorBody(body: unknown): body is ApiErrorBody {
  const error = (body as ApiErrorBody | null)?.error;
  return typeof error === "object" && error !== null && typeof error.message === "string";
}

async function readJsonBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => "");
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

function describeHttpError(status: number, body: unknown): { message: string; code?: string; fieldErrors?: FieldError[] } {
  if (!isApiErrorBody(body)) return { message: `HTTP ${status}` };
  const { message, code, details } = body.error;
  return { message: `HTTP ${status}: ${message}`, code, fieldErrors: details };
}

function rejectionReports(events: EchoEvent[], rejected: EventRejection[]): EventRejectionReport[] {
  return rejected
    .filter((rejection) => rejection.index >= 0 && rejection.index < events.length)
    .map((rejection) => ({ event: events[rejection.index], errors: rejection.errors ?? [] }));
}

function clampInteger(value: number | undefined, fallback: number, min: number, max: number): number {
  const chosen = value === undefined || !Number.isFinite(value) ? fallback : Math.floor(value);
  return Math.min(max, Math.max(min, chosen));
}

/** Attributes that double as event dimensions. */
function eventDimensions(attributes: UserAttributes | undefined): Pick<ExposureEvent, "language" | "ide" | "userGroup"> {
  const dimensions: Pick<ExposureEvent, "language" | "ide" | "userGroup"> = {};
  if (typeof attributes?.language === "string") dimensions.language = attributes.language;
  if (typeof attributes?.ide === "string") dimensions.ide = attributes.ide;
  if (typeof attributes?.userGroup === "string") dimensions.userGroup = attributes.userGroup;
  return dimensions;
}

export class EchoClient {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly flushAt: number;
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly maxRetries: number;
  private readonly backoff: BackoffOptions;
  private readonly fetchImpl: typeof fetch;
  private readonly reportError: (error: EchoSdkError) => void;
  private readonly maxQueueSize: number;
  private readonly maxRememberedExposures: number;
  private readonly random: () => number;

  private config: CompiledAssignmentConfig | null = null;
  private queue: EchoEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Flushes run one after another; this is the tail of that chain. */
  private flushChain: Promise<unknown> = Promise.resolve();
  /** A flush that is chained but has not started: new requests join it instead of queueing another. */
  private pendingFlush: Promise<FlushResult> | null = null;
  /** Insertion-ordered, so the oldest exposure is forgotten first when the limit is reached. */
  private readonly exposuresSeen = new Set<string>();
  private closed = false;

  constructor(options: EchoClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.apiKey = options.apiKey;
    this.flushAt = clampInteger(options.flushAt, 100, 1, Number.MAX_SAFE_INTEGER);
    this.flushIntervalMs = Math.max(0, options.flushIntervalMs ?? 1000);
    this.maxBatch = clampInteger(options.maxBatch, 1000, 1, MAX_EVENTS_PER_REQUEST);
    this.maxRetries = clampInteger(options.maxRetries, 8, 0, Number.MAX_SAFE_INTEGER);
    this.backoff = { initialMs: options.backoff?.initialMs ?? 200, maxMs: options.backoff?.maxMs ?? 30_000 };
    // Calling the global fetch detached from globalThis throws "Illegal invocation" in browsers.
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const onError = options.onError ?? ((error: EchoSdkError) => console.warn(`[echo] ${error.message}`));
    this.reportError = (error) => {
      try {
        onError(error);
      } catch {
        // A faulty error handler must not break delivery of the remaining events.
      }
    };
    this.maxQueueSize = clampInteger(options.maxQueueSize, 100_000, 1, Number.MAX_SAFE_INTEGER);
    this.maxRememberedExposures = clampInteger(options.maxRememberedExposures, 100_000, 0, Number.MAX_SAFE_INTEGER);
    this.random = options.random ?? Math.random;
  }

  // ---- Configuration and assignment ------------------------------------------------------------

  /** Fetches the running experiments from `GET /api/v1/config` and caches them for `assign`. */
  async loadConfig(): Promise<AssignmentConfig> {
    let body: unknown;
    try {
      const response = await this.fetchImpl(`${this.baseUrl}/api/v1/config`, { headers: this.headers() });
      body = await readJsonBody(response);
      if (!response.ok) {
        const { message, ...details } = describeHttpError(response.status, body);
        throw new EchoSdkError("config_unavailable", `Loading config failed: ${message}`, { status: response.status, ...details });
      }
    } catch (error) {
      if (error instanceof EchoSdkError) throw error;
      throw new EchoSdkError("config_unavailable", `Loading config failed: ${String(error)}`, { cause: error });
    }
    const parsed = assignmentConfigSchema.safeParse(body);
    if (!parsed.success) {
      throw new EchoSdkError("config_unavailable", `Invalid config from server: ${parsed.error.message}`, {
        cause: parsed.error,
      });
    }
    this.setConfig(parsed.data);
    return parsed.data;
  }

  /** Uses a config obtained elsewhere (bootstrapping, tests) instead of `loadConfig`. */
  setConfig(config: AssignmentConfig): void {
    this.config = compileConfig(config);
  }

  /** The cached config, or null before `loadConfig` / `setConfig`. */
  getConfig(): AssignmentConfig | null {
    if (!this.config) return null;
    return {
      productionVersion: this.config.productionVersion,
      experiments: this.config.experiments.map((e) => e.config),
      ...(this.config.rollout ? { rollout: this.config.rollout.config } : {}),
    };
  }

  /**
   * Assigns the user locally (same result as the server's `assignUser`) and queues one exposure
   * event per experiment variant the user is in, the first time this client sees it.
   * Throws if no config has been loaded.
   */
  assign(userId: string, attributes: UserAttributes = {}): AssignResult {
    if (!this.config) throw new Error("EchoClient.assign: no config yet; call loadConfig() or setConfig() first");
    const result = assignUser(this.config, userId, attributes);
    result.assignments.forEach((assignment, index) => {
      if (assignment.inExperiment) this.recordExposure(userId, assignment, this.config!.experiments[index].config.phase, attributes);
    });
    return result;
  }

  /** Asks the server to assign (`POST /api/v1/assign`). Queues no exposure events. */
  async assignRemote(userId: string, attributes?: UserAttributes): Promise<AssignResponse> {
    const response = await this.fetchImpl(`${this.baseUrl}/api/v1/assign`, {
      method: "POST",
      headers: this.headers(),
      body: JSON.stringify({ userId, attributes }),
    });
    const body = await readJsonBody(response);
    if (!response.ok) {
      const { message, ...details } = describeHttpError(response.status, body);
      throw new EchoSdkError("http_error", `Remote assignment failed: ${message}`, { status: response.status, ...details });
    }
    return body as AssignResponse;
  }

  /** The phase is part of the key: a new phase re-randomizes, so its exposures are new facts. */
  private recordExposure(userId: string, assignment: Assignment, phase: number, attributes: UserAttributes): void {
    const key = `${assignment.experimentKey}\u0000${phase}\u0000${assignment.variantKey}\u0000${userId}`;
    if (this.exposuresSeen.has(key)) return;
    this.rememberExposure(key);
    this.track({
      type: "exposure",
      userId,
      modelVersion: assignment.modelVersion!,
      experimentKey: assignment.experimentKey,
      variantKey: assignment.variantKey!,
      ...eventDimensions(attributes),
    });
  }

  private rememberExposure(key: string): void {
    if (this.maxRememberedExposures === 0) return;
    if (this.exposuresSeen.size >= this.maxRememberedExposures) {
      // Forgetting only risks a repeated exposure event, which the analysis tolerates (first exposure wins).
      this.exposuresSeen.delete(this.exposuresSeen.values().next().value!);
    }
    this.exposuresSeen.add(key);
  }

  // ---- Events ----------------------------------------------------------------------------------

  /** Queues an event, filling `eventId` and `timestamp` when absent. Returns the event as it will be sent. */
  track(event: EchoEventInput): EchoEvent {
    const stamped = stampEvent(event);
    if (this.closed) {
      this.reportError(new EchoSdkError("client_shut_down", "Event tracked after shutdown was dropped", { events: [stamped] }));
      return stamped;
    }
    if (this.queue.length >= this.maxQueueSize) {
      this.reportError(new EchoSdkError("queue_full", "Event queue is full; event dropped", { events: [stamped] }));
      return stamped;
    }
    this.queue.push(stamped);
    if (this.queue.length >= this.flushAt) void this.flush();
    else this.scheduleFlush();
    return stamped;
  }

  requested(fields: EventFields<"requested">): EchoEvent {
    return this.track({ type: "requested", ...fields });
  }

  shown(fields: EventFields<"shown">): EchoEvent {
    return this.track({ type: "shown", ...fields });
  }

  accepted(fields: EventFields<"accepted">): EchoEvent {
    return this.track({ type: "accepted", ...fields });
  }

  rejected(fields: EventFields<"rejected">): EchoEvent {
    return this.track({ type: "rejected", ...fields });
  }

  refined(fields: EventFields<"refined">): EchoEvent {
    return this.track({ type: "refined", ...fields });
  }

  typed(fields: EventFields<"typed">): EchoEvent {
    return this.track({ type: "typed", ...fields });
  }

  /** Events waiting to be sent. */
  get queuedCount(): number {
    return this.queue.length;
  }

  // ---- Delivery --------------------------------------------------------------------------------

  /**
   * Sends every event queued before this call, in batches of at most `maxBatch`. Never rejects:
   * failures go to `onError` and are counted in the result. Concurrent calls share one flush.
   */
  flush(): Promise<FlushResult> {
    this.clearTimer();
    if (this.pendingFlush) return this.pendingFlush;
    const flush = this.flushChain.then(() => {
      this.pendingFlush = null;
      return this.drainQueue();
    });
    this.pendingFlush = flush;
    this.flushChain = flush;
    return flush;
  }

  /** Flushes everything, stops the timer, and drops (and reports) events tracked afterwards. */
  async shutdown(): Promise<FlushResult> {
    this.closed = true;
    const result = await this.flush();
    this.clearTimer();
    return result;
  }

  private scheduleFlush(): void {
    if (this.timer !== null || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.flushIntervalMs);
    unrefTimer(this.timer);
  }

  private clearTimer(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
  }

  /** Sends the events queued now; events tracked meanwhile wait for the next flush. */
  private async drainQueue(): Promise<FlushResult> {
    let total = EMPTY_FLUSH;
    let remaining = this.queue.length;
    while (remaining > 0) {
      const batch = this.queue.splice(0, Math.min(this.maxBatch, remaining));
      remaining -= batch.length;
      total = addFlushResults(total, await this.sendBatchSafely(batch));
    }
    if (this.queue.length > 0) this.scheduleFlush();
    return total;
  }

  /** `sendBatch` that cannot reject, because flushes are often started and not awaited. */
  private async sendBatchSafely(events: EchoEvent[]): Promise<FlushResult> {
    try {
      return await this.sendBatch(events);
    } catch (cause) {
      this.reportError(new EchoSdkError("send_failed", `Dropped ${events.length} events: ${String(cause)}`, { events, cause }));
      return failedBatch(events);
    }
  }

  /** One batch, retried on transient failures with the identical body, hence identical eventIds. */
  private async sendBatch(events: EchoEvent[]): Promise<FlushResult> {
    const body = JSON.stringify({ events });
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attemptSend(body, events);
      if (outcome.final) return outcome.result;
      if (attempt >= this.maxRetries) {
        this.reportError(
          new EchoSdkError("retries_exhausted", `Dropped ${events.length} events after ${attempt + 1} attempts: ${outcome.error.message}`, {
            ...outcome.error.details,
            events,
            cause: outcome.error,
          }),
        );
        return failedBatch(events);
      }
      await sleep(retryDelayMs(attempt, this.backoff, outcome.retryAfterMs, this.random));
    }
  }

  private async attemptSend(body: string, events: EchoEvent[]): Promise<AttemptOutcome> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}/api/v1/events`, { method: "POST", headers: this.headers(), body });
    } catch (cause) {
      return { final: false, error: new EchoSdkError("http_error", `Network error: ${String(cause)}`, { cause }), retryAfterMs: null };
    }
    const payload = await readJsonBody(response);
    if (isRetryableStatus(response.status)) {
      const { message, ...details } = describeHttpError(response.status, payload);
      return {
        final: false,
        error: new EchoSdkError("http_error", message, { status: response.status, ...details }),
        retryAfterMs: parseRetryAfterMs(response.headers.get("retry-after"), Date.now()),
      };
    }
    // 400 with a per-event list means "every event was invalid"; any other 400 is about the request.
    if (response.ok || (response.status === 400 && isIngestResponse(payload))) {
      return { final: true, result: this.acknowledge(events, payload) };
    }
    const { message, ...details } = describeHttpError(response.status, payload);
    this.reportError(
      new EchoSdkError("http_error", `Dropped ${events.length} events: ${message}`, { status: response.status, ...details, events }),
    );
    return { final: true, result: failedBatch(events) };
  }

  /** Tallies a 2xx or 400 ingest response and reports the refused events. */
  private acknowledge(events: EchoEvent[], payload: unknown): FlushResult {
    const response: Partial<IngestResponse> = isIngestResponse(payload) ? payload : {};
    const rejections = rejectionReports(events, response.rejected ?? []);
    if (rejections.length > 0) {
      this.reportError(
        new EchoSdkError("events_rejected", `Server rejected ${rejections.length} of ${events.length} events`, {
          events: rejections.map((rejection) => rejection.event),
          rejections,
        }),
      );
    }
    const duplicates = countOr(response.duplicates, 0);
    return {
      sent: events.length,
      accepted: countOr(response.accepted, events.length - rejections.length - duplicates),
      duplicates,
      rejected: rejections.length,
      failed: 0,
    };
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.apiKey}`, "content-type": "application/json" };
  }
}
