"use client";

import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";
import type { ExperimentView } from "@/lib/experiments/schemas";
import type { Trends } from "@/lib/modelVersions/schemas";
import type { Overview } from "@/lib/overview/schemas";
import type { ExperimentResults } from "@/lib/results/schema";
import { apiFetch } from "./api";

// React Query hooks of the landing page and the model-version trends, over the public HTTP API.

export type { Overview, Trends };

export function useOverview(days = 30) {
  return useQuery({
    queryKey: ["overview", days],
    queryFn: () => apiFetch<Overview>(`/api/v1/overview?days=${days}`),
    refetchInterval: 30_000,
  });
}

export interface TrendsParams {
  from?: string;
  to?: string;
  language?: string;
  ide?: string;
  userGroup?: string;
}

/** Trends per model version; while a new filter loads, the previous answer stays (marked as placeholder). */
export function useVersionTrends(params: TrendsParams) {
  const search = new URLSearchParams(
    Object.entries(params)
      .filter((e): e is [string, string] => !!e[1])
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return useQuery({
    queryKey: ["metrics", "model-versions", search.toString()],
    queryFn: () => apiFetch<Trends>(`/api/v1/metrics/model-versions?${search}`),
    refetchInterval: 60_000,
    placeholderData: keepPreviousData,
  });
}

/** Each experiment's results on its primary metric (the same cache entries as the experiment page's default view). */
export function usePrimaryResults(experiments: ExperimentView[]) {
  const results = useQueries({
    queries: experiments.map((e) => ({
      queryKey: ["experiments", e.key, "results", `metric=${e.primaryMetric}`],
      queryFn: () => apiFetch<ExperimentResults>(`/api/v1/experiments/${encodeURIComponent(e.key)}/results?metric=${e.primaryMetric}`),
      staleTime: 30_000,
    })),
  });
  return new Map(experiments.map((e, i) => [e.key, results[i]]));
}
