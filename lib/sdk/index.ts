/**
 * Echo client SDK: local, GrowthBook-compatible assignment plus batched, retried event delivery.
 * Works in Node 20+ and browsers.
 */
export {
  EchoClient,
  EchoSdkError,
  MAX_EVENTS_PER_REQUEST,
  type EchoClientOptions,
  type EchoErrorKind,
  type EventRejectionReport,
  type FlushResult,
} from "./client";
export type { BackoffOptions } from "./backoff";
export type * from "./types";
export type { AssignmentConfig, AssignResult, Assignment, ExperimentConfig, UserAttributes } from "../assignment";
