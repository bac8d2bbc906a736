"use client";

import Link from "next/link";
import { ErrorNote } from "@/app/components/ErrorNote";
import { ExperimentName } from "@/app/components/ExperimentName";
import { daysSince, integer, percent } from "@/app/components/format";
import { PrimaryLift } from "@/app/components/PrimaryLift";
import { Skeleton, SkeletonRows } from "@/app/components/Skeleton";
import { SrmBadge } from "@/app/components/SrmBadge";
import { StatusBadge } from "@/app/components/StatusBadge";
import { useCan, useExperiments, type ExperimentView } from "@/lib/client/hooks";
import { usePrimaryResults } from "@/lib/client/overview";
import { METRICS } from "@/lib/metrics/registry";

const COLUMNS = ["Experiment", "Status", "Variants", "Days running", "Users", "Primary metric lift"];

export default function ExperimentsPage() {
  const { data, isLoading, error } = useExperiments();
  const canWrite = useCan("experiments:write");
  const started = (data?.items ?? []).filter((e: ExperimentView) => e.status !== "draft");
  const results = usePrimaryResults(started);
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Experiments</h1>
          <p className="muted">Model versions compared on real users, randomized per user.</p>
        </div>
        {canWrite ? (
          <Link className="button primary nowrap" href="/experiments/new">
            New experiment
          </Link>
        ) : null}
      </header>
      <section className="card">
        <ErrorNote error={error} />
        {data && data.items.length === 0 ? (
          <div className="empty" data-testid="experiments-empty">
            <p>No experiments yet.</p>
            <p className="small">
              {canWrite
                ? "Create one to compare a model version against production on real users."
                : "A release manager or an admin creates them; they appear here once created."}
            </p>
          </div>
        ) : null}
        {isLoading || (data && data.items.length > 0) ? (
          <table className="table" data-testid="experiments">
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th key={c} className={c === "Days running" || c === "Users" ? "num" : undefined}>
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            {isLoading ? <SkeletonRows rows={3} columns={COLUMNS.length} /> : null}
            {data ? (
              <tbody>
                {data.items.map((e) => {
                  const result = results.get(e.key);
                  const draft = e.status === "draft";
                  return (
                    <tr key={e.key} data-testid={`experiment-${e.key}`}>
                      <td>
                        <ExperimentName experiment={e} />
                      </td>
                      <td>
                        <StatusBadge status={e.status} />
                      </td>
                      <td>
                        {e.variants.map((v) => (
                          <div key={v.key} className="small nowrap">
                            {v.key} <code>{v.modelVersion}</code> <span className="muted">{percent(v.weight, 0)}</span>
                          </div>
                        ))}
                        {e.coverage < 1 ? <div className="muted small">coverage {percent(e.coverage, 0)}</div> : null}
                      </td>
                      <td className="num">{draft ? <span className="muted small">not started</span> : daysSince(e.startedAt)}</td>
                      <td className="num">
                        {draft ? (
                          <span className="muted small">not started</span>
                        ) : result?.data ? (
                          integer(result.data.health.exposedUsers)
                        ) : result?.error ? (
                          <span className="muted small">unavailable</span>
                        ) : (
                          <Skeleton inline width={48} />
                        )}
                      </td>
                      <td>
                        <div className="muted small">{METRICS[e.primaryMetric].label}</div>
                        {draft ? (
                          <span className="muted small">starts counting when started</span>
                        ) : (
                          <PrimaryLift results={result?.data} failed={!!result?.error} />
                        )}
                        <SrmBadge mismatch={result?.data?.srm.mismatch} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            ) : null}
          </table>
        ) : null}
      </section>
    </div>
  );
}
