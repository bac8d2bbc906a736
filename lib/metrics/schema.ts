import { z } from "zod";
import { METRIC_KEYS } from "./registry";

/** A metric key in a request or an answer: exactly the registry's keys. */
export const metricKeySchema = z.enum(METRIC_KEYS);
