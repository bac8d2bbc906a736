"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export const VARIANT_COLORS = ["#64748b", "#4f46e5", "#0ea5e9", "#f59e0b", "#10b981", "#ec4899"];

export function ExposureChart({ daily, variants }: { daily: { date: string; variant: string; newUsers: number }[]; variants: string[] }) {
  const byDate = new Map<string, Record<string, number | string>>();
  for (const row of daily) {
    const entry = byDate.get(row.date) ?? { date: row.date };
    entry[row.variant] = row.newUsers;
    byDate.set(row.date, entry);
  }
  return (
    <div style={{ width: "100%", height: 240 }}>
      <ResponsiveContainer>
        <BarChart data={[...byDate.values()]}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="date" fontSize={12} />
          <YAxis fontSize={12} allowDecimals={false} />
          <Tooltip />
          <Legend />
          {variants.map((v, i) => (
            <Bar
              key={v}
              dataKey={v}
              stackId="users"
              fill={VARIANT_COLORS[i % VARIANT_COLORS.length]}
              maxBarSize={48}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
