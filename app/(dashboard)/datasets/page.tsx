"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { ErrorNote } from "@/app/components/ErrorNote";
import { Skeleton, SkeletonRows } from "@/app/components/Skeleton";
import { dateTime, integer } from "@/app/components/format";
import { useCan, useDatasets } from "@/lib/client/hooks";
import { SAMPLE_FILTERS, type SampleFilterParams } from "../refinements/useRefinementFilters";
import { CreateDataset } from "./CreateDataset";
import { downloadHref, FilterChips } from "./present";

function Datasets() {
  const search = useSearchParams();
  const { data, error, isLoading } = useDatasets();
  const canWrite = useCan("datasets:write");
  const creating = search.get("new") === "1";
  const filter = Object.fromEntries(SAMPLE_FILTERS.map((name) => [name, search.get(name) || undefined])) as SampleFilterParams;
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Datasets</h1>
          <p className="muted">
            Refinement samples frozen for training: each version keeps its exact samples, its train/validation split and the hash of its
            lines.
          </p>
        </div>
      </header>
      {creating && canWrite ? <CreateDataset filter={filter} /> : null}
      {!creating && canWrite ? (
        <p className="muted small">
          To create one, filter the samples in the <Link href="/refinements">refinements browser</Link> and choose “Save as dataset”.
        </p>
      ) : null}
      <section className="card">
        <ErrorNote error={error} />
        {data && !data.items.length ? (
          <p className="empty" data-testid="datasets-empty">
            No datasets yet.{" "}
            {canWrite
              ? "Filter the samples worth training on in the refinements browser, then save them as one."
              : "Researchers create them from the refinements browser; they appear here once frozen."}
          </p>
        ) : null}
        {isLoading || data?.items.length ? (
          <table className="table" data-testid="datasets">
            <thead>
              <tr>
                <th>Name</th>
                <th className="num">Samples</th>
                <th>Filter</th>
                <th>Format</th>
                <th>Trained model versions</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            {isLoading ? <SkeletonRows rows={3} columns={7} /> : null}
            <tbody>
              {data?.items.map((d) => (
                <tr key={d.id} data-testid={`dataset-${d.id}`}>
                  <td>
                    <Link href={`/datasets/${d.id}`}>{d.name}</Link>
                    {d.status !== "ready" ? <span className="badge warn">{d.status}</span> : null}
                  </td>
                  <td className="num">
                    {integer(d.sampleCount)}
                    <div className="muted small">
                      {integer(d.trainCount)} / {integer(d.validationCount)}
                    </div>
                  </td>
                  <td>
                    <FilterChips filter={d.filter} />
                  </td>
                  <td>{d.format}</td>
                  <td>
                    {d.trainedModelVersions.length ? (
                      d.trainedModelVersions.map((v) => (
                        <code key={v.key} style={{ marginRight: 6 }}>
                          {v.key}
                        </code>
                      ))
                    ) : (
                      <span className="muted small">none yet</span>
                    )}
                  </td>
                  <td className="muted small">
                    {dateTime(d.createdAt)}
                    <div>{d.createdBy}</div>
                  </td>
                  <td className="nowrap">{d.status === "ready" ? <a href={downloadHref(d.id)}>Download</a> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </div>
  );
}

export default function DatasetsPage() {
  return (
    <Suspense fallback={<Skeleton height={200} />}>
      <Datasets />
    </Suspense>
  );
}
