import { z } from "zod";
import { keySchema } from "../../keys";
import {
  pauseSchema,
  productionChangeSchema,
  promotionActionSchema,
  promotionSchema,
  rollbackResultSchema,
  rollbackSchema,
  shipSchema,
  startPromotionSchema,
} from "../../releases/schemas";
import { endpoint } from "../endpoint";
import { errorSchema } from "../errors";

const keyParams = z.strictObject({ key: keySchema });
const idParams = z.strictObject({ id: z.string().trim().min(1).max(100) });
const conflictAnswer = {
  description: "The state does not allow it (another promotion in progress, a failing guardrail, …)",
  schema: errorSchema,
};

export const ship = endpoint({
  method: "POST",
  path: "/api/v1/experiments/{key}/ship",
  summary: "Ship a variant: stops the experiment and starts a promotion of its model version with the decision's evidence",
  description:
    "The evidence (primary metric lift with its interval, guardrails, SRM) is computed and stored on the promotion. A failing guardrail " +
    "or a sample ratio mismatch needs `override.reason` (409 naming the problem otherwise). `steps` as for promotions.",
  tag: "Releases",
  permission: "promote",
  params: keyParams,
  body: shipSchema,
  response: promotionSchema,
  status: 201,
  otherStatuses: { 409: conflictAnswer },
});

export const startPromotion = endpoint({
  method: "POST",
  path: "/api/v1/model-versions/{key}/promotions",
  summary: "Start ramping a model version to production (default steps 5 → 25 → 50 → 100%, a day each)",
  description:
    "Users outside running experiments whose hash under the promotion's seed falls below the step's percent get the version. Each step's " +
    "guardrails (acceptance non-inferiority by 1 pp, latency p95 and show rate not significantly worse, no SRM) must hold " +
    "before the next; " +
    "the last step (100%) makes it production and retires the previous one.",
  tag: "Releases",
  permission: "promote",
  params: keyParams,
  body: startPromotionSchema,
  response: promotionSchema,
  status: 201,
  otherStatuses: { 409: conflictAnswer },
});

export const listPromotions = endpoint({
  method: "GET",
  path: "/api/v1/promotions",
  summary: "Promotions, newest first (the latest 100)",
  tag: "Releases",
  permission: "read",
  response: z.object({ items: z.array(promotionSchema) }),
});

export const getPromotion = endpoint({
  method: "GET",
  path: "/api/v1/promotions/{id}",
  summary: "One promotion with its steps, current step and latest guardrail evaluation",
  tag: "Releases",
  permission: "read",
  params: idParams,
  response: promotionSchema,
});

export const advancePromotion = endpoint({
  method: "POST",
  path: "/api/v1/promotions/{id}/advance",
  summary: "Advance to the next step now; a failing guardrail pauses the ramp instead (409 naming it)",
  tag: "Releases",
  permission: "promote",
  params: idParams,
  body: promotionActionSchema,
  response: promotionSchema,
  otherStatuses: { 409: conflictAnswer },
});

export const pausePromotion = endpoint({
  method: "POST",
  path: "/api/v1/promotions/{id}/pause",
  summary: "Hold the ramp at its current step (its users keep the version)",
  tag: "Releases",
  permission: "promote",
  params: idParams,
  body: pauseSchema,
  response: promotionSchema,
  otherStatuses: { 409: conflictAnswer },
});

export const overridePromotion = endpoint({
  method: "POST",
  path: "/api/v1/promotions/{id}/override",
  summary: "Admin: advance to the next step despite failing guardrails, with a written reason",
  tag: "Releases",
  permission: "admin",
  params: idParams,
  body: promotionActionSchema,
  response: promotionSchema,
  otherStatuses: { 409: conflictAnswer },
});

export const rollback = endpoint({
  method: "POST",
  path: "/api/v1/rollback",
  summary: "Roll back: end the ramp in progress, or restore the previous production version; on every instance within seconds",
  tag: "Releases",
  permission: "promote",
  body: rollbackSchema,
  response: rollbackResultSchema,
  otherStatuses: { 422: { description: "Nothing to roll back to", schema: errorSchema } },
});

export const productionTimeline = endpoint({
  method: "GET",
  path: "/api/v1/production-timeline",
  summary: "Which version served production when, and why it changed (promotions, rollbacks, direct changes), newest first",
  tag: "Releases",
  permission: "read",
  response: z.object({ items: z.array(productionChangeSchema) }),
});
