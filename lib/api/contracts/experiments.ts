import { z } from "zod";
import { createExperimentSchema, experimentSchema, updateExperimentSchema } from "../../experiments/schemas";
import { keySchema } from "../../keys";
import { resultsQuerySchema, resultsSchema, scorecardQuerySchema, scorecardSchema } from "../../results/schema";
import { endpoint } from "../endpoint";

const keyParams = z.strictObject({ key: keySchema });

export const listExperiments = endpoint({
  method: "GET",
  path: "/api/v1/experiments",
  summary: "List experiments",
  tag: "Experiments",
  permission: "read",
  response: z.object({ items: z.array(experimentSchema) }),
});

export const createExperiment = endpoint({
  method: "POST",
  path: "/api/v1/experiments",
  summary: "Create an experiment (draft); the first variant is the control",
  tag: "Experiments",
  permission: "experiments:write",
  body: createExperimentSchema,
  response: experimentSchema,
  status: 201,
});

export const getExperiment = endpoint({
  method: "GET",
  path: "/api/v1/experiments/{key}",
  summary: "One experiment",
  tag: "Experiments",
  permission: "read",
  params: keyParams,
  response: experimentSchema,
});

export const updateExperiment = endpoint({
  method: "PATCH",
  path: "/api/v1/experiments/{key}",
  summary: "Edit an experiment; allocation changes of a running one need newPhase: true (users are reshuffled under a new seed)",
  tag: "Experiments",
  permission: "experiments:write",
  params: keyParams,
  body: updateExperimentSchema,
  response: experimentSchema,
});

export const startExperiment = endpoint({
  method: "POST",
  path: "/api/v1/experiments/{key}/start",
  summary: "Start assigning users",
  tag: "Experiments",
  permission: "experiments:write",
  params: keyParams,
  response: experimentSchema,
});

export const stopExperiment = endpoint({
  method: "POST",
  path: "/api/v1/experiments/{key}/stop",
  summary: "Stop assigning users (everyone gets the production version)",
  tag: "Experiments",
  permission: "experiments:write",
  params: keyParams,
  response: experimentSchema,
});

export const exposureSummarySchema = z.object({
  experimentKey: z.string(),
  phase: z.number().int(),
  totalUsers: z.number().int(),
  multipleExposures: z.number().int(),
  variants: z.array(z.object({ key: z.string(), users: z.number().int() })),
  daily: z.array(z.object({ date: z.string(), variant: z.string(), newUsers: z.number().int() })),
});

export const getExposures = endpoint({
  method: "GET",
  path: "/api/v1/experiments/{key}/exposures",
  summary: "Exposed users per variant and per day of the current phase, and multiple exposures",
  tag: "Experiments",
  permission: "read",
  params: keyParams,
  response: exposureSummarySchema,
});

export const getResults = endpoint({
  method: "GET",
  path: "/api/v1/experiments/{key}/results",
  summary:
    "Per-variant metric, lift with intervals (delta method on per-user sums), p-value or chance to win, SRM, guardrails, " +
    "daily series, segments",
  tag: "Results",
  permission: "read",
  params: keyParams,
  query: resultsQuerySchema,
  response: resultsSchema,
});

export const getScorecard = endpoint({
  method: "GET",
  path: "/api/v1/experiments/{key}/scorecard",
  summary: "Every metric at once (primary, secondary, guardrails), each as its /results answer, with MDE, users needed and days remaining",
  description:
    "The results query parameters except `metric`. Each variant's `pValue` tests the relative lift (consistent with `lift.ciRelative`), " +
    "`lift.pValueAbsolute` the absolute change (consistent with `lift.ciAbsolute`); guardrail rows add a one-sided test for harm. " +
    "With format=csv the answer is text/csv, one line per metric and variant.",
  tag: "Results",
  permission: "read",
  params: keyParams,
  query: scorecardQuerySchema,
  response: scorecardSchema,
});
