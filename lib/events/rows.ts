import { redactSecrets } from "../refinements/redact";
import { clickhouseTime } from "../clickhouse/time";
import { tsvString } from "../clickhouse/tsv";
import type { IngestEvent } from "./schema";

// Pure mapping of a validated event to its row in the events table (lib/clickhouse/migrations).

const redact = (text: string | undefined) => (text ? tsvString(redactSecrets(text).text) : "");
const optional = (text: string | undefined) => (text ? tsvString(text) : "");

/**
 * The event's row in the events table as one TabSeparated line, in EVENT_COLUMNS order: what the
 * write-ahead log holds and the insert sends, built straight from the validated event (ingestion's
 * hot path, so no intermediate row object).
 */
export function eventTsv(projectId: string, event: IngestEvent, assigned?: { experimentKey: string; variantKey: string }): string {
  const shown = event.type === "shown" ? event : undefined;
  const accepted = event.type === "accepted" ? event : undefined;
  const refined = event.type === "refined" ? event : undefined;
  return [
    tsvString(projectId),
    event.eventId.toLowerCase(),
    event.type,
    clickhouseTime(event.timestamp),
    tsvString(event.userId),
    "suggestionId" in event ? tsvString(event.suggestionId) : "",
    tsvString(event.modelVersion),
    optional(event.experimentKey ?? assigned?.experimentKey),
    optional(event.variantKey ?? assigned?.variantKey),
    optional(event.language),
    optional(event.ide),
    optional(event.userGroup),
    shown ? shown.completionChars : 0,
    shown ? (shown.completionLines ?? 0) : 0,
    shown ? shown.latencyMs : 0,
    accepted ? accepted.acceptedChars : 0,
    accepted ? (accepted.acceptedLines ?? 0) : 0,
    event.type === "rejected" ? optional(event.reason) : "",
    refined ? refined.windowSeconds : 0,
    // Secrets never reach storage: code samples are redacted here, before the log and the insert.
    refined ? redact(refined.proposal) : "",
    refined ? redact(refined.final) : "",
    refined ? redact(refined.prefix) : "",
    refined ? redact(refined.suffix) : "",
    refined?.retainedChars ?? "\\N",
    event.type === "typed" ? event.humanChars : 0,
  ].join("\t");
}
