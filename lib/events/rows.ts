import { redactRefinement } from "../refinements/redact";
import { clickhouseTime } from "../clickhouse/time";
import { tsvString } from "../clickhouse/tsv";
import type { IngestEvent } from "./schema";

// Pure mapping of a validated event to its row in the events table (lib/clickhouse/migrations).

const optional = (text: string | undefined) => (text ? tsvString(text) : "");

/**
 * The event's row in the events table as one TabSeparated line, in EVENT_COLUMNS order: what the
 * write-ahead log holds and the insert sends, built straight from the validated event (ingestion's
 * hot path, so no intermediate row object).
 */
export function eventTsv(
  projectId: string,
  event: IngestEvent,
  assigned?: { experimentKey: string; variantKey: string },
  options: { keepCode: boolean } = { keepCode: true },
): string {
  const shown = event.type === "shown" ? event : undefined;
  const accepted = event.type === "accepted" ? event : undefined;
  const refined = event.type === "refined" ? event : undefined;
  // Secrets never reach storage: the four code fields are redacted together (a key split between the
  // prefix and the suffix is one secret), before the log and the insert; a user who opted out keeps none.
  const code =
    refined && options.keepCode
      ? redactRefinement({ prefix: refined.prefix ?? "", proposal: refined.proposal, final: refined.final, suffix: refined.suffix ?? "" })
      : undefined;
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
    code ? optional(code.proposal) : "",
    code ? optional(code.final) : "",
    code ? optional(code.prefix) : "",
    code ? optional(code.suffix) : "",
    refined?.retainedChars ?? "\\N",
    event.type === "typed" ? event.humanChars : 0,
  ].join("\t");
}
