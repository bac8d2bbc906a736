"use client";

import type { ChangeEvent } from "react";
import { type ResultsFilters } from "./useResultsFilters";

const METHODS: [string, string][] = [
  ["frequentist", "Frequentist"],
  ["sequential", "Sequential"],
  ["bayesian", "Bayesian"],
];

/** How every metric is analysed: method, multiple-comparison correction and CUPED. */
export function ResultFilters({ filters }: { filters: ResultsFilters }) {
  const { params, set } = filters;
  const method = params.method ?? "frequentist";
  const toggleCuped = (e: ChangeEvent<HTMLInputElement>) => set("cuped", e.target.checked ? "true" : undefined);
  return (
    <div className="row" aria-label="Result filters" role="group" style={{ gap: 14, alignItems: "flex-end" }}>
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
        Multiple comparisons
        <select
          aria-label="Correction"
          value={params.correction ?? "none"}
          disabled={method === "bayesian"}
          onChange={(e) => set("correction", e.target.value === "none" ? undefined : e.target.value)}
        >
          <option value="none">None</option>
          <option value="holm">Holm</option>
          <option value="benjamini_hochberg">Benjamini–Hochberg</option>
        </select>
      </label>
      <label style={{ flexDirection: "row", alignItems: "center", gap: 6, marginBottom: 6 }}>
        <input type="checkbox" checked={params.cuped === "true"} onChange={toggleCuped} /> CUPED
      </label>
    </div>
  );
}
