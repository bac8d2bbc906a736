"use client";

// The dashboard talks to the same HTTP API as the SDK and outside tools; this is its one fetch helper.

export interface ApiErrorBody {
  error: { code: string; message: string; details: { path: string; message: string }[] };
}

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody | null,
  ) {
    super(body?.error.message ?? `Request failed with status ${status}`);
  }
}

export async function apiFetch<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const response = await fetch(path, {
    ...rest,
    credentials: "same-origin",
    headers: { ...(json !== undefined ? { "content-type": "application/json" } : {}), ...rest.headers },
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok && response.status !== 207) {
    if (response.status === 401 && typeof window !== "undefined" && !path.startsWith("/api/auth/session")) {
      // A full reload on purpose: the session ended, so nothing cached on this page is valid any more.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
    }
    throw new ApiRequestError(response.status, body);
  }
  return body as T;
}
