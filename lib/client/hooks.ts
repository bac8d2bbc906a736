"use client";

import { useQuery } from "@tanstack/react-query";

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
