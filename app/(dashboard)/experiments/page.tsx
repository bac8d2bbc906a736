"use client";

import Link from "next/link";
import { ErrorNote } from "@/app/components/ErrorNote";
import { daysSince, percent } from "@/app/components/format";
import { StatusBadge } from "@/app/components/StatusBadge";
import { useCan, useExperiments } from "@/lib/client/hooks";

export default function ExperimentsPage() {
  const { data, isLoading, error } = useExperiments();
  const canWrite = useCan("experiments:write");
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
                <th className="num">Coverage</th>
                <th className="num">Days running</th>
                <th>Primary metric</th>
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
                  <td>{e.variants.map((v) => `${v.key} (${v.modelVersion}, ${percent(v.weight, 0)})`).join(" · ")}</td>
                  <td className="num">{percent(e.coverage, 0)}</td>
                  <td className="num">{e.status === "draft" ? "—" : (daysSince(e.startedAt) ?? "—")}</td>
                  <td>{e.primaryMetric.replace(/_/g, " ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </div>
  );
}
