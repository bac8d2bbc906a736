"use client";

import { useQuery } from "@tanstack/react-query";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { percent } from "@/app/components/format";
import { apiFetch } from "@/lib/client/api";
import { VARIANT_COLORS } from "../experiments/[key]/ExposureChart";

interface Trend {
  items: { date: string; modelVersion: string; acceptanceRate: number | null; generationRate: number | null; users: number }[];
}

function Chart({ data, versions, field, title }: { data: Trend["items"]; versions: string[]; field: "acceptanceRate" | "generationRate"; title: string }) {
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
              <Line key={v} dataKey={v} stroke={VARIANT_COLORS[i % VARIANT_COLORS.length]} strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}

/** Acceptance and generation rate per model version over time, across all traffic. */
export function VersionTrends() {
  const { data } = useQuery({ queryKey: ["metrics", "model-versions"], queryFn: () => apiFetch<Trend>("/api/v1/metrics/model-versions"), refetchInterval: 60_000 });
  if (!data || !data.items.length) return null;
  const versions = [...new Set(data.items.map((r) => r.modelVersion))];
  return (
    <div className="grid two" data-testid="version-trends">
      <Chart data={data.items} versions={versions} field="acceptanceRate" title="Acceptance rate by model version (all traffic)" />
      <Chart data={data.items} versions={versions} field="generationRate" title="Generation rate by model version (all traffic)" />
    </div>
  );
}
