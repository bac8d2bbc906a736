"use client";

import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { AuditPage } from "@/lib/audit/schemas";
import type { InvitedUser, UserView } from "@/lib/users/schemas";
import type { DeliveryView, WebhookView } from "@/lib/webhooks/schemas";
import { apiFetch } from "./api";
import { useApiMutation } from "./hooks";

// React Query hooks over the audit log, users and the webhook endpoints (the audit, users and settings pages).

export type { AuditPage, DeliveryView, InvitedUser, UserView, WebhookView };
export type AuditFilterParams = Partial<Record<"actor" | "action" | "target" | "from" | "to", string>>;

export function auditSearch(filter: AuditFilterParams): URLSearchParams {
  return new URLSearchParams(
    Object.entries(filter)
      .filter((e): e is [string, string] => !!e[1])
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** Pages of the audit log, newest first, fetched one after another with the answer's cursor. */
export function useAuditPages(filter: AuditFilterParams, pageSize = 50) {
  const search = auditSearch(filter);
  search.set("limit", String(pageSize));
  return useInfiniteQuery({
    queryKey: ["audit", search.toString()],
    queryFn: ({ pageParam }) => {
      const page = new URLSearchParams(search);
      if (pageParam) page.set("cursor", pageParam);
      return apiFetch<AuditPage>(`/api/v1/audit?${page}`);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });
}

export function useUsers() {
  return useQuery({ queryKey: ["users"], queryFn: () => apiFetch<{ items: UserView[] }>("/api/v1/users") });
}

export function useInviteUser() {
  return useApiMutation(
    (body: { email: string; role: string }) => apiFetch<InvitedUser>("/api/v1/users", { method: "POST", json: body }),
    [["users"], ["audit"]],
  );
}

export function useUpdateUser() {
  return useApiMutation(
    ({ id, ...change }: { id: string; role?: string; disabled?: boolean }) =>
      apiFetch<UserView>(`/api/v1/users/${encodeURIComponent(id)}`, { method: "PATCH", json: change }),
    [["users"], ["audit"]],
  );
}

export function useNewSignInLink() {
  return useApiMutation(
    (id: string) => apiFetch<InvitedUser>(`/api/v1/users/${encodeURIComponent(id)}/sign-in-link`, { method: "POST" }),
    [["users"], ["audit"]],
  );
}

export function useWebhook() {
  return useQuery({ queryKey: ["webhook"], queryFn: () => apiFetch<{ webhook: WebhookView | null }>("/api/v1/webhook") });
}

export function useWebhookDeliveries(enabled: boolean) {
  return useQuery({
    queryKey: ["webhook", "deliveries"],
    queryFn: () => apiFetch<{ items: DeliveryView[] }>("/api/v1/webhook/deliveries?limit=20"),
    enabled,
    // Deliveries change in the background (attempts, retries): keep the log current while it is open.
    refetchInterval: 5_000,
  });
}

export function useSaveWebhook() {
  return useApiMutation(
    (body: { url: string; enabled?: boolean }) =>
      apiFetch<WebhookView & { secret?: string }>("/api/v1/webhook", { method: "PUT", json: body }),
    [["webhook"]],
  );
}

export function useRotateWebhookSecret() {
  return useApiMutation(() => apiFetch<WebhookView & { secret: string }>("/api/v1/webhook/secret", { method: "POST" }), [["webhook"]]);
}

export function useDeleteWebhook() {
  return useApiMutation(() => apiFetch<{ ok: true }>("/api/v1/webhook", { method: "DELETE" }), [["webhook"]]);
}

export function useSendTestEvent() {
  return useApiMutation(() => apiFetch<DeliveryView>("/api/v1/webhook/test", { method: "POST" }), [["webhook", "deliveries"]]);
}
