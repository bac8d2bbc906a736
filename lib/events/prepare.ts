import { assignUser, checkExposure, compileConfig, type AssignmentConfig, type CompiledAssignmentConfig } from "../assignment";
import { formatPath, type ErrorDetail } from "../errors";
import { clickhouseTime } from "../clickhouse/time";
import { tsvBody } from "../clickhouse/tsv";
import { exposureRow, type ExposureRow } from "../exposures/rows";
import { parseJsonArrayMember, parseJsonText } from "../json";
import { eventTsv } from "./rows";
import { compiledEventSchema, eventSchema, eventsRequestSchema, type IngestEvent } from "./schema";

// The CPU work of ingesting a batch, pure so that it runs alike in-process and in a worker thread
// (preparePool.ts): validation, exposure checks, experiment tagging, redaction and the TabSeparated rows,
// already encoded as the bytes the write-ahead log will hold. What needs the process's state (the
// recent event ids, the log) stays with the caller (service.ts).

export interface Rejection {
  index: number;
  eventId: string | null;
  errors: ErrorDetail[];
}

/** What a batch's events depend on besides themselves: the project's running experiments and whose code it keeps. */
export interface PrepareContext {
  projectId: string;
  /** The served assignment config (compiled here, once per config object). */
  config: AssignmentConfig;
  collection: { enabled: boolean; optedOut: ReadonlySet<string> };
}

/** A batch's event rows as the log takes them, and what is needed to drop the duplicates among them. */
export interface PreparedRows {
  /** Lower-cased event id of each row. */
  eventIds: string[];
  /** The rows, each ending in "\n", as UTF-8. */
  rows: Uint8Array;
  /** Byte offset where each row ends in `rows`. */
  rowEnds: Int32Array;
}

export interface PreparedBatch extends PreparedRows {
  /** Elements in the request. */
  count: number;
  rejected: Rejection[];
  exposures: ExposureRow[];
}

/** A request body that is not a batch: not JSON, or not `{ events: [...] }` (details name the field). */
export type BodyProblem = { problem: "json"; message: string } | { problem: "body"; details: ErrorDetail[] };

const compiledConfigs = new WeakMap<AssignmentConfig, CompiledAssignmentConfig>();

function compiled(config: AssignmentConfig): CompiledAssignmentConfig {
  let hit = compiledConfigs.get(config);
  if (!hit) compiledConfigs.set(config, (hit = compileConfig(config)));
  return hit;
}

/** Validates each element on its own; a bad one is named by index and field (events[3].timestamp). */
export function validateEvents(raw: unknown[]): { valid: { index: number; event: IngestEvent }[]; rejected: Rejection[] } {
  const valid: { index: number; event: IngestEvent }[] = [];
  const rejected: Rejection[] = [];
  raw.forEach((element, index) => {
    const event = compiledEventSchema(element);
    if (event) {
      valid.push({ index, event });
      return;
    }
    const parsed = eventSchema.safeParse(element);
    if (parsed.success) valid.push({ index, event: parsed.data });
    else {
      const eventId = typeof (element as { eventId?: unknown })?.eventId === "string" ? (element as { eventId: string }).eventId : null;
      rejected.push({
        index,
        eventId,
        errors: parsed.error.issues.map((issue) => ({ path: formatPath(issue.path, `events[${index}]`), message: issue.message })),
      });
    }
  });
  return { valid, rejected };
}

/** Validates, checks and tags a batch, and builds its rows (see the file's comment). */
export function prepareEvents(raw: unknown[], context: PrepareContext): PreparedBatch {
  const { projectId, collection } = context;
  const config = compiled(context.config);
  const { valid, rejected } = validateEvents(raw);
  const experiments = new Map(config.experiments.map((e) => [e.config.key, e]));
  const eventIds: string[] = [];
  const rows: string[] = [];
  const exposures: ExposureRow[] = [];
  // A batch holds many events of few users: evaluate each (user, attributes) once.
  const tagCache = new Map<string, { experimentKey: string; variantKey: string } | undefined>();

  for (const { index, event } of valid) {
    if (event.type === "exposure") {
      const experiment = experiments.get(event.experimentKey);
      const path = `events[${index}]`;
      if (!experiment) {
        rejected.push({
          index,
          eventId: event.eventId,
          errors: [{ path: `${path}.experimentKey`, message: `experiment '${event.experimentKey}' is not running` }],
        });
        continue;
      }
      const check = checkExposure(experiment, event.userId, event.variantKey);
      if (!check.ok) {
        const expected = check.expected ? `variant '${check.expected}'` : "no variant (outside the experiment's coverage or namespace)";
        rejected.push({
          index,
          eventId: event.eventId,
          errors: [
            {
              path: `${path}.variantKey`,
              message: `'${event.variantKey}' disagrees with the assignment: the hash gives this user ${expected}`,
            },
          ],
        });
        continue;
      }
      const variant = experiment.config.variants.find((v) => v.key === event.variantKey)!;
      exposures.push(
        exposureRow({
          projectId,
          experimentKey: event.experimentKey,
          phase: experiment.config.phase,
          userId: event.userId,
          variantKey: event.variantKey,
          modelVersion: variant.modelVersion,
          at: clickhouseTime(event.timestamp),
        }),
      );
      eventIds.push(event.eventId.toLowerCase());
      rows.push(eventTsv(projectId, event));
      continue;
    }
    // Tag the event with the user's experiment when the client did not (informational: results
    // select users through the exposures table).
    let assigned: { experimentKey: string; variantKey: string } | undefined;
    if (!event.experimentKey && config.experiments.length) {
      const cacheKey = `${event.userId}\u0000${event.language ?? ""}\u0000${event.ide ?? ""}\u0000${event.userGroup ?? ""}`;
      if (tagCache.has(cacheKey)) assigned = tagCache.get(cacheKey);
      else {
        const hit = assignUser(config, event.userId, {
          language: event.language,
          ide: event.ide,
          userGroup: event.userGroup,
        }).assignments.find((a) => a.inExperiment);
        assigned = hit?.variantKey ? { experimentKey: hit.experimentKey, variantKey: hit.variantKey } : undefined;
        tagCache.set(cacheKey, assigned);
      }
    }
    // Code of a user who opted out, or of a project that keeps no samples, is never stored.
    const keepCode = event.type !== "refined" || (collection.enabled && !collection.optedOut.has(event.userId));
    eventIds.push(event.eventId.toLowerCase());
    rows.push(eventTsv(projectId, event, assigned, { keepCode }));
  }

  rejected.sort((a, b) => a.index - b.index);
  const rowEnds = new Int32Array(rows.length);
  const encoded = tsvBody(rows, rowEnds);
  return { count: raw.length, rejected, exposures, eventIds, rows: encoded, rowEnds };
}

/**
 * A request body (UTF-8 JSON `{ events: [...] }`) to a prepared batch, or what is wrong with it, as the
 * route wrapper would say it (lib/api/handler.ts: invalid JSON, then the envelope's zod issues).
 */
export function prepareEventsBody(body: Uint8Array, context: PrepareContext): PreparedBatch | BodyProblem {
  // Element by element when the body is the usual envelope (no large string: see parseJsonArrayMember).
  const events = parseJsonArrayMember(body, "events");
  let json: unknown = events && { events };
  if (!json) {
    try {
      json = parseJsonText(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
    } catch (error) {
      return { problem: "json", message: (error as Error).message };
    }
  }
  const envelope = eventsRequestSchema.safeParse(json);
  if (!envelope.success) {
    return { problem: "body", details: envelope.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })) };
  }
  return prepareEvents(envelope.data.events, context);
}
