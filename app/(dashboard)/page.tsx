"use client";

import { useHealth } from "@/lib/client/hooks";

function StoreCard({ title, ok, lines, error }: { title: string; ok: boolean | undefined; lines: string[]; error?: string }) {
  const state = ok === undefined ? "loading" : ok ? "ok" : "down";
  return (
    <section className={`card store-card ${state}`} data-testid={`store-${title.toLowerCase().replace(/\W+/g, "-")}`} data-state={state}>
      <header>
        <span className={`dot ${state}`} aria-hidden />
        <h3>{title}</h3>
        <span className="badge">{state === "loading" ? "checking…" : ok ? "healthy" : "unreachable"}</span>
      </header>
      {lines.map((line) => (
        <p key={line} className="muted">
          {line}
        </p>
      ))}
      {error ? <pre className="error-text">{error}</pre> : null}
    </section>
  );
}

export default function OverviewPage() {
  const { data, isLoading, dataUpdatedAt } = useHealth();
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Overview</h1>
          <p className="muted">The two stores Echo runs on. Rechecked every 15 seconds.</p>
        </div>
        {dataUpdatedAt ? <span className="muted small">checked {new Date(dataUpdatedAt).toLocaleTimeString()}</span> : null}
      </header>
      <div className="grid two">
        <StoreCard
          title="Event store"
          ok={isLoading ? undefined : data?.clickhouse.ok}
          lines={[
            `ClickHouse ${data?.clickhouse.version ?? ""}`.trim(),
            data?.clickhouse.engine === "server" ? "ClickHouse server (CLICKHOUSE_URL)" : "Embedded chDB (in-process)",
          ]}
          error={data?.clickhouse.error}
        />
        <StoreCard
          title="Metadata database"
          ok={isLoading ? undefined : data?.database.ok}
          lines={[
            data?.database.engine === "postgresql" ? "PostgreSQL server (DATABASE_URL)" : "Embedded PGlite (PostgreSQL in WASM)",
            "Experiments, model versions, keys, audit log",
          ]}
          error={data?.database.error}
        />
      </div>
    </div>
  );
}
