"use client";

import { useQuery } from "@tanstack/react-query";
import type { ProductionChangeView, PromotionView, RampStep, RollbackResult } from "@/lib/releases/schemas";
import { apiFetch } from "./api";
import { useApiMutation } from "./hooks";

// React Query hooks of release management (ship, promotions, rollback, the production timeline) over
// the public HTTP API.

export type { ProductionChangeView, PromotionView, RampStep, RollbackResult };

/** Everything a release changes: promotions, versions' statuses, the timeline, experiments (ship stops one). */
const RELEASE_QUERIES = [["promotions"], ["model-versions"], ["production-timeline"], ["experiments"]];

export function usePromotions() {
  return useQuery({
    queryKey: ["promotions"],
    queryFn: () => apiFetch<{ items: PromotionView[] }>("/api/v1/promotions"),
    // A running ramp advances and refreshes its checks in the background.
    refetchInterval: 5_000,
  });
}

export function useProductionTimeline() {
  return useQuery({
    queryKey: ["production-timeline"],
    queryFn: () => apiFetch<{ items: ProductionChangeView[] }>("/api/v1/production-timeline"),
    refetchInterval: 15_000,
  });
}

export function useStartPromotion() {
  return useApiMutation(
    ({ key, steps, reason }: { key: string; steps: RampStep[]; reason?: string }) =>
      apiFetch<PromotionView>(`/api/v1/model-versions/${encodeURIComponent(key)}/promotions`, { method: "POST", json: { steps, reason } }),
    RELEASE_QUERIES,
  );
}

export function usePromotionAction(kind: "advance" | "pause" | "override") {
  return useApiMutation(
    ({ id, reason }: { id: string; reason: string }) =>
      apiFetch<PromotionView>(`/api/v1/promotions/${encodeURIComponent(id)}/${kind}`, { method: "POST", json: reason ? { reason } : {} }),
    RELEASE_QUERIES,
  );
}

export function useRollback() {
  return useApiMutation(
    (reason: string) => apiFetch<RollbackResult>("/api/v1/rollback", { method: "POST", json: { reason } }),
    RELEASE_QUERIES,
  );
}

export function useShip(experimentKey: string) {
  return useApiMutation(
    (body: { variantKey: string; reason: string; override?: { reason: string } }) =>
      apiFetch<PromotionView>(`/api/v1/experiments/${encodeURIComponent(experimentKey)}/ship`, { method: "POST", json: body }),
    [...RELEASE_QUERIES, ["experiments", experimentKey]],
  );
}
