"use client";

import Link from "next/link";
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { RATE_DOMAIN } from "@/app/components/charts";
import { ErrorNote } from "@/app/components/ErrorNote";
import { ExperimentName } from "@/app/components/ExperimentName";
import { dateTime, daysSince, integer, percent, timeAgo } from "@/app/components/format";
import { PrimaryLift } from "@/app/components/PrimaryLift";
import { Skeleton, SkeletonRows } from "@/app/components/Skeleton";
import { SrmBadge } from "@/app/components/SrmBadge";
import { StatusBadge } from "@/app/components/StatusBadge";
import { useCan, useExperiments, useHealth } from "@/lib/client/hooks";
import { useOverview, usePrimaryResults, type Overview } from "@/lib/client/overview";
import { METRICS } from "@/lib/metrics/registry";

const TRAFFIC_DAYS = 30;
const SERIES = [
  { key: "acceptanceRate", band: "acceptanceBand", label: METRICS.acceptance_rate.label, color: "#4f46e5" },
  { key: "generationRate", band: "generationBand", label: METRICS.generation_rate.label, color: "#0e9f6e" },
] as const;

/** What a card says when the overview could not be read (the error itself is shown above the cards). */
const Unavailable = () => <span className="value text muted">unavailable</span>;

function ProductionCard({ overview, failed }: { overview: Overview | undefined; failed: boolean }) {
  const production = overview?.production;
  return (
    <section className="card stat" data-testid="production">
      <span className="label">Production model</span>
      {!overview && failed ? (
        <Unavailable />
      ) : !overview ? (
        <>
          <Skeleton width="70%" height={24} />
          <Skeleton width="50%" />
        </>
      ) : production ? (
        <>
          <span className="value text" title={production.key}>
            <code>{production.key}</code>
          </span>
          <span className="detail">{production.name}</span>
          <span className="detail" data-testid="production-since">
            {production.since
              ? `production since ${dateTime(production.since)} (${daysSince(production.since)} days)`
              : "no record of when it became production"}
          </span>
        </>
      ) : (
        <>
          <span className="value text muted">none yet</span>
          <span className="detail">
            Users get no model version until one is production. <Link href="/model-versions">Model versions</Link>
          </span>
        </>
      )}
    </section>
  );
}

function FreshnessCard({ overview, failed }: { overview: Overview | undefined; failed: boolean }) {
  const fresh = overview?.freshness;
  const backlog = fresh?.backlog;
  const state = !backlog ? "loading" : !backlog.writable || backlog.failedAttempts > 0 ? "bad" : backlog.pendingRows > 0 ? "busy" : "ok";
  return (
    <section className="card stat" data-testid="freshness" data-state={state}>
      <span className="label">Data freshness</span>
      {!fresh && failed ? (
        <Unavailable />
      ) : !fresh || !backlog ? (
        <>
          <Skeleton width="60%" height={24} />
          <Skeleton width="80%" />
        </>
      ) : (
        <>
          <span className="value text" data-testid="last-event">
            {fresh.lastStoredAt ? `last event ${timeAgo(fresh.lastStoredAt)}` : "no event received yet"}
          </span>
          <span className="detail">
            {fresh.lastStoredAt
              ? `${integer(fresh.eventsLast24h)} events in the last 24 h · newest event time ${dateTime(fresh.lastEventAt)}`
              : "Events arrive through POST /api/v1/events (the IDE plugin or the SDK)."}
          </span>
          <span className="detail" data-testid="backlog">
            {state === "bad" ? (
              <span className="badge bad" title={backlog.lastError ?? undefined}>
                ingestion failing: {backlog.lastError ?? `${backlog.failedAttempts} failed attempts`}
              </span>
            ) : state === "busy" ? (
              <span className="badge warn">
                {integer(backlog.pendingRows)} rows in {integer(backlog.pendingSegments)} log segments waiting to be stored
              </span>
            ) : (
              <span className="badge good">ingestion backlog empty</span>
            )}
          </span>
        </>
      )}
    </section>
  );
}

function RunningCard({ running, loading }: { running: number; loading: boolean }) {
  return (
    <section className="card stat" data-testid="running-count">
      <span className="label">Running experiments</span>
      {loading ? <Skeleton width={40} height={24} /> : <span className="value">{running}</span>}
      <span className="detail">
        <Link href="/experiments">All experiments</Link>
      </span>
    </section>
  );
}

function RunningExperiments() {
  const { data, isLoading, error } = useExperiments();
  const canWrite = useCan("experiments:write");
  const running = (data?.items ?? []).filter((e) => e.status === "running");
  const results = usePrimaryResults(running);
  const columns = ["Experiment", "Primary metric", "Lift (best treatment)", "Users", "Days", "Status"];
  return (
    <section className="card" data-testid="running-experiments">
      <div className="card-header">
        <h3>Running experiments</h3>
        <span className="muted small">the lift of each experiment&apos;s primary metric, relative to control</span>
      </div>
      <ErrorNote error={error} />
      {data && !running.length ? (
        <p className="empty" data-testid="no-running">
          No experiment is running.{" "}
          {canWrite ? <Link href="/experiments/new">Start one</Link> : "Release managers start them from Experiments."}
        </p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c} className={c === "Users" || c === "Days" ? "num" : undefined}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          {isLoading ? <SkeletonRows rows={2} columns={columns.length} /> : null}
          <tbody>
            {running.map((e) => {
              const result = results.get(e.key);
              return (
                <tr key={e.key} data-testid={`running-${e.key}`}>
                  <td>
                    <ExperimentName experiment={e} />
                  </td>
                  <td className="nowrap">{METRICS[e.primaryMetric].label}</td>
                  <td>
                    <PrimaryLift results={result?.data} failed={!!result?.error} />
                  </td>
                  <td className="num">{result?.data ? integer(result.data.health.exposedUsers) : <Skeleton inline width={48} />}</td>
                  <td className="num">{daysSince(e.startedAt)}</td>
                  <td className="nowrap">
                    <StatusBadge status={e.status} /> <SrmBadge mismatch={result?.data?.srm.mismatch} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function TrafficChart({ overview, failed }: { overview: Overview | undefined; failed: boolean }) {
  const days = overview?.traffic.days ?? [];
  const data = days.map((d) => ({
    date: d.date.slice(5),
    users: d.users,
    acceptanceRate: d.acceptanceRate,
    acceptanceBand: d.acceptanceRateCi,
    generationRate: d.generationRate,
    generationBand: d.generationRateCi,
  }));
  const users = days.reduce((max, d) => Math.max(max, d.users), 0);
  return (
    <section className="card" data-testid="traffic">
      <div className="card-header">
        <h3>Acceptance and generation rate, all traffic</h3>
        <span className="muted small">
          per UTC day over the last {TRAFFIC_DAYS} days, every model version and user; shaded: 95% interval over users
          {users ? ` · up to ${integer(users)} users a day` : ""}
        </span>
      </div>
      <div style={{ height: 260 }}>
        {!overview && failed ? (
          <p className="empty">The traffic could not be read; see the error above.</p>
        ) : !overview ? (
          <Skeleton height={260} />
        ) : !data.length ? (
          <p className="empty" data-testid="no-traffic">
            No completion events in the last {TRAFFIC_DAYS} days. The chart fills in as the IDE plugin reports suggestions shown and
            accepted.
          </p>
        ) : (
          <ResponsiveContainer>
            <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="date" fontSize={11} />
              <YAxis fontSize={11} tickFormatter={(v: number) => percent(v, 0)} domain={RATE_DOMAIN} allowDataOverflow width={48} />
              <Tooltip
                formatter={(value, name) =>
                  Array.isArray(value)
                    ? [`${percent(value[0] as number)} – ${percent(value[1] as number)}`, name]
                    : [typeof value === "number" ? percent(value) : String(value), name]
                }
              />
              <Legend />
              {SERIES.map((s) => (
                <Area
                  key={s.band}
                  dataKey={s.band}
                  name={`${s.label} 95% interval`}
                  stroke="none"
                  fill={s.color}
                  fillOpacity={0.12}
                  isAnimationActive={false}
                  legendType="none"
                />
              ))}
              {SERIES.map((s) => (
                <Line
                  key={s.key}
                  dataKey={s.key}
                  name={s.label}
                  stroke={s.color}
                  strokeWidth={2}
                  dot={false}
                  connectNulls
                  isAnimationActive={false}
                />
              ))}
            </ComposedChart>
          </ResponsiveContainer>
        )}
      </div>
    </section>
  );
}

function StoreCard({ title, ok, lines, error }: { title: string; ok: boolean | undefined; lines: string[]; error?: string }) {
  const state = ok === undefined ? "loading" : ok ? "ok" : "down";
  return (
    <section className={`card store-card ${state}`} data-testid={`store-${title.toLowerCase().replace(/\W+/g, "-")}`} data-state={state}>
      <header>
        <span className={`dot ${state}`} aria-hidden />
        <h3>{title}</h3>
        <span className="badge">{state === "loading" ? "checking…" : ok ? "healthy" : "unreachable"}</span>
      </header>
      {ok === undefined ? (
        <>
          <Skeleton width="40%" style={{ margin: "6px 0" }} />
          <Skeleton width="60%" />
        </>
      ) : (
        lines.map((line) => (
          <p key={line} className="muted">
            {line}
          </p>
        ))
      )}
      {error ? <pre className="error-text">{error}</pre> : null}
    </section>
  );
}

function StoreHealth() {
  const { data, isLoading, dataUpdatedAt } = useHealth();
  return (
    <section className="stack" data-testid="store-health">
      <div className="card-header">
        <h2>Store health</h2>
        {dataUpdatedAt ? <span className="muted small">checked {new Date(dataUpdatedAt).toLocaleTimeString()}, every 15 s</span> : null}
      </div>
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
    </section>
  );
}

export default function OverviewPage() {
  const overview = useOverview(TRAFFIC_DAYS);
  const experiments = useExperiments();
  const running = (experiments.data?.items ?? []).filter((e) => e.status === "running").length;
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Overview</h1>
          <p className="muted">What runs in production, what is being tested, and whether events are arriving.</p>
        </div>
        {overview.dataUpdatedAt ? (
          <span className="muted small">updated {new Date(overview.dataUpdatedAt).toLocaleTimeString()}, every 30 s</span>
        ) : null}
      </header>
      <ErrorNote error={overview.error} />
      <div className="overview-stats">
        <ProductionCard overview={overview.data} failed={overview.isError} />
        <RunningCard running={running} loading={experiments.isLoading} />
        <FreshnessCard overview={overview.data} failed={overview.isError} />
      </div>
      <RunningExperiments />
      <TrafficChart overview={overview.data} failed={overview.isError} />
      <StoreHealth />
    </div>
  );
}
