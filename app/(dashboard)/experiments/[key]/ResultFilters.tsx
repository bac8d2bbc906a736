"use client";

import type { ChangeEvent } from "react";
import { METRIC_KEYS, METRICS } from "@/lib/metrics/registry";
import { DEFAULT_METRIC, type ResultsFilters } from "./useResultsFilters";

const METHODS: [string, string][] = [
  ["frequentist", "Frequentist"],
  ["sequential", "Sequential"],
  ["bayesian", "Bayesian"],
];

/** The results' filters: metric, method, segment attribute, multiple-comparison correction and CUPED. */
export function ResultFilters({ filters, isFetching }: { filters: ResultsFilters; isFetching: boolean }) {
  const { params, set } = filters;
  const method = params.method ?? "frequentist";
  const toggleCuped = (e: ChangeEvent<HTMLInputElement>) => set("cuped", e.target.checked ? "true" : undefined);
  return (
    <section className="card row" aria-label="Result filters" style={{ gap: 14 }}>
      <label>
        Metric
        <select
          aria-label="Metric"
          value={params.metric ?? DEFAULT_METRIC}
          onChange={(e) => set("metric", e.target.value === DEFAULT_METRIC ? undefined : e.target.value)}
        >
          {METRIC_KEYS.map((key) => (
            <option key={key} value={key}>
              {METRICS[key].label}
            </option>
          ))}
        </select>
      </label>
      <div>
        <div style={{ fontWeight: 500, fontSize: 13, marginBottom: 4 }}>Method</div>
        <div className="tabs" role="tablist" aria-label="Method">
          {METHODS.map(([key, label]) => (
            <button
              key={key}
              role="tab"
              aria-selected={method === key}
              className={method === key ? "active" : ""}
              onClick={() => set("method", key === "frequentist" ? undefined : key)}
            >
              {label}
            </button>
          ))}
        </div>
      </div>
      <label>
        Segment
        <select aria-label="Segment" value={params.segment ?? ""} onChange={(e) => set("segment", e.target.value || undefined)}>
          <option value="">All users</option>
          <option value="language">Language</option>
          <option value="ide">IDE</option>
          <option value="userGroup">User group</option>
        </select>
      </label>
      <label>
        Multiple comparisons
        <select
          aria-label="Correction"
          value={params.correction ?? "none"}
          onChange={(e) => set("correction", e.target.value === "none" ? undefined : e.target.value)}
        >
          <option value="none">None</option>
          <option value="holm">Holm</option>
          <option value="benjamini_hochberg">Benjamini–Hochberg</option>
        </select>
      </label>
      <label style={{ flexDirection: "row", alignItems: "center", gap: 6, marginTop: 18 }}>
        <input type="checkbox" checked={params.cuped === "true"} onChange={toggleCuped} /> CUPED
      </label>
      <span className="spacer" />
      {isFetching ? <span className="muted small">updating…</span> : null}
    </section>
  );
}
