// Every contract module, imported for its registration: the OpenAPI document lists what is here.
export * as system from "./system";
export * as auth from "./auth";
export * as apiKeys from "./apiKeys";
export * as modelVersions from "./modelVersions";
export * as experiments from "./experiments";
export * as ingestion from "./ingestion";
export * as refinements from "./refinements";
export * as datasets from "./datasets";
export * as settings from "./settings";
export * as audit from "./audit";
export * as overview from "./overview";
export * as users from "./users";
export * as releases from "./releases";
export * as webhooks from "./webhooks";
