import { overviewQuerySchema, overviewSchema } from "../../overview/schemas";
import { endpoint } from "../endpoint";

export const getOverview = endpoint({
  method: "GET",
  path: "/api/v1/overview",
  summary:
    "The landing page: the production model version and since when, acceptance and generation rate per day over all traffic " +
    "(with users and intervals), and the event store's freshness (newest event, last insert, ingestion backlog)",
  tag: "System",
  permission: "read",
  query: overviewQuerySchema,
  response: overviewSchema,
});
