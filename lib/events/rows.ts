import { redactSecrets } from "../refinement/redact";
import type { IngestEvent } from "./schema";

// Pure mapping of a validated event to its row in the events table (lib/clickhouse/migrations).

export interface EventRow extends Record<string, string | number | null> {
  project_id: string;
  event_id: string;
  type: string;
  timestamp: string;
  user_id: string;
  suggestion_id: string;
  model_version: string;
  experiment_key: string;
  variant_key: string;
  language: string;
  ide: string;
  user_group: string;
  completion_chars: number;
  completion_lines: number;
  latency_ms: number;
  accepted_chars: number;
  accepted_lines: number;
  reason: string;
  window_seconds: number;
  proposal: string;
  final: string;
  prefix: string;
  suffix: string;
  retained_chars: number | null;
  human_chars: number;
}

/** Column order of event rows in the write-ahead log and the insert (ingested_at is filled by the engine). */
export const EVENT_COLUMNS = [
  "project_id", "event_id", "type", "timestamp", "user_id", "suggestion_id", "model_version", "experiment_key", "variant_key",
  "language", "ide", "user_group", "completion_chars", "completion_lines", "latency_ms", "accepted_chars", "accepted_lines",
  "reason", "window_seconds", "proposal", "final", "prefix", "suffix", "retained_chars", "human_chars",
] as const satisfies readonly (keyof EventRow)[];

/** ClickHouse DateTime64(3, 'UTC') text: `2026-11-24 10:00:00.000`. */
export function clickhouseTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-24T10:00:00.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

export function clickhouseDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const redact = (text: string | undefined) => (text ? redactSecrets(text).text : "");

export function eventRow(projectId: string, event: IngestEvent, assigned?: { experimentKey: string; variantKey: string }): EventRow {
  return {
    project_id: projectId,
    event_id: event.eventId.toLowerCase(),
    type: event.type,
    timestamp: clickhouseTime(event.timestamp),
    user_id: event.userId,
    suggestion_id: "suggestionId" in event ? event.suggestionId : "",
    model_version: event.modelVersion,
    experiment_key: event.experimentKey ?? assigned?.experimentKey ?? "",
    variant_key: event.variantKey ?? assigned?.variantKey ?? "",
    language: event.language ?? "",
    ide: event.ide ?? "",
    user_group: event.userGroup ?? "",
    completion_chars: event.type === "shown" ? event.completionChars : 0,
    completion_lines: event.type === "shown" ? (event.completionLines ?? 0) : 0,
    latency_ms: event.type === "shown" ? event.latencyMs : 0,
    accepted_chars: event.type === "accepted" ? event.acceptedChars : 0,
    accepted_lines: event.type === "accepted" ? (event.acceptedLines ?? 0) : 0,
    reason: event.type === "rejected" ? (event.reason ?? "") : "",
    window_seconds: event.type === "refined" ? event.windowSeconds : 0,
    // Secrets never reach storage: code samples are redacted here, before the insert.
    proposal: event.type === "refined" ? redact(event.proposal) : "",
    final: event.type === "refined" ? redact(event.final) : "",
    prefix: event.type === "refined" ? redact(event.prefix) : "",
    suffix: event.type === "refined" ? redact(event.suffix) : "",
    retained_chars: event.type === "refined" ? (event.retainedChars ?? null) : null,
    human_chars: event.type === "typed" ? event.humanChars : 0,
  };
}
