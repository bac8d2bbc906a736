import { assignUser, checkExposure } from "../assignment";
import { formatPath, type ErrorDetail } from "../errors";
import type { Db } from "../db";
import { compiledAssignmentConfig } from "../experiments/assignmentConfig";
import { clickhouseTime } from "../clickhouse/time";
import { codeCollection } from "../refinements/collection";
import { eventTsv } from "./rows";
import { compiledEventSchema, eventSchema, type IngestEvent } from "./schema";
import { enqueueEvents, enqueueExposures, type LoggedEvent } from "../ingestion/log";
import { exposureRow, type ExposureRow } from "../exposures/rows";

export interface Rejection {
  index: number;
  eventId: string | null;
  errors: ErrorDetail[];
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
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

/**
 * Validates, enriches and logs a batch (lib/ingestion/log.ts). Valid events are kept even when others
 * are rejected; the answer is sent only after the write-ahead log has them, so an acknowledged event
 * survives a crash, and a retry of the same events (same eventIds) is never stored twice.
 */
export async function ingestEvents(client: Db, projectId: string, raw: unknown[]): Promise<IngestResult> {
  const { valid, rejected } = validateEvents(raw);
  const [{ compiled }, collection] = await Promise.all([compiledAssignmentConfig(client, projectId), codeCollection(client, projectId)]);
  const experiments = new Map(compiled.experiments.map((e) => [e.config.key, e]));
  const rows: LoggedEvent[] = [];
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
      rows.push({ eventId: event.eventId.toLowerCase(), row: eventTsv(projectId, event) });
      continue;
    }
    // Tag the event with the user's experiment when the client did not (informational: results
    // select users through the exposures table).
    let assigned: { experimentKey: string; variantKey: string } | undefined;
    if (!event.experimentKey && compiled.experiments.length) {
      const cacheKey = `${event.userId}\u0000${event.language ?? ""}\u0000${event.ide ?? ""}\u0000${event.userGroup ?? ""}`;
      if (tagCache.has(cacheKey)) assigned = tagCache.get(cacheKey);
      else {
        const hit = assignUser(compiled, event.userId, {
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
    rows.push({ eventId: event.eventId.toLowerCase(), row: eventTsv(projectId, event, assigned, { keepCode }) });
  }

  // Exposures first: an event whose exposure was lost would fall out of its experiment's results.
  if (exposures.length) await enqueueExposures(exposures);
  const { duplicates } = rows.length ? await enqueueEvents(projectId, rows) : { duplicates: 0 };
  rejected.sort((a, b) => a.index - b.index);
  return { accepted: rows.length - duplicates, duplicates, rejected };
}
