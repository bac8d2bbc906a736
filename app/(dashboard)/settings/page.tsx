"use client";

import { useQuery } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { ErrorNote } from "@/app/components/ErrorNote";
import { Skeleton, SkeletonRows } from "@/app/components/Skeleton";
import { dateTime } from "@/app/components/format";
import { apiFetch } from "@/lib/client/api";
import { useApiMutation } from "@/lib/client/hooks";
import { WebhookSettings } from "./Webhook";
import { permissionDescriptions, permissions, rolePermissions, roles } from "@/lib/auth/permissions";

interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scope: "ingest" | "admin";
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function ApiKeys() {
  const keys = useQuery({ queryKey: ["api-keys"], queryFn: () => apiFetch<{ items: ApiKey[] }>("/api/v1/api-keys") });
  const create = useApiMutation(
    (body: { name: string; scope: string }) => apiFetch<ApiKey & { key: string }>("/api/v1/api-keys", { method: "POST", json: body }),
    [["api-keys"]],
  );
  const revoke = useApiMutation((id: string) => apiFetch<ApiKey>(`/api/v1/api-keys/${id}/revoke`, { method: "POST" }), [["api-keys"]]);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({ name: String(form.get("name")), scope: String(form.get("scope")) });
  };
  return (
    <section className="card" data-testid="api-keys">
      <h3>API keys</h3>
      <p className="muted small">
        Ingest keys can only send events and read assignments; admin keys can do everything. Only a hash is stored: a key is shown once,
        when it is created.
      </p>
      <form className="row" onSubmit={submit} aria-label="Create an API key" style={{ margin: "10px 0" }}>
        <label>
          Name
          <input name="name" required placeholder="VS Code plugin (prod)" />
        </label>
        <label>
          Scope
          <select name="scope" defaultValue="ingest">
            <option value="ingest">ingest</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <button className="button primary" type="submit" disabled={create.isPending} style={{ marginTop: 18 }}>
          Create key
        </button>
      </form>
      {create.data ? (
        <div className="banner good" role="status">
          New key <strong>{create.data.name}</strong>, copy it now; it will not be shown again:{" "}
          <code data-testid="new-key">{create.data.key}</code>
        </div>
      ) : null}
      <ErrorNote error={create.error ?? revoke.error ?? keys.error} />
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Key</th>
            <th>Scope</th>
            <th>Created</th>
            <th>Last used</th>
            <th />
          </tr>
        </thead>
        {keys.isLoading ? <SkeletonRows rows={2} columns={6} /> : null}
        <tbody>
          {keys.data && !keys.data.items.length ? (
            <tr>
              <td colSpan={6} className="muted">
                No API keys yet: create one for the IDE plugin (ingest) or for scripts (admin).
              </td>
            </tr>
          ) : null}
          {(keys.data?.items ?? []).map((k) => (
            <tr key={k.id} data-testid={`api-key-${k.name}`}>
              <td>{k.name}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>
                <span className={`badge ${k.scope === "admin" ? "warn" : ""}`}>{k.scope}</span>
              </td>
              <td className="muted">{dateTime(k.createdAt)}</td>
              <td className="muted">{k.lastUsedAt ? dateTime(k.lastUsedAt) : "never used"}</td>
              <td>
                {k.revokedAt ? (
                  <span className="badge bad">revoked</span>
                ) : (
                  <button
                    className="button danger"
                    onClick={() =>
                      window.confirm(`Revoke '${k.name}'? Clients using it stop working within 30 seconds.`) && revoke.mutate(k.id)
                    }
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Whether refinement samples are collected (admins change it; everyone sees it). */
function SampleCollection({ canChange }: { canChange: boolean }) {
  const settings = useQuery({ queryKey: ["settings"], queryFn: () => apiFetch<{ collectSamples: boolean }>("/api/v1/settings") });
  const update = useApiMutation(
    (collectSamples: boolean) => apiFetch<{ collectSamples: boolean }>("/api/v1/settings", { method: "PATCH", json: { collectSamples } }),
    [["settings"]],
  );
  const on = settings.data?.collectSamples;
  return (
    <section className="card" data-testid="sample-collection">
      <h3>Refinement samples</h3>
      <p className="muted small">
        When on, each accepted suggestion that users refine becomes a sample for training datasets, with secrets redacted. When off, no new
        samples are made and the code of later refined events is not kept (metrics are unaffected). Users can also opt out one by one
        through <code>POST /api/v1/opt-outs</code>.
      </p>
      {settings.isLoading ? <Skeleton width={220} height={30} /> : null}
      {on !== undefined ? (
        <p>
          Collection is <span className={`badge ${on ? "good" : "warn"}`}>{on ? "on" : "off"}</span>{" "}
          {canChange ? (
            <button
              className="button"
              disabled={update.isPending}
              onClick={() => (!on || window.confirm("Stop collecting refinement samples?")) && update.mutate(!on)}
            >
              {on ? "Turn off" : "Turn on"}
            </button>
          ) : null}
        </p>
      ) : null}
      <ErrorNote error={settings.error ?? update.error} />
    </section>
  );
}

interface Me {
  email: string | null;
  role: string | null;
  permissions: string[];
}

/** Roles and their permissions, straight from the one definition (lib/auth/permissions.ts). */
function RolePermissions({ me }: { me: Me }) {
  return (
    <table className="table" data-testid="role-permissions">
      <thead>
        <tr>
          <th>Permission</th>
          <th>What it allows</th>
          {roles.map((role) => (
            <th key={role}>{role.replace("_", " ")}</th>
          ))}
          <th>You</th>
        </tr>
      </thead>
      <tbody>
        {permissions.map((permission) => (
          <tr key={permission}>
            <td>
              <code>{permission}</code>
            </td>
            <td>{permissionDescriptions[permission]}</td>
            {roles.map((role) => (
              <td key={role}>{rolePermissions[role].includes(permission) ? "✓" : "—"}</td>
            ))}
            <td>
              <strong>{me.permissions.includes(permission) ? "✓" : "—"}</strong>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function SettingsPage() {
  const me = useQuery({ queryKey: ["me"], queryFn: () => apiFetch<Me>("/api/auth/me") });
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Settings</h1>
          <p className="muted">Your account, what your role allows, sample collection, the project&apos;s API keys and webhook.</p>
        </div>
      </header>
      <section className="card">
        <h3>Your account</h3>
        {me.isLoading ? (
          <>
            <Skeleton width={260} height={20} style={{ marginBottom: 12 }} />
            <Skeleton height={220} />
          </>
        ) : null}
        {me.data ? (
          <>
            <p>
              <strong>{me.data.email}</strong> · <span className="badge">{me.data.role?.replace("_", " ")}</span>
            </p>
            <RolePermissions me={me.data} />
          </>
        ) : null}
      </section>
      {me.data ? <SampleCollection canChange={me.data.permissions.includes("admin")} /> : null}
      {me.data?.permissions.includes("admin") ? <ApiKeys /> : null}
      {me.data?.permissions.includes("admin") ? <WebhookSettings /> : null}
    </div>
  );
}
