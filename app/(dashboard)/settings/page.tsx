"use client";

import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api";

interface Me {
  email: string | null;
  role: string | null;
  permissions: string[];
}

const permissionLabels: Record<string, string> = {
  ingest: "Send events and read assignments",
  read: "Read experiments, results and model versions",
  "experiments:write": "Create, start and stop experiments",
  "models:write": "Register model versions",
  promote: "Promote and roll back model versions",
  "refinements:label": "Label refinement samples",
  "datasets:write": "Export datasets",
  admin: "Manage users, API keys and settings",
};

export default function SettingsPage() {
  const me = useQuery({ queryKey: ["me"], queryFn: () => apiFetch<Me>("/api/auth/me") });
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Settings</h1>
          <p className="muted">Your account and what your role allows.</p>
        </div>
      </header>
      <section className="card">
        <h3>Your account</h3>
        {me.isLoading ? <p className="muted">Loading…</p> : null}
        {me.data ? (
          <>
            <p>
              <strong>{me.data.email}</strong> · <span className="badge">{me.data.role?.replace("_", " ")}</span>
            </p>
            <table className="table">
              <thead>
                <tr>
                  <th>Permission</th>
                  <th>What it allows</th>
                  <th>You</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(permissionLabels).map(([permission, label]) => (
                  <tr key={permission}>
                    <td>
                      <code>{permission}</code>
                    </td>
                    <td>{label}</td>
                    <td>{me.data.permissions.includes(permission) ? "✓" : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : null}
      </section>
    </div>
  );
}
