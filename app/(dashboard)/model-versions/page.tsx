"use client";

import type { FormEvent } from "react";
import { ErrorNote } from "@/app/components/ErrorNote";
import { dateTime } from "@/app/components/format";
import { StatusBadge } from "@/app/components/StatusBadge";
import { apiFetch } from "@/lib/client/api";
import Link from "next/link";
import { integer } from "@/app/components/format";
import { useApiMutation, useCan, useModelVersions, useRefinementOutcomes, type ModelVersionView } from "@/lib/client/hooks";
import { VersionTrends } from "./VersionTrends";
import { ProductionTimeline, PromoteAction, ReleasePanel } from "./Releases";
import { usePromotions } from "@/lib/client/releases";

function RegisterForm() {
  const create = useApiMutation(
    (body: Record<string, string>) => apiFetch<ModelVersionView>("/api/v1/model-versions", { method: "POST", json: body }),
    [["model-versions"]],
  );
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = Object.fromEntries(new FormData(form)) as Record<string, string>;
    for (const k of Object.keys(data)) if (!data[k]) delete data[k];
    create.mutate(data, { onSuccess: () => form.reset() });
  };
  return (
    <form className="card" onSubmit={submit} aria-label="Register a model version">
      <h3>Register a model version</h3>
      <div className="form-grid">
        <label>
          Key
          <input name="key" placeholder="completion-2026-11" required />
        </label>
        <label>
          Name
          <input name="name" placeholder="November refresh" required />
        </label>
        <label>
          Base model
          <input name="baseModel" placeholder="starcoder2-7b" />
        </label>
        <label>
          Trained on dataset
          <input name="trainedOnDatasetId" placeholder="(optional) dataset id" />
        </label>
      </div>
      <div className="row" style={{ marginTop: 12 }}>
        <button className="button primary" type="submit" disabled={create.isPending}>
          {create.isPending ? "Registering…" : "Register"}
        </button>
        {create.isSuccess ? <span className="muted">Registered {create.data.key}.</span> : null}
      </div>
      <ErrorNote error={create.error} />
    </form>
  );
}

/** How many refinement samples the version's completions produced, as a way into the browser filtered to it. */
function VersionSamples({ version }: { version: ModelVersionView }) {
  const { data } = useRefinementOutcomes({ modelVersion: version.key });
  const kept = data?.outcomes.find((o) => o.outcome === "kept")?.count ?? 0;
  return (
    <Link href={`/refinements?modelVersion=${encodeURIComponent(version.key)}`} data-testid={`samples-${version.key}`}>
      {data ? `${integer(data.total)} samples` : "Samples"}
      {data && data.total ? <span className="muted small"> ({integer(kept)} kept)</span> : null}
    </Link>
  );
}

/** What a version was made from: its base model and the dataset it was trained on. */
function Lineage({ version }: { version: ModelVersionView }) {
  const { baseModel, trainedOnDatasetId } = version.lineage;
  if (!baseModel && !trainedOnDatasetId) return <span className="muted">—</span>;
  return (
    <span className="lineage" data-testid={`lineage-${version.key}`}>
      {baseModel ? <code>{baseModel}</code> : <span className="muted">unknown base</span>}
      {trainedOnDatasetId ? (
        <>
          {" "}
          <span className="muted">+ trained on dataset</span>{" "}
          <Link href={`/datasets/${encodeURIComponent(trainedOnDatasetId)}`}>
            <code>{trainedOnDatasetId}</code>
          </Link>
        </>
      ) : null}
    </span>
  );
}

export default function ModelVersionsPage() {
  const { data, isLoading, error } = useModelVersions();
  const canWrite = useCan("models:write");
  const canPromote = useCan("promote");
  // One ramp at a time: while one runs, the table offers no other promotion.
  const rampActive = usePromotions().data?.items.some((p) => p.status === "running" || p.status === "paused") ?? true;
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Model versions</h1>
          <p className="muted">Every completion model you serve. Exactly one is production: what users outside experiments get.</p>
        </div>
      </header>
      <ReleasePanel />
      <VersionTrends />
      <ProductionTimeline />
      {canWrite ? <RegisterForm /> : null}
      <section className="card">
        <ErrorNote error={error} />
        {isLoading ? <p className="muted">Loading…</p> : null}
        {data && data.items.length === 0 ? (
          <p className="empty">No model versions yet. Register the one you serve today, then promote it to production.</p>
        ) : null}
        {data && data.items.length > 0 ? (
          <table className="table" data-testid="model-versions">
            <thead>
              <tr>
                <th>Key</th>
                <th>Name</th>
                <th>Lineage</th>
                <th>Samples</th>
                <th>Experiments</th>
                <th>Status</th>
                <th>Registered</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((v) => (
                <tr key={v.key} data-testid={`model-version-${v.key}`}>
                  <td>
                    <code>{v.key}</code>
                  </td>
                  <td>{v.name}</td>
                  <td>
                    <Lineage version={v} />
                  </td>
                  <td>
                    <VersionSamples version={v} />
                  </td>
                  <td>
                    {v.experiments.length
                      ? v.experiments.map((e) => (
                          <a key={e.key} href={`/experiments/${e.key}`} style={{ marginRight: 8 }}>
                            {e.key} ({e.variantKey})
                          </a>
                        ))
                      : "—"}
                  </td>
                  <td>
                    <StatusBadge status={v.status} />
                    {canPromote && !rampActive && v.status !== "production" ? (
                      <div style={{ marginTop: 6 }}>
                        <PromoteAction versionKey={v.key} />
                      </div>
                    ) : null}
                  </td>
                  <td className="muted">{dateTime(v.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </div>
  );
}
