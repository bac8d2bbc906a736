"use client";

import { notFound, useParams } from "next/navigation";
import { ErrorNote } from "@/app/components/ErrorNote";
import { dateTime, integer, percent } from "@/app/components/format";
import { StatusBadge } from "@/app/components/StatusBadge";
import { ApiRequestError, apiFetch } from "@/lib/client/api";
import { prefetchScorecard, useApiMutation, useCan, useExperiment, useExposures, type ExperimentView } from "@/lib/client/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { Suspense, useEffect, useState } from "react";
import { ExposureChart } from "./ExposureChart";
import { Results, scorecardParams } from "./ResultsPanel";
import { SampleStrip } from "./SampleStrip";
import { ShipActions } from "./ShipDialog";
import { afterNextPaint } from "./useAfterPaint";

function Actions({ experiment }: { experiment: ExperimentView }) {
  const canWrite = useCan("experiments:write");
  const key = experiment.key;
  const invalidate = [["experiments"], ["experiments", key]];
  const start = useApiMutation(() => apiFetch<ExperimentView>(`/api/v1/experiments/${key}/start`, { method: "POST" }), invalidate);
  const stop = useApiMutation(() => apiFetch<ExperimentView>(`/api/v1/experiments/${key}/stop`, { method: "POST" }), invalidate);
  if (!canWrite) return null;
  return (
    <div className="row">
      {experiment.status !== "running" ? (
        <button className="button primary" onClick={() => start.mutate(undefined)} disabled={start.isPending}>
          {experiment.status === "stopped" ? "Restart" : "Start experiment"}
        </button>
      ) : (
        <button
          className="button danger"
          onClick={() => window.confirm("Stop the experiment? Every user will get the production version.") && stop.mutate(undefined)}
          disabled={stop.isPending}
        >
          Stop experiment
        </button>
      )}
      <ErrorNote error={start.error ?? stop.error} />
    </div>
  );
}

/** The page's frame while the experiment loads: header, stat cards and the scorecard's place, so nothing jumps. */
function PageSkeleton() {
  return (
    <div className="page" aria-busy="true">
      <header className="page-header">
        <div style={{ width: 420 }}>
          <span className="skeleton" style={{ height: 28, width: 260 }} />
          <p>
            <span className="skeleton inline" style={{ width: 72, height: 12 }} />
          </p>
        </div>
      </header>
      <div className="grid three">
        {[0, 1, 2].map((k) => (
          <div key={k} className="card stat">
            <span className="skeleton" style={{ height: 48 }} />
          </div>
        ))}
      </div>
      <section className="card">
        <span className="skeleton" style={{ height: 420 }} />
      </section>
    </div>
  );
}

export default function ExperimentPage() {
  const { key } = useParams<{ key: string }>();
  const experiment = useExperiment(key);
  // The scorecard does not need the experiment: its request starts beside the experiment's, not after it.
  // The engine has two cores: the exposure counts and the samples below wait until it has answered, so
  // they do not slow down what the page is read for first (nor its first paint of the answer).
  const queryClient = useQueryClient();
  const [scorecardSettled, setScorecardSettled] = useState(false);
  useEffect(() => {
    let current = true;
    void prefetchScorecard(queryClient, key, scorecardParams(new URLSearchParams(window.location.search)))
      .then(afterNextPaint)
      .then(() => current && setScorecardSettled(true));
    return () => {
      current = false;
    };
  }, [queryClient, key]);
  const exposures = useExposures(key, { enabled: scorecardSettled });
  const e = experiment.data;
  if (experiment.error instanceof ApiRequestError && experiment.error.status === 404) notFound();
  if (experiment.error) return <ErrorNote error={experiment.error} />;
  if (!e) return <PageSkeleton />;
  const usersByVariant = new Map(exposures.data?.variants.map((v) => [v.key, v.users]));
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <div className="row">
            <h1>{e.name}</h1>
            <StatusBadge status={e.status} />
          </div>
          <p className="muted">
            <code>{e.key}</code> · phase {e.phase} · started {dateTime(e.startedAt)}
            {e.stoppedAt ? ` · stopped ${dateTime(e.stoppedAt)}` : ""}
          </p>
          {e.hypothesis ? <p>{e.hypothesis}</p> : null}
        </div>
        <div className="row">
          <Actions experiment={e} />
          <ShipActions experiment={e} />
        </div>
      </header>

      <div className="grid three">
        <div className="card stat">
          <span className="label">Exposed users</span>
          <span className="value" data-testid="exposed-users">
            {exposures.data ? integer(exposures.data.totalUsers) : <span className="skeleton inline" style={{ width: 72, height: 12 }} />}
          </span>
        </div>
        <div className="card stat">
          <span className="label">Coverage</span>
          <span className="value">{percent(e.coverage, 0)}</span>
        </div>
        <div className="card stat">
          <span className="label">Users in several variants</span>
          <span className="value">
            {exposures.data ? (
              integer(exposures.data.multipleExposures)
            ) : (
              <span className="skeleton inline" style={{ width: 72, height: 12 }} />
            )}
          </span>
        </div>
      </div>

      {e.status !== "draft" ? (
        <Suspense>
          <Results experiment={e} />
        </Suspense>
      ) : null}
      {e.status !== "draft" && scorecardSettled ? <SampleStrip experiment={e} /> : null}

      <section className="card">
        <h3>Variants</h3>
        <table className="table" data-testid="variants">
          <thead>
            <tr>
              <th>Variant</th>
              <th>Model version</th>
              <th className="num">Weight</th>
              <th className="num">Exposed users</th>
            </tr>
          </thead>
          <tbody>
            {e.variants.map((v, i) => (
              <tr key={v.key} data-testid={`variant-${v.key}`}>
                <td>
                  <strong>{v.key}</strong> {i === 0 ? <span className="badge">control</span> : null}
                </td>
                <td>
                  <code>{v.modelVersion}</code>
                </td>
                <td className="num">{percent(v.weight, 0)}</td>
                <td className="num" data-testid={`exposed-${v.key}`}>
                  {exposures.data ? (
                    integer(usersByVariant.get(v.key) ?? 0)
                  ) : (
                    <span className="skeleton inline" style={{ width: 72, height: 12 }} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="card">
        <h3>New users exposed per day</h3>
        {!exposures.data ? (
          <div className="skeleton" style={{ height: 240 }} />
        ) : exposures.data.daily.length ? (
          <ExposureChart daily={exposures.data.daily} variants={e.variants.map((v) => v.key)} />
        ) : (
          <p className="empty">No exposures yet.</p>
        )}
      </section>

      <section className="card">
        <h3>Allocation</h3>
        <table className="table">
          <tbody>
            <tr>
              <td>Hash</td>
              <td>
                seed <code>{e.seed}</code>, version {e.hashVersion} (GrowthBook-compatible FNV-1a)
              </td>
            </tr>
            <tr>
              <td>Namespace</td>
              <td>{e.namespace ? `${e.namespace.name} [${e.namespace.start}, ${e.namespace.end})` : "none"}</td>
            </tr>
            <tr>
              <td>Targeting</td>
              <td>
                <code>{e.targeting ? JSON.stringify(e.targeting) : "everyone"}</code>
              </td>
            </tr>
            <tr>
              <td>Guardrails</td>
              <td>{e.guardrailMetrics.join(", ").replace(/_/g, " ") || "none"}</td>
            </tr>
          </tbody>
        </table>
      </section>
    </div>
  );
}
