/**
 * Event and API types of the Echo ingestion API (`POST /api/v1/events`), as sent by the SDK.
 * Field names are the wire format and must not be renamed.
 */
import type { AssignmentConfig, AssignResult } from "../assignment";

/** An ISO-8601 string or epoch milliseconds. */
export type Timestamp = string | number;

/** Fields every event carries. `eventId` and `timestamp` are filled by the client when absent. */
export interface BaseEvent {
  /** UUID; the server deduplicates on it, so retries must resend the same id. */
  eventId?: string;
  timestamp?: Timestamp;
  userId: string;
  /** The model version that served (or would serve) this user. */
  modelVersion: string;
  experimentKey?: string;
  variantKey?: string;
  language?: string;
  ide?: string;
  userGroup?: string;
}

/** Events about one completion suggestion. */
export interface SuggestionEvent extends BaseEvent {
  suggestionId: string;
}

/** The editor asked the model for a completion. */
export interface RequestedEvent extends SuggestionEvent {
  type: "requested";
}

/** A completion was displayed to the user. */
export interface ShownEvent extends SuggestionEvent {
  type: "shown";
  completionChars: number;
  completionLines?: number;
  latencyMs: number;
}

/** The user accepted (part of) a completion. */
export interface AcceptedEvent extends SuggestionEvent {
  type: "accepted";
  acceptedChars: number;
  acceptedLines?: number;
}

/** The user dismissed a completion. */
export interface RejectedEvent extends SuggestionEvent {
  type: "rejected";
  reason?: string;
}

/** What became of an accepted completion after `windowSeconds` of further editing. */
export interface RefinedEvent extends SuggestionEvent {
  type: "refined";
  windowSeconds: number;
  proposal: string;
  final: string;
  prefix?: string;
  suffix?: string;
  retainedChars?: number;
}

/** Characters the user typed themselves (the baseline completions are compared with). */
export interface TypedEvent extends BaseEvent {
  type: "typed";
  humanChars: number;
}

/** The user was exposed to an experiment variant (sent by `EchoClient.assign`). */
export interface ExposureEvent extends BaseEvent {
  type: "exposure";
  experimentKey: string;
  variantKey: string;
}

/** Any event as the application passes it to `EchoClient.track`. */
export type EchoEventInput = RequestedEvent | ShownEvent | AcceptedEvent | RejectedEvent | RefinedEvent | TypedEvent | ExposureEvent;

export type EchoEventType = EchoEventInput["type"];

/** An event as sent: id and timestamp always present. */
export type EchoEvent = EchoEventInput & { eventId: string; timestamp: Timestamp };

/** The fields of one event type, without the `type` discriminant (for the typed helpers). */
export type EventFields<T extends EchoEventType> = Omit<Extract<EchoEventInput, { type: T }>, "type">;

/** `GET /api/v1/config`. */
export interface ConfigResponse extends AssignmentConfig {
  generatedAt: string;
}

/** `POST /api/v1/assign`. */
export type AssignResponse = AssignResult;

/** One validation problem, as in the API's error `details`. */
export interface FieldError {
  path: string;
  message: string;
}

/** A rejected event of a batch: `index` is its position in the request's `events` array. */
export interface EventRejection {
  index: number;
  errors: FieldError[];
}

/** `POST /api/v1/events` body for 200 / 207 / 400-with-rejections. */
export interface IngestResponse {
  accepted: number;
  duplicates: number;
  rejected: EventRejection[];
}

/** The API's error body: `{"error": {"code", "message", "details"}}`. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: FieldError[] };
}
