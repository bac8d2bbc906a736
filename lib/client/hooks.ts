"use client";

import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
  type QueryClient,
} from "@tanstack/react-query";
import { useCallback } from "react";
import type { ExperimentView } from "@/lib/experiments/schemas";
import type { ModelVersionView } from "@/lib/modelVersions/schemas";
import type { ExposureSummary } from "@/lib/exposures/queries";
import type { ExperimentResults, Scorecard } from "@/lib/results/schema";
import type { Sample, SampleSummary } from "@/lib/refinements/schemas";
import type { DatasetView } from "@/lib/datasets/schemas";
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

/** `enabled: false` holds the request back (e.g. until a more important one on the page has answered). */
export function useExposures(key: string, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ["experiments", key, "exposures"],
    queryFn: () => apiFetch<ExposureSummary>(`/api/v1/experiments/${encodeURIComponent(key)}/exposures`),
    enabled: options.enabled ?? true,
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
      // A read still in flight may have started before the change: cancelled first, else it would be
      // kept as the refetch (a first load is not refetched while it runs) and show the data without it.
      await Promise.all(invalidate.map((queryKey) => client.cancelQueries({ queryKey })));
      await Promise.all(invalidate.map((queryKey) => client.invalidateQueries({ queryKey })));
    },
  });
}

// ---------------------------------------------------------------- results

/** `enabled: false` holds the request back (e.g. until a more important one on the page has answered). */
export function useResults(key: string, params: Record<string, string | undefined>, options: { enabled?: boolean } = {}) {
  const search = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1]));
  return useQuery({
    queryKey: ["experiments", key, "results", search.toString()],
    queryFn: () => apiFetch<ExperimentResults>(`/api/v1/experiments/${encodeURIComponent(key)}/results?${search}`),
    enabled: options.enabled ?? true,
    refetchInterval: 30_000,
    placeholderData: (previous) => previous,
  });
}

export type { Scorecard };

function scorecardQuery(key: string, params: Record<string, string | undefined>) {
  const search = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1]));
  return {
    queryKey: ["experiments", key, "scorecard", search.toString()],
    queryFn: () => apiFetch<Scorecard>(`/api/v1/experiments/${encodeURIComponent(key)}/scorecard?${search}`),
  };
}

/** Every metric of an experiment at once; the query text (without metric) is also the export links'. */
export function useScorecard(key: string, params: Record<string, string | undefined>) {
  // Fresh for as long as the server would answer the same computation anyway: mounting after a prefetch asks nothing again.
  return useQuery({ ...scorecardQuery(key, params), staleTime: 30_000, refetchInterval: 60_000, placeholderData: (previous) => previous });
}

/** Starts the scorecard's request at once (e.g. beside the experiment's own), for `useScorecard` with the same params to find. */
export function prefetchScorecard(client: QueryClient, key: string, params: Record<string, string | undefined>) {
  return client.prefetchQuery({ ...scorecardQuery(key, params), staleTime: 30_000 });
}

// ---------------------------------------------------------------- refinement samples

export type { Sample, SampleSummary };
export type SampleLabel = NonNullable<Sample["label"]>;
export interface SamplePage {
  items: SampleSummary[];
  nextCursor: string | null;
}
export interface OutcomeCounts {
  total: number;
  outcomes: { outcome: Sample["outcome"]; count: number }[];
}

/** A query string of the set parameters only, in a stable order (so equal filters share a cache entry). */
function searchOf(params: Record<string, string | undefined>): URLSearchParams {
  return new URLSearchParams(
    Object.entries(params)
      .filter((e): e is [string, string] => !!e[1])
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** The browser's list: pages of samples fetched one after the other with the answer's cursor. */
export function useRefinementPages(params: Record<string, string | undefined>, pageSize = 50) {
  const search = searchOf({ ...params, limit: String(pageSize) });
  return useInfiniteQuery({
    queryKey: ["refinements", "pages", search.toString()],
    queryFn: ({ pageParam }) => {
      const page = new URLSearchParams(search);
      if (pageParam) page.set("cursor", pageParam);
      return apiFetch<SamplePage>(`/api/v1/refinements?${page}`);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
    // The pipeline adds samples within seconds of their events: an empty answer is asked again.
    refetchInterval: (query) => (query.state.data?.pages[0]?.items.length ? false : 5_000),
  });
}

/** One page of samples (the experiment's strips): the first `limit` in the given order. */
export function useRefinementList(params: Record<string, string | undefined>) {
  const search = searchOf(params);
  return useQuery({
    queryKey: ["refinements", "list", search.toString()],
    queryFn: () => apiFetch<SamplePage>(`/api/v1/refinements?${search}`),
    refetchInterval: 30_000,
  });
}

/** How many samples a filter selects, per outcome. */
export function useRefinementOutcomes(params: Record<string, string | undefined>) {
  const search = searchOf(params);
  return useQuery({
    queryKey: ["refinements", "outcomes", search.toString()],
    queryFn: () => apiFetch<OutcomeCounts>(`/api/v1/refinements/outcomes?${search}`),
    refetchInterval: 10_000,
    placeholderData: keepPreviousData,
  });
}

const sampleQuery = (suggestionId: string | null) => ({
  queryKey: ["refinements", "one", suggestionId],
  queryFn: () => apiFetch<Sample>(`/api/v1/refinements/${encodeURIComponent(suggestionId!)}`),
});

/** One sample in full; while the next one loads, the previous one stays (marked as placeholder). */
export function useRefinement(suggestionId: string | null) {
  return useQuery({ ...sampleQuery(suggestionId), enabled: !!suggestionId, placeholderData: keepPreviousData });
}

/** Loads a sample ahead of its selection (the next one in the list), so moving through the list does not wait. */
export function usePrefetchRefinement() {
  const client = useQueryClient();
  return useCallback((suggestionId: string) => void client.prefetchQuery(sampleQuery(suggestionId)), [client]);
}

type LabelFields = Pick<Sample, "label" | "labelNote" | "labeledBy" | "labeledAt">;

/** Writes a sample's label fields into every cached list, page and detail that holds it. */
function patchCachedSample(client: QueryClient, suggestionId: string, patch: Partial<LabelFields>) {
  const patchItems = (page: SamplePage): SamplePage => ({
    ...page,
    items: page.items.map((item) => (item.suggestionId === suggestionId ? { ...item, ...patch } : item)),
  });
  client.setQueriesData<InfiniteData<SamplePage>>({ queryKey: ["refinements", "pages"] }, (data) =>
    data ? { ...data, pages: data.pages.map(patchItems) } : data,
  );
  client.setQueriesData<SamplePage>({ queryKey: ["refinements", "list"] }, (data) => (data ? patchItems(data) : data));
  client.setQueryData<Sample>(["refinements", "one", suggestionId], (data) => (data ? { ...data, ...patch } : data));
}

/** Labels a sample: the lists show the new label at once and the server's answer (who, when) afterwards. */
export function useLabelRefinement() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ suggestionId, label, note }: { suggestionId: string; label: SampleLabel; note?: string }) =>
      apiFetch<Sample>(`/api/v1/refinements/${encodeURIComponent(suggestionId)}/label`, {
        method: "POST",
        json: note ? { label, note } : { label },
      }),
    onMutate: async ({ suggestionId, label }) => {
      await client.cancelQueries({ queryKey: ["refinements", "one", suggestionId] });
      patchCachedSample(client, suggestionId, { label });
    },
    onSuccess: (sample) => {
      const { label, labelNote, labeledBy, labeledAt } = sample;
      patchCachedSample(client, sample.suggestionId, { label, labelNote, labeledBy, labeledAt });
    },
    // The optimistic label was wrong: read the truth again.
    onError: () => client.invalidateQueries({ queryKey: ["refinements"] }),
  });
}

// ---------------------------------------------------------------- datasets

export type { DatasetView };

export function useDatasets() {
  return useQuery({ queryKey: ["datasets"], queryFn: () => apiFetch<{ items: DatasetView[] }>("/api/v1/datasets") });
}

export function useDataset(id: string) {
  return useQuery({
    queryKey: ["datasets", id],
    queryFn: () => apiFetch<DatasetView>(`/api/v1/datasets/${encodeURIComponent(id)}`),
    // A dataset is "freezing" only while its creation runs: look again until it is ready.
    refetchInterval: (query) => (query.state.data?.status === "freezing" ? 2_000 : false),
  });
}
