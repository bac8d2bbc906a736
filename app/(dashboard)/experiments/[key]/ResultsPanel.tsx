"use client";

import { ErrorNote } from "@/app/components/ErrorNote";
import { useResults } from "@/lib/client/hooks";
import { Health } from "./Health";
import { MetricTable } from "./MetricTable";
import { ResultFilters } from "./ResultFilters";
import { Segments } from "./Segments";
import { SeriesCharts } from "./SeriesCharts";
import { SrmBanner } from "./SrmBanner";
import { useResultsFilters } from "./useResultsFilters";
import { correctionNote, cupedNote } from "./verdict";

/** An experiment's results, filtered from the URL: the metric's table and charts, its segments and the health checks. */
export function Results({ experimentKey }: { experimentKey: string }) {
  const filters = useResultsFilters();
  const { data, error, isLoading, isFetching } = useResults(experimentKey, filters.params);
  return (
    <>
      <ResultFilters filters={filters} isFetching={isFetching} />

      {error ? <ErrorNote error={error} /> : null}
      {isLoading ? <p className="muted">Computing results…</p> : null}
      {data ? (
        <>
          {data.srm.mismatch ? <SrmBanner srm={data.srm} /> : null}
          <section className="card">
            <div className="row" style={{ justifyContent: "space-between" }}>
              <h3 style={{ margin: 0 }}>{data.metricLabel}</h3>
              <span className="muted small">
                {data.metricFormula} · per-user ratio, delta method{cupedNote(data)}
                {correctionNote(data)}
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
