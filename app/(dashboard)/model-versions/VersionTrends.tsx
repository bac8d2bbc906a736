"use client";

import { useState } from "react";
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { RATE_DOMAIN } from "@/app/components/charts";
import { ErrorNote } from "@/app/components/ErrorNote";
import { integer, percent } from "@/app/components/format";
import { Skeleton, SkeletonRows } from "@/app/components/Skeleton";
import { StatusBadge } from "@/app/components/StatusBadge";
import { useVersionTrends, type Trends, type TrendsParams } from "@/lib/client/overview";
import { METRICS, type MetricKey } from "@/lib/metrics/registry";
import { DAY_MS } from "@/lib/time";
import { VARIANT_COLORS } from "../experiments/[key]/ExposureChart";

type TrendField = "acceptanceRate" | "generationRate";
type Segment = "language" | "ide" | "userGroup";

/** The trends answer's fields, each the daily value of a registry metric. */
const TREND_METRICS: { field: TrendField; ci: "acceptanceRateCi" | "generationRateCi"; metric: MetricKey }[] = [
  { field: "acceptanceRate", ci: "acceptanceRateCi", metric: "acceptance_rate" },
  { field: "generationRate", ci: "generationRateCi", metric: "generation_rate" },
];
const SEGMENTS: { key: Segment; label: string }[] = [
  { key: "language", label: "Language" },
  { key: "ide", label: "IDE" },
  { key: "userGroup", label: "User group" },
];

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const interval = (ci: [number, number] | null) => (ci ? `${percent(ci[0])} – ${percent(ci[1])}` : null);

function Chart({ trends, versions, metric }: { trends: Trends; versions: string[]; metric: (typeof TREND_METRICS)[number] }) {
  const byDate = new Map<string, Record<string, unknown>>();
  for (const row of trends.items) {
    const entry = byDate.get(row.date) ?? { date: row.date };
    entry[row.modelVersion] = row[metric.field];
    entry[`${row.modelVersion}:ci`] = row[metric.ci];
    entry[`${row.modelVersion}:users`] = row.users;
    byDate.set(row.date, entry);
  }
  return (
    <section className="card" data-testid={`trend-${metric.metric}`}>
      <h3>{METRICS[metric.metric].label} by model version</h3>
      <p className="muted small">per UTC day; shaded: 95% interval over that day&apos;s users</p>
      <div style={{ height: 240 }}>
        <ResponsiveContainer>
          <ComposedChart data={[...byDate.values()]}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="date" fontSize={11} tickFormatter={(d: string) => d.slice(5)} />
            <YAxis fontSize={11} tickFormatter={(v: number) => percent(v, 0)} domain={RATE_DOMAIN} allowDataOverflow width={44} />
            <Tooltip
              formatter={(value, name, item) => {
                if (Array.isArray(value)) return [interval(value as [number, number]), `${String(name)}`];
                const users = (item.payload as Record<string, unknown>)[`${String(name)}:users`];
                return [`${typeof value === "number" ? percent(value) : String(value)} (${integer(users as number)} users)`, name];
              }}
            />
            <Legend />
            {versions.map((v, i) => (
              <Area
                key={`${v}:ci`}
                dataKey={`${v}:ci`}
                name={`${v} 95% interval`}
                stroke="none"
                fill={VARIANT_COLORS[i % VARIANT_COLORS.length]}
                fillOpacity={0.1}
                legendType="none"
                isAnimationActive={false}
                connectNulls
              />
            ))}
            {versions.map((v, i) => (
              <Line
                key={v}
                dataKey={v}
                name={v}
                stroke={VARIANT_COLORS[i % VARIANT_COLORS.length]}
                strokeWidth={2}
                dot={false}
                connectNulls
                isAnimationActive={false}
              />
            ))}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}

function VersionTable({ trends, loading }: { trends: Trends | undefined; loading: boolean }) {
  const columns = ["Model version", "Status", "Users", "Shown", "Acceptance rate", "Generation rate"];
  return (
    <section className="card" data-testid="version-totals">
      <h3>Over the whole range</h3>
      <table className="table">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} className={c === "Users" || c === "Shown" ? "num" : undefined}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        {loading ? <SkeletonRows rows={3} columns={columns.length} /> : null}
        <tbody>
          {trends?.versions.map((v) => (
            <tr key={v.modelVersion} data-testid={`trend-version-${v.modelVersion}`} className={v.hasTraffic ? undefined : "muted"}>
              <td>
                <code>{v.modelVersion}</code>
                <div className="muted small">{v.name ?? "not registered: seen in events only"}</div>
              </td>
              <td>{v.status ? <StatusBadge status={v.status} /> : <span className="muted small">unregistered</span>}</td>
              {v.hasTraffic ? (
                <>
                  <td className="num">{integer(v.users)}</td>
                  <td className="num">{integer(v.shown)}</td>
                  <td className="nowrap">
                    <strong>{percent(v.acceptanceRate)}</strong>{" "}
                    <span className="muted small">{interval(v.acceptanceRateCi) ?? "no interval (fewer than 2 users)"}</span>
                  </td>
                  <td className="nowrap">
                    <strong>{percent(v.generationRate)}</strong>{" "}
                    <span className="muted small">{interval(v.generationRateCi) ?? "no interval (fewer than 2 users)"}</span>
                  </td>
                </>
              ) : (
                <td colSpan={4} className="muted small" data-testid="no-traffic">
                  no traffic in this range{trends.filter.language || trends.filter.ide || trends.filter.userGroup ? " and cohort" : ""}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Acceptance and generation rate per model version over time across all traffic, for a date range and cohort. */
export function VersionTrends() {
  const [from, setFrom] = useState(() => isoDay(Date.now() - 29 * DAY_MS));
  const [to, setTo] = useState(() => isoDay(Date.now()));
  const [segment, setSegment] = useState<Segment | "">("");
  const [value, setValue] = useState("");
  // `to` is a day: the range runs to the end of it.
  const params: TrendsParams = {
    from,
    to: to ? isoDay(Date.parse(to) + DAY_MS) : undefined,
    ...(segment && value ? { [segment]: value } : {}),
  };
  const { data, error, isLoading, isPlaceholderData, isFetching } = useVersionTrends(params);
  const versions = [...new Set(data?.items.map((r) => r.modelVersion))];
  const choices = segment && data ? data.segmentValues[segment] : [];
  return (
    <div className="stack" data-testid="version-trends">
      <div className="card filters" role="group" aria-label="Trend filters">
        <label>
          From
          <input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} aria-label="From" />
        </label>
        <label>
          To
          <input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} aria-label="To" />
        </label>
        <label>
          Segment
          <select
            aria-label="Segment"
            value={segment}
            onChange={(e) => {
              setSegment(e.target.value as Segment | "");
              setValue("");
            }}
          >
            <option value="">All traffic</option>
            {SEGMENTS.map((s) => (
              <option key={s.key} value={s.key}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        {segment ? (
          <label>
            {SEGMENTS.find((s) => s.key === segment)!.label}
            <select aria-label="Cohort" value={value} onChange={(e) => setValue(e.target.value)}>
              <option value="">choose…</option>
              {choices.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <span className="muted small" style={{ marginLeft: "auto" }} data-testid="trend-scope">
          {isFetching && isPlaceholderData
            ? "updating…"
            : segment && !value
              ? `choose a ${SEGMENTS.find((s) => s.key === segment)!.label.toLowerCase()} to filter; showing all traffic`
              : segment
                ? `${SEGMENTS.find((s) => s.key === segment)!.label} ${value} only`
                : "all traffic, in experiments or not"}
        </span>
      </div>
      <ErrorNote error={error} />
      {isLoading ? (
        <div className="grid two">
          <Skeleton height={300} />
          <Skeleton height={300} />
        </div>
      ) : data && data.items.length ? (
        <div className="grid two" style={{ opacity: isPlaceholderData ? 0.6 : 1 }}>
          {TREND_METRICS.map((metric) => (
            <Chart key={metric.field} trends={data} versions={versions} metric={metric} />
          ))}
        </div>
      ) : data ? (
        <p className="card empty" data-testid="trends-empty">
          No completion events between {from} and {to}
          {segment && value ? ` for ${value}` : ""}. Charts appear once the IDE plugin reports suggestions shown.
        </p>
      ) : null}
      <VersionTable trends={data} loading={isLoading} />
    </div>
  );
}
