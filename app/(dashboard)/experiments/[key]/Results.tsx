"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Area, CartesianGrid, ComposedChart, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ErrorNote } from "@/app/components/ErrorNote";
import { integer, percent, pValue, signedPercent } from "@/app/components/format";
import { useResults, type ExperimentResults } from "@/lib/client/hooks";
import { VARIANT_COLORS } from "./ExposureChart";

type Variant = ExperimentResults["variants"][number];

const METRICS: [string, string][] = [
  ["acceptance_rate", "Acceptance rate"],
  ["generation_rate", "Generation rate"],
  ["show_rate", "Show rate"],
  ["retention", "Retention after refinement"],
  ["suggestions_per_user", "Suggestions per user"],
  ["requests_per_user", "Requests per user"],
  ["latency_p95", "Latency p95"],
];
const METHODS: [string, string][] = [
  ["frequentist", "Frequentist"],
  ["sequential", "Sequential"],
  ["bayesian", "Bayesian"],
];

function value(v: number | null | undefined, unit: ExperimentResults["unit"]): string {
  if (v === null || v === undefined) return "—";
  if (unit === "rate") return percent(v, 1);
  if (unit === "ms") return `${Math.round(v)} ms`;
  return v.toFixed(2);
}

/** Filters live in the URL, so a view can be shared as a link. */
function useFilters() {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const get = (name: string) => search.get(name) ?? undefined;
  const set = (name: string, next: string | undefined) => {
    const params = new URLSearchParams(search.toString());
    if (next) params.set(name, next);
    else params.delete(name);
    router.replace(`${pathname}?${params}`, { scroll: false });
  };
  return { get, set };
}

/** The relative lift and its interval as a bar on a shared scale, zero marked. */
function LiftBar({ lift, scale, good }: { lift: NonNullable<Variant["lift"]>; scale: number; good: boolean | null }) {
  const width = 220;
  const x = (v: number) => width / 2 + (Math.max(-scale, Math.min(scale, v)) / scale) * (width / 2 - 6);
  const [lo, hi] = lift.ciRelative;
  const color = good === null ? "#94a3b8" : good ? "#12a150" : "#d92d20";
  return (
    <svg width={width} height={26} role="img" aria-label={`Relative lift ${signedPercent(lift.relative)} (${signedPercent(lo)} to ${signedPercent(hi)})`}>
      <line x1={width / 2} x2={width / 2} y1={2} y2={24} stroke="#cbd5e1" />
      <rect x={x(lo)} y={8} width={Math.max(2, x(hi) - x(lo))} height={10} rx={5} fill={color} opacity={0.25} />
      <circle cx={x(lift.relative)} cy={13} r={4} fill={color} />
    </svg>
  );
}

function verdict(v: Variant, results: ExperimentResults): { label: string; tone: string } {
  if (!v.lift) return { label: v.note ? "not enough data" : "", tone: "" };
  if (!v.significant) return { label: results.method === "bayesian" ? "inconclusive" : "not significant", tone: "" };
  const better = (v.lift.relative > 0) === results.higherIsBetter;
  return { label: better ? "winning" : "losing", tone: better ? "good" : "bad" };
}

function MetricTable({ results }: { results: ExperimentResults }) {
  const scale = Math.max(0.05, ...results.variants.flatMap((v) => (v.lift ? v.lift.ciRelative.map(Math.abs) : [0]))) * 1.1;
  const bayesian = results.method === "bayesian";
  return (
    <table className="table" data-testid="results-table">
      <thead>
        <tr>
          <th>Variant</th>
          <th className="num">Users</th>
          <th className="num">{results.unit === "ms" ? "Events" : "Numerator / denominator"}</th>
          <th className="num">{results.metricLabel}</th>
          <th className="num">Lift</th>
          <th>Interval ({Math.round((1 - results.alpha) * 100)}%)</th>
          <th className="num">{bayesian ? "Chance to win" : results.correction === "none" ? "p-value" : "p (adjusted)"}</th>
          {bayesian ? <th className="num" title="Expected relative lift given up by shipping this variant if it is in fact worse">Risk</th> : null}
          <th />
        </tr>
      </thead>
      <tbody>
        {results.variants.map((v, i) => {
          const tone = verdict(v, results);
          const halfWidth = v.ci && v.rate !== null ? (v.ci[1] - v.ci[0]) / 2 : null;
          return (
            <tr key={v.key} data-testid={`result-${v.key}`}>
              <td>
                <span className="swatch" style={{ background: VARIANT_COLORS[i % VARIANT_COLORS.length] }} /> <strong>{v.key}</strong>
                <div className="muted small">
                  <code>{v.modelVersion}</code>
                </div>
              </td>
              <td className="num">{integer(v.users)}</td>
              <td className="num muted">{results.unit === "ms" ? integer(v.denominator) : `${integer(v.numerator)} / ${integer(v.denominator)}`}</td>
              <td className="num" data-testid={`rate-${v.key}`}>
                {value(v.rate, results.unit)}
                {halfWidth !== null ? <span className="muted small"> ± {value(halfWidth, results.unit)}</span> : null}
              </td>
              <td className="num" data-testid={`lift-${v.key}`}>
                {v.lift ? signedPercent(v.lift.relative) : i === 0 ? "control" : "—"}
              </td>
              <td>
                {v.lift ? (
                  <div className="row" style={{ gap: 6 }}>
                    <LiftBar lift={v.lift} scale={scale} good={v.significant ? (v.lift.relative > 0) === results.higherIsBetter : null} />
                    <span className="muted small">
                      {signedPercent(v.lift.ciRelative[0])} to {signedPercent(v.lift.ciRelative[1])}
                    </span>
                  </div>
                ) : (
                  <span className="muted small">{v.note ?? ""}</span>
                )}
              </td>
              <td className="num" data-testid={`p-${v.key}`}>
                {bayesian ? percent(v.chanceToWin, 1) : pValue(results.correction === "none" ? v.pValue : v.adjustedPValue)}
              </td>
              {bayesian ? <td className="num muted">{v.expectedLoss ? percent(v.expectedLoss.treatment, 2) : "—"}</td> : null}
              <td>{tone.label ? <span className={`badge ${tone.tone}`}>{tone.label}</span> : null}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function SeriesCharts({ results }: { results: ExperimentResults }) {
  const variants = results.variants.map((v) => v.key);
  const byDate = new Map<string, Record<string, number | string | null | [number, number]>>();
  for (const point of results.series) {
    const row = byDate.get(point.date) ?? { date: point.date };
    row[point.variant] = point.rate;
    if (point.cumulativeLift !== null) {
      row[`lift:${point.variant}`] = point.cumulativeLift;
      if (point.ciRelative) row[`band:${point.variant}`] = point.ciRelative;
    }
    byDate.set(point.date, row);
  }
  const data = [...byDate.values()];
  const fmt = (v: number) => (results.unit === "rate" ? percent(v, 0) : v.toFixed(1));
  return (
    <div className="grid two">
      <section className="card">
        <h3>Daily {results.metricLabel.toLowerCase()}</h3>
        <div style={{ height: 240 }}>
          <ResponsiveContainer>
            <LineChart data={data}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="date" fontSize={11} />
              <YAxis fontSize={11} tickFormatter={fmt} domain={["auto", "auto"]} />
              <Tooltip formatter={(v) => (typeof v === "number" ? fmt(v) : String(v))} />
              <Legend />
              {variants.map((v, i) => (
                <Line key={v} dataKey={v} stroke={VARIANT_COLORS[i % VARIANT_COLORS.length]} dot={false} strokeWidth={2} isAnimationActive={false} connectNulls />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      </section>
      <section className="card">
        <h3>Cumulative relative lift vs control</h3>
        <div style={{ height: 240 }}>
          <ResponsiveContainer>
            <ComposedChart data={data}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="date" fontSize={11} />
              <YAxis fontSize={11} tickFormatter={(v: number) => signedPercent(v, 0)} domain={["auto", "auto"]} />
              <Tooltip formatter={(v) => (Array.isArray(v) ? v.map((x) => signedPercent(Number(x))).join(" to ") : typeof v === "number" ? signedPercent(v) : String(v))} />
              <ReferenceLine y={0} stroke="#94a3b8" />
              {variants.slice(1).map((v, i) => (
                <Area key={`band:${v}`} dataKey={`band:${v}`} name={`${v} interval`} stroke="none" fill={VARIANT_COLORS[(i + 1) % VARIANT_COLORS.length]} fillOpacity={0.15} isAnimationActive={false} connectNulls />
              ))}
              {variants.slice(1).map((v, i) => (
                <Line key={`lift:${v}`} dataKey={`lift:${v}`} name={`${v} lift`} stroke={VARIANT_COLORS[(i + 1) % VARIANT_COLORS.length]} strokeWidth={2} dot={false} isAnimationActive={false} connectNulls />
              ))}
            </ComposedChart>
          </ResponsiveContainer>
        </div>
        {results.method === "sequential" ? <p className="muted small">Always-valid intervals: safe to look every day.</p> : <p className="muted small">Fixed-horizon intervals; switch to Sequential if you check daily.</p>}
      </section>
    </div>
  );
}

function Segments({ results }: { results: ExperimentResults }) {
  if (!results.segments) return null;
  return (
    <section className="card">
      <h3>By segment</h3>
      <table className="table" data-testid="segments">
        <thead>
          <tr>
            <th>Segment</th>
            {results.variants.map((v) => (
              <th key={v.key} className="num">
                {v.key}
              </th>
            ))}
            <th className="num">Lift</th>
            <th className="num">{results.method === "bayesian" ? "Chance to win" : "p-value"}</th>
          </tr>
        </thead>
        <tbody>
          {results.segments.map((s) => {
            const treatment = s.variants[1];
            return (
              <tr key={s.value} data-testid={`segment-${s.value}`}>
                <td>
                  <strong>{s.value}</strong>
                </td>
                {s.variants.map((v) => (
                  <td key={v.key} className="num">
                    {value(v.rate, results.unit)} <span className="muted small">({integer(v.users)} users)</span>
                  </td>
                ))}
                <td className="num">{treatment?.lift ? `${signedPercent(treatment.lift.relative)} (${signedPercent(treatment.lift.ciRelative[0])} to ${signedPercent(treatment.lift.ciRelative[1])})` : "—"}</td>
                <td className="num">{results.method === "bayesian" ? percent(treatment?.chanceToWin, 1) : pValue(treatment?.pValue)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted small">Segments split each user&apos;s events by the attribute; a user active in two languages counts in both. Not corrected for multiple comparisons.</p>
    </section>
  );
}

function Health({ results }: { results: ExperimentResults }) {
  return (
    <section className="card" data-testid="health">
      <h3>Health</h3>
      <div className="grid three">
        <div className="stat">
          <span className="label">Sample ratio</span>
          <span className="value" style={{ fontSize: 18 }}>
            {results.srm.mismatch ? <span className="badge bad">mismatch</span> : <span className="badge good">ok</span>} <span className="muted small">p = {pValue(results.srm.pValue)}</span>
          </span>
          <span className="muted small">
            observed {results.srm.observed.map(integer).join(" / ")} · expected {results.srm.expected.map((e) => integer(e)).join(" / ")}
          </span>
        </div>
        <div className="stat">
          <span className="label">Users in several variants</span>
          <span className="value" style={{ fontSize: 18 }}>
            {integer(results.health.multipleExposures)}
          </span>
          <span className="muted small">left out of the analysis</span>
        </div>
        <div className="stat">
          <span className="label">Guardrails</span>
          {results.guardrails.map((g) => (
            <span key={g.metric + g.variant} className="small" data-testid={`guardrail-${g.metric}`}>
              {g.worse ? <span className="badge bad">worse</span> : <span className="badge good">ok</span>} {g.metric.replace(/_/g, " ")} ({g.variant}) {g.relativeChange !== null ? signedPercent(g.relativeChange) : ""}{" "}
              <span className="muted">{g.pValue !== null ? `p = ${pValue(g.adjustedPValue ?? g.pValue)}` : (g.note ?? "")}</span>
            </span>
          ))}
        </div>
      </div>
    </section>
  );
}

export function Results({ experimentKey }: { experimentKey: string }) {
  const filters = useFilters();
  const params = {
    metric: filters.get("metric"),
    method: filters.get("method"),
    segment: filters.get("segment"),
    cuped: filters.get("cuped"),
    correction: filters.get("correction"),
    from: filters.get("from"),
    to: filters.get("to"),
  };
  const { data, error, isLoading, isFetching } = useResults(experimentKey, params);
  return (
    <>
      <section className="card row" aria-label="Result filters" style={{ gap: 14 }}>
        <label>
          Metric
          <select aria-label="Metric" value={params.metric ?? "acceptance_rate"} onChange={(e) => filters.set("metric", e.target.value === "acceptance_rate" ? undefined : e.target.value)}>
            {METRICS.map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <div>
          <div style={{ fontWeight: 500, fontSize: 13, marginBottom: 4 }}>Method</div>
          <div className="tabs" role="tablist" aria-label="Method">
            {METHODS.map(([k, label]) => (
              <button key={k} role="tab" aria-selected={(params.method ?? "frequentist") === k} className={(params.method ?? "frequentist") === k ? "active" : ""} onClick={() => filters.set("method", k === "frequentist" ? undefined : k)}>
                {label}
              </button>
            ))}
          </div>
        </div>
        <label>
          Segment
          <select aria-label="Segment" value={params.segment ?? ""} onChange={(e) => filters.set("segment", e.target.value || undefined)}>
            <option value="">All users</option>
            <option value="language">Language</option>
            <option value="ide">IDE</option>
            <option value="userGroup">User group</option>
          </select>
        </label>
        <label>
          Multiple comparisons
          <select aria-label="Correction" value={params.correction ?? "none"} onChange={(e) => filters.set("correction", e.target.value === "none" ? undefined : e.target.value)}>
            <option value="none">None</option>
            <option value="holm">Holm</option>
            <option value="benjamini_hochberg">Benjamini–Hochberg</option>
          </select>
        </label>
        <label style={{ flexDirection: "row", alignItems: "center", gap: 6, marginTop: 18 }}>
          <input type="checkbox" checked={params.cuped === "true"} onChange={(e) => filters.set("cuped", e.target.checked ? "true" : undefined)} /> CUPED
        </label>
        <span className="spacer" />
        {isFetching ? <span className="muted small">updating…</span> : null}
      </section>

      {error ? <ErrorNote error={error} /> : null}
      {isLoading ? <p className="muted">Computing results…</p> : null}
      {data ? (
        <>
          {data.srm.mismatch ? (
            <div className="banner bad" role="alert" data-testid="srm-banner">
              <strong>Sample ratio mismatch.</strong> The variants received {data.srm.observed.map(integer).join(" / ")} users where the weights expect {data.srm.expected.map((e) => integer(e)).join(" / ")} (χ² p = {pValue(data.srm.pValue)}). Assignment or exposure logging is broken for some users, so these results are not trustworthy until the cause is found.
            </div>
          ) : null}
          <section className="card">
            <div className="row" style={{ justifyContent: "space-between" }}>
              <h3 style={{ margin: 0 }}>{data.metricLabel}</h3>
              <span className="muted small">
                {data.metricFormula} · per-user ratio, delta method{data.cuped ? ` · CUPED (${data.variants.map((v) => (v.cupedVarianceReduction !== null ? `variance −${percent(v.cupedVarianceReduction, 0)}` : "")).filter(Boolean).join(", ")})` : ""}
                {data.correction !== "none" ? ` · ${data.correction === "holm" ? "Holm" : "Benjamini–Hochberg"} adjusted` : " · no multiple-comparison correction"}
              </span>
            </div>
            <MetricTable results={data} />
          </section>
          {data.series.length ? <SeriesCharts results={data} /> : null}
          <Segments results={data} />
          <Health results={data} />
        </>
      ) : null}
    </>
  );
}
