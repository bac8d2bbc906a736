"use client";

import { useQueries } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorNote } from "@/app/components/ErrorNote";
import { daysSince, integer, percent, signedPercent } from "@/app/components/format";
import { StatusBadge } from "@/app/components/StatusBadge";
import { apiFetch } from "@/lib/client/api";
import { useCan, useExperiments, type ExperimentResults, type ExperimentView } from "@/lib/client/hooks";

/** The primary metric's lift of the best treatment, with a significance badge. */
function PrimaryLift({ results }: { results: ExperimentResults | undefined }) {
  if (!results) return <span className="muted">…</span>;
  const treatments = results.variants.filter((v) => v.lift);
  if (!treatments.length) {
    return (
      <span className="muted small" title={results.variants.find((v) => v.note)?.note ?? undefined}>
        no outcome data yet
      </span>
    );
  }
  const best = treatments.reduce((a, b) => (b.lift!.relative > a.lift!.relative === results.higherIsBetter ? b : a));
  const better = best.lift!.relative > 0 === results.higherIsBetter;
  return (
    <span className="row" style={{ gap: 6 }}>
      <strong>{signedPercent(best.lift!.relative)}</strong>
      <span className="muted small">{best.key}</span>
      {best.significant ? (
        <span className={`badge ${better ? "good" : "bad"}`}>significant</span>
      ) : (
        <span className="badge">not significant</span>
      )}
    </span>
  );
}

export default function ExperimentsPage() {
  const { data, isLoading, error } = useExperiments();
  const canWrite = useCan("experiments:write");
  const started = (data?.items ?? []).filter((e: ExperimentView) => e.status !== "draft");
  const results = useQueries({
    queries: started.map((e) => ({
      queryKey: ["experiments", e.key, "results", `metric=${e.primaryMetric}`],
      queryFn: () => apiFetch<ExperimentResults>(`/api/v1/experiments/${encodeURIComponent(e.key)}/results?metric=${e.primaryMetric}`),
      staleTime: 30_000,
    })),
  });
  const resultsByKey = new Map(started.map((e, i) => [e.key, results[i]?.data]));
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Experiments</h1>
          <p className="muted">Model versions compared on real users, randomized per user.</p>
        </div>
        {canWrite ? (
          <Link className="button primary" href="/experiments/new">
            New experiment
          </Link>
        ) : null}
      </header>
      <section className="card">
        <ErrorNote error={error} />
        {isLoading ? <p className="muted">Loading…</p> : null}
        {data && data.items.length === 0 ? <p className="empty">No experiments yet.</p> : null}
        {data && data.items.length > 0 ? (
          <table className="table" data-testid="experiments">
            <thead>
              <tr>
                <th>Experiment</th>
                <th>Status</th>
                <th>Variants</th>
                <th className="num">Days running</th>
                <th className="num">Users</th>
                <th>Primary metric lift</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((e) => (
                <tr key={e.key} data-testid={`experiment-${e.key}`}>
                  <td>
                    <Link href={`/experiments/${e.key}`}>
                      <strong>{e.name}</strong>
                    </Link>
                    <div className="muted small">
                      <code>{e.key}</code>
                      {e.phase > 1 ? ` · phase ${e.phase}` : ""}
                    </div>
                  </td>
                  <td>
                    <StatusBadge status={e.status} />
                  </td>
                  <td>
                    {e.variants.map((v) => `${v.key} (${v.modelVersion}, ${percent(v.weight, 0)})`).join(" · ")}
                    {e.coverage < 1 ? <div className="muted small">coverage {percent(e.coverage, 0)}</div> : null}
                  </td>
                  <td className="num">{e.status === "draft" ? "—" : (daysSince(e.startedAt) ?? "—")}</td>
                  <td className="num">{e.status === "draft" ? "—" : integer(resultsByKey.get(e.key)?.health.exposedUsers)}</td>
                  <td>
                    <div className="muted small">{e.primaryMetric.replace(/_/g, " ")}</div>
                    {e.status === "draft" ? "—" : <PrimaryLift results={resultsByKey.get(e.key)} />}
                    {resultsByKey.get(e.key)?.srm.mismatch ? (
                      <span className="badge bad" title="Sample ratio mismatch: see the experiment's health panel">
                        SRM
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </div>
  );
}
