"use client";

import { useQuery } from "@tanstack/react-query";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { percent } from "@/app/components/format";
import { apiFetch } from "@/lib/client/api";
import { METRICS, type MetricKey } from "@/lib/metrics/registry";
import { VARIANT_COLORS } from "../experiments/[key]/ExposureChart";

interface Trend {
  items: { date: string; modelVersion: string; acceptanceRate: number | null; generationRate: number | null; users: number }[];
}

type TrendField = "acceptanceRate" | "generationRate";

/** The trends answer's fields, each the daily value of a registry metric. */
const TREND_METRICS: { field: TrendField; metric: MetricKey }[] = [
  { field: "acceptanceRate", metric: "acceptance_rate" },
  { field: "generationRate", metric: "generation_rate" },
];

function Chart({ data, versions, field, metric }: { data: Trend["items"]; versions: string[]; field: TrendField; metric: MetricKey }) {
  const title = `${METRICS[metric].label} by model version (all traffic)`;
  const byDate = new Map<string, Record<string, string | number | null>>();
  for (const row of data) {
    const entry = byDate.get(row.date) ?? { date: row.date };
    entry[row.modelVersion] = row[field];
    byDate.set(row.date, entry);
  }
  return (
    <section className="card">
      <h3>{title}</h3>
      <div style={{ height: 240 }}>
        <ResponsiveContainer>
          <LineChart data={[...byDate.values()]}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="date" fontSize={11} />
            <YAxis fontSize={11} tickFormatter={(v: number) => percent(v, 0)} domain={["auto", "auto"]} />
            <Tooltip formatter={(v) => (typeof v === "number" ? percent(v, 1) : String(v))} />
            <Legend />
            {versions.map((v, i) => (
              <Line
                key={v}
                dataKey={v}
                stroke={VARIANT_COLORS[i % VARIANT_COLORS.length]}
                strokeWidth={2}
                dot={false}
                connectNulls
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}

/** Acceptance and generation rate per model version over time, across all traffic. */
export function VersionTrends() {
  const { data } = useQuery({
    queryKey: ["metrics", "model-versions"],
    queryFn: () => apiFetch<Trend>("/api/v1/metrics/model-versions"),
    refetchInterval: 60_000,
  });
  if (!data || !data.items.length) return null;
  const versions = [...new Set(data.items.map((r) => r.modelVersion))];
  return (
    <div className="grid two" data-testid="version-trends">
      {TREND_METRICS.map(({ field, metric }) => (
        <Chart key={field} data={data.items} versions={versions} field={field} metric={metric} />
      ))}
    </div>
  );
}
