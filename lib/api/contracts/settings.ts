import { z } from "zod";
import { endpoint } from "../endpoint";

const settingsSchema = z.object({
  collectSamples: z
    .boolean()
    .describe("Refinement samples are collected; off: no new samples, and code of later refined events is not kept"),
});

export const getSettings = endpoint({
  method: "GET",
  path: "/api/v1/settings",
  summary: "The project's settings",
  tag: "Settings",
  permission: "read",
  response: settingsSchema,
});

export const updateSettings = endpoint({
  method: "PATCH",
  path: "/api/v1/settings",
  summary: "Change the project's settings (audited)",
  tag: "Settings",
  permission: "admin",
  body: z.strictObject({ collectSamples: z.boolean().optional() }),
  response: settingsSchema,
});
