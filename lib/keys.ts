import { z } from "zod";

/** The key of a model version, an experiment or a variant: what URLs, the SDK and the API name it by. */
export const keySchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(100, "must be at most 100 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "may contain letters, digits, '.', '_' and '-', and must start with a letter or digit");
