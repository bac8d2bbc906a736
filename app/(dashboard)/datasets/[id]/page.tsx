"use client";

import Link from "next/link";
import { notFound, useParams } from "next/navigation";
import type { ReactNode } from "react";
import { ErrorNote } from "@/app/components/ErrorNote";
import { Skeleton } from "@/app/components/Skeleton";
import { ApiRequestError } from "@/lib/client/api";
import { dateTime, integer, percent } from "@/app/components/format";
import { StatusBadge } from "@/app/components/StatusBadge";
import { useDataset, type DatasetView } from "@/lib/client/hooks";
import { labelText, OUTCOMES, type Label, type Outcome } from "../../refinements/present";
import { browserHrefOf, downloadHref, FilterChips } from "../present";
import { DownloadLink } from "./DownloadLink";

function Tally({ title, rows }: { title: string; rows: { key: string; label: ReactNode; count: number }[] }) {
  return (
    <section className="card">
      <h3>{title}</h3>
      {rows.length ? (
        <table className="table">
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <td>{row.label}</td>
                <td className="num">{integer(row.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">—</p>
      )}
    </section>
  );
}

function Manifest({ dataset }: { dataset: DatasetView }) {
  const m = dataset.manifest;
  if (!m) return <p className="muted">The manifest is written once the dataset is frozen.</p>;
  return (
    <div className="grid three" data-testid="manifest">
      <Tally
        title="Outcomes"
        rows={m.outcomes.map((o) => ({ key: o.outcome, label: OUTCOMES[o.outcome as Outcome]?.label ?? o.outcome, count: o.count }))}
      />
      <Tally
        title="Labels"
        rows={m.labels.map((l) => ({
          key: l.label,
          label: l.label === "unlabeled" ? "Unlabeled" : labelText(l.label as Label),
          count: l.count,
        }))}
      />
      <Tally title="Languages" rows={m.languages.map((l) => ({ key: l.language, label: l.language || "unknown", count: l.count }))} />
      <Tally
        title="Experiments"
        rows={m.experiments.map((e) => ({
          key: `${e.experimentKey}/${e.variantKey}`,
          label: e.experimentKey ? (
            <>
              <Link href={`/experiments/${e.experimentKey}`}>{e.experimentKey}</Link> / {e.variantKey}
            </>
          ) : (
            <span className="muted">outside experiments</span>
          ),
          count: e.count,
        }))}
      />
      <Tally
        title="Model versions"
        rows={m.modelVersions.map((v) => ({ key: v.modelVersion, label: <code>{v.modelVersion}</code>, count: v.count }))}
      />
    </div>
  );
}

/** The manifest's layout while it loads: the header, the numbers and the tables as bars. */
function DatasetSkeleton() {
  return (
    <div className="page" aria-busy="true">
      <Skeleton width={320} height={28} />
      <Skeleton width={480} />
      <div className="grid three">
        {[0, 1, 2].map((i) => (
          <Skeleton key={i} height={72} />
        ))}
      </div>
      <Skeleton height={240} />
    </div>
  );
}

export default function DatasetPage() {
  const { id } = useParams<{ id: string }>();
  const { data: d, error } = useDataset(id);
  if (error instanceof ApiRequestError && error.status === 404) notFound();
  if (error) return <ErrorNote error={error} />;
  if (!d) return <DatasetSkeleton />;
  const ready = d.status === "ready";
  return (
    <div className="page" data-testid="dataset">
      <header className="page-header">
        <div>
          <div className="row">
            <h1>{d.name}</h1>
            <span className={`badge ${ready ? "good" : "warn"}`} data-testid="dataset-status">
              {d.status}
            </span>
          </div>
          <p className="muted">
            <code>{d.id}</code> · {d.format}
            {d.fim ? ` (${d.fim.prefixToken} ${d.fim.suffixToken} ${d.fim.middleToken})` : ""} · created {dateTime(d.createdAt)} by{" "}
            {d.createdBy}
          </p>
        </div>
        <Link href="/datasets">All datasets</Link>
      </header>

      <div className="grid three">
        <div className="card stat">
          <span className="label">Samples</span>
          <span className="value" data-testid="dataset-samples">
            {integer(d.sampleCount)}
          </span>
        </div>
        <div className="card stat">
          <span className="label">Train</span>
          <span className="value">{integer(d.trainCount)}</span>
        </div>
        <div className="card stat">
          <span className="label">Validation ({percent(d.validationShare, 0)})</span>
          <span className="value">{integer(d.validationCount)}</span>
        </div>
      </div>

      <section className="card">
        <h3>Download</h3>
        {ready ? (
          <>
            <div className="row">
              <DownloadLink href={downloadHref(d.id)} lines={d.sampleCount} primary testId="download-all">
                All {integer(d.sampleCount)} lines
              </DownloadLink>
              <DownloadLink href={downloadHref(d.id, "train")} lines={d.trainCount}>
                Train
              </DownloadLink>
              <DownloadLink href={downloadHref(d.id, "validation")} lines={d.validationCount}>
                Validation
              </DownloadLink>
            </div>
            <p className="muted small">
              One JSON line per sample (application/x-ndjson), always the same bytes: SHA-256{" "}
              <code data-testid="content-hash">{d.contentHash}</code>
            </p>
          </>
        ) : (
          <p className="muted">Being frozen…</p>
        )}
      </section>

      <section className="card">
        <h3>Filter</h3>
        <div className="row">
          <FilterChips filter={d.filter} />
          <span className="spacer" />
          <Link href={browserHrefOf(d.filter)}>Samples in the browser →</Link>
        </div>
      </section>

      <Manifest dataset={d} />

      <section className="card">
        <h3>Lineage</h3>
        {d.trainedModelVersions.length ? (
          <table className="table" data-testid="dataset-lineage">
            <thead>
              <tr>
                <th>Model version trained on it</th>
                <th>Status</th>
                <th>Experiments</th>
              </tr>
            </thead>
            <tbody>
              {d.trainedModelVersions.map((v) => (
                <tr key={v.key}>
                  <td>
                    <code>{v.key}</code> {v.name}
                  </td>
                  <td>
                    <StatusBadge status={v.status} />
                  </td>
                  <td>
                    {v.experiments.length ? (
                      v.experiments.map((e) => (
                        <Link key={e.key} href={`/experiments/${e.key}`} style={{ marginRight: 8 }}>
                          {e.key} ({e.variantKey})
                        </Link>
                      ))
                    ) : (
                      <span className="muted small">in no experiment yet</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted small">
            No model version is trained on it yet. Register one with this dataset&apos;s id as “Trained on dataset” on the{" "}
            <Link href="/model-versions">model versions</Link> page.
          </p>
        )}
      </section>
    </div>
  );
}
