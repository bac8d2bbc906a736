"use client";

import {
  Area,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { percent, signedPercent } from "@/app/components/format";
import type { ExperimentResults } from "@/lib/client/hooks";
import { VARIANT_COLORS } from "./ExposureChart";

type SeriesRow = Record<string, number | string | null | [number, number]>;

/** One row per date: each variant's daily value, and each treatment's cumulative lift and its interval band. */
function seriesRows(results: ExperimentResults): SeriesRow[] {
  const byDate = new Map<string, SeriesRow>();
  for (const point of results.series) {
    const row = byDate.get(point.date) ?? { date: point.date };
    row[point.variant] = point.rate;
    if (point.cumulativeLift !== null) {
      row[`lift:${point.variant}`] = point.cumulativeLift;
      if (point.ciRelative) row[`band:${point.variant}`] = point.ciRelative;
    }
    byDate.set(point.date, row);
  }
  return [...byDate.values()];
}

/** A lift tooltip value: an interval band as "lo to hi", a lift as a signed percentage. */
function formatLift(v: unknown): string {
  if (Array.isArray(v)) return v.map((x) => signedPercent(Number(x))).join(" to ");
  return typeof v === "number" ? signedPercent(v) : String(v);
}

const color = (index: number) => VARIANT_COLORS[index % VARIANT_COLORS.length];

/** The metric per day by variant, and the cumulative relative lift of each treatment with its interval. */
export function SeriesCharts({ results }: { results: ExperimentResults }) {
  const variants = results.variants.map((v) => v.key);
  const treatments = variants.slice(1);
  const data = seriesRows(results);
  const fmt = (v: number) => (results.unit === "rate" ? percent(v, 0) : v.toFixed(1));
  return (
    <div className="grid two">
      <div>
        <h4>Daily {results.metricLabel.toLowerCase()}</h4>
        <div style={{ height: 240 }}>
          <ResponsiveContainer>
            <LineChart data={data}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="date" fontSize={11} />
              <YAxis fontSize={11} tickFormatter={fmt} domain={["auto", "auto"]} />
              <Tooltip formatter={(v) => (typeof v === "number" ? fmt(v) : String(v))} />
              <Legend />
              {variants.map((v, i) => (
                <Line key={v} dataKey={v} stroke={color(i)} dot={false} strokeWidth={2} isAnimationActive={false} connectNulls />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      </div>
      <div>
        <h4>Cumulative relative lift vs control</h4>
        <div style={{ height: 240 }}>
          <ResponsiveContainer>
            <ComposedChart data={data}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="date" fontSize={11} />
              <YAxis fontSize={11} tickFormatter={(v: number) => signedPercent(v, 0)} domain={["auto", "auto"]} />
              <Tooltip formatter={formatLift} />
              <ReferenceLine y={0} stroke="#94a3b8" />
              {treatments.map((v, i) => (
                <Area
                  key={`band:${v}`}
                  dataKey={`band:${v}`}
                  name={`${v} interval`}
                  stroke="none"
                  fill={color(i + 1)}
                  fillOpacity={0.15}
                  isAnimationActive={false}
                  connectNulls
                />
              ))}
              {treatments.map((v, i) => (
                <Line
                  key={`lift:${v}`}
                  dataKey={`lift:${v}`}
                  name={`${v} lift`}
                  stroke={color(i + 1)}
                  strokeWidth={2}
                  dot={false}
                  isAnimationActive={false}
                  connectNulls
                />
              ))}
            </ComposedChart>
          </ResponsiveContainer>
        </div>
        <p className="muted small">
          {results.method === "sequential"
            ? "Always-valid intervals: safe to look every day."
            : results.method === "bayesian"
              ? "Credible intervals of the relative lift (normal posterior), day by day."
              : "Confidence intervals for a single look at the planned sample; switch to Sequential if you check daily."}
          {results.cuped ? " The daily series are not CUPED-adjusted." : ""}
        </p>
      </div>
    </div>
  );
}
