"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ExperimentView } from "@/lib/experiments/schemas";
import type { ModelVersionView } from "@/lib/modelVersions/schemas";
import type { ExposureSummary } from "@/lib/exposures/queries";
import type { ExperimentResults } from "@/lib/results/schema";
import { apiFetch } from "./api";

// React Query hooks over the public HTTP API: one per resource, shared by every page.

export interface Health {
  clickhouse: { ok: boolean; engine: "chdb" | "server"; version: string | null; error?: string };
  database: { ok: boolean; engine?: "pglite" | "postgresql"; error?: string };
}

export function useHealth() {
  return useQuery({
    queryKey: ["health"],
    // 503 still carries the health body: read it instead of treating it as a failure.
    queryFn: async () => {
      const response = await fetch("/api/health", { cache: "no-store" });
      return (await response.json()) as Health;
    },
    refetchInterval: 15_000,
  });
}

// ---------------------------------------------------------------- experiments and model versions

export type { ExperimentResults, ExperimentView, ModelVersionView };

export interface Me {
  email: string | null;
  role: string | null;
  permissions: string[];
}

export function useMe() {
  return useQuery({ queryKey: ["me"], queryFn: () => apiFetch<Me>("/api/auth/me"), staleTime: 60_000 });
}

export function useCan(permission: string): boolean {
  return useMe().data?.permissions.includes(permission) ?? false;
}

export function useExperiments() {
  return useQuery({ queryKey: ["experiments"], queryFn: () => apiFetch<{ items: ExperimentView[] }>("/api/v1/experiments") });
}

export function useExperiment(key: string) {
  return useQuery({
    queryKey: ["experiments", key],
    queryFn: () => apiFetch<ExperimentView>(`/api/v1/experiments/${encodeURIComponent(key)}`),
  });
}

export function useExposures(key: string) {
  return useQuery({
    queryKey: ["experiments", key, "exposures"],
    queryFn: () => apiFetch<ExposureSummary>(`/api/v1/experiments/${encodeURIComponent(key)}/exposures`),
    refetchInterval: 5_000,
  });
}

export function useModelVersions() {
  return useQuery({ queryKey: ["model-versions"], queryFn: () => apiFetch<{ items: ModelVersionView[] }>("/api/v1/model-versions") });
}

/** A write through the API that refreshes the listed queries afterwards. */
export function useApiMutation<Input, Output>(request: (input: Input) => Promise<Output>, invalidate: string[][]) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSuccess: async () => {
      await Promise.all(invalidate.map((queryKey) => client.invalidateQueries({ queryKey })));
    },
  });
}

// ---------------------------------------------------------------- results

export function useResults(key: string, params: Record<string, string | undefined>) {
  const search = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1]));
  return useQuery({
    queryKey: ["experiments", key, "results", search.toString()],
    queryFn: () => apiFetch<ExperimentResults>(`/api/v1/experiments/${encodeURIComponent(key)}/results?${search}`),
    refetchInterval: 30_000,
    placeholderData: (previous) => previous,
  });
}
