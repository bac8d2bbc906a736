"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ErrorNote } from "@/app/components/ErrorNote";
import { percent } from "@/app/components/format";
import { apiFetch } from "@/lib/client/api";
import { useResults, useScorecard, type ExperimentView, type Scorecard as ScorecardAnswer } from "@/lib/client/hooks";
import { METRIC_KEYS, METRICS, type MetricKey } from "@/lib/metrics/registry";
import { Cohorts } from "./Cohorts";
import styles from "./experiment.module.css";
import { Health } from "./Health";
import { ResultFilters } from "./ResultFilters";
import { Scorecard } from "./Scorecard";
import { SeriesCharts } from "./SeriesCharts";
import { SrmBanner } from "./SrmBanner";
import { useResultsFilters } from "./useResultsFilters";
import { methodNote } from "./verdict";
import { useAfterPaint } from "./useAfterPaint";

/** What CUPED changed, after the method line. */
function cupedNote(reduction: number | null | undefined): string {
  const variance = reduction ? `; variance −${percent(reduction, 0)} on the primary metric` : "";
  return (
    " · CUPED on: values, changes and intervals of rates and per-user metrics are regression-adjusted on each user's pre-exposure " +
    `value (centred on the control's${variance}); latency p95 is not adjusted`
  );
}

/** The scorecard's parameters of a URL query: the same object, in the same order, as `Results` asks with. */
export function scorecardParams(search: URLSearchParams) {
  const get = (name: string) => search.get(name) ?? undefined;
  return { method: get("method"), cuped: get("cuped"), correction: get("correction"), from: get("from"), to: get("to") };
}

const isMetric = (value: string | undefined): value is MetricKey => !!value && (METRIC_KEYS as string[]).includes(value);

/**
 * An experiment's results, filtered from the URL: the scorecard of every metric, the selected metric's
 * daily series and cohorts (the primary metric until another is chosen), and the health checks.
 */
export function Results({ experiment }: { experiment: ExperimentView }) {
  const filters = useResultsFilters();
  const { params, set } = filters;
  const selected: MetricKey = isMetric(params.metric) ? params.metric : experiment.primaryMetric;
  const shared = scorecardParams(new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1])));
  const scorecard = useScorecard(experiment.key, shared);
  const scorecardPainted = useAfterPaint(scorecard.data !== undefined);
  // The details wait for the scorecard: on two cores, both at once would delay the scorecard, which is
  // what the page is read for first (and the details' charts sit below it).
  const details = useResults(experiment.key, { ...shared, metric: selected, segment: params.segment }, { enabled: scorecardPainted });
  const queryClient = useQueryClient();
  const card = scorecard.data;
  const search = new URLSearchParams(Object.entries(shared).filter((e): e is [string, string] => !!e[1]));
  const scorecardPath = `/api/v1/experiments/${encodeURIComponent(experiment.key)}/scorecard`;
  const exportUrl = (format: "csv" | "json") => `${scorecardPath}?${new URLSearchParams([...search, ["format", format]])}`;
  // The server answers a repeated query from its last 30 seconds' computation: Refresh asks for a new one.
  const refresh = useMutation({
    mutationFn: () => apiFetch<ScorecardAnswer>(`${scorecardPath}?${new URLSearchParams([...search, ["refresh", "true"]])}`),
    onSuccess: (fresh) => {
      queryClient.setQueryData(["experiments", experiment.key, "scorecard", search.toString()], fresh);
      return queryClient.invalidateQueries({ queryKey: ["experiments", experiment.key, "results"] });
    },
  });
  const select = (metric: MetricKey) => set("metric", metric === experiment.primaryMetric ? undefined : metric);
  const detail = details.data?.metric === selected ? details.data : undefined;
  const cupedReduction = card?.cuped
    ? card.metrics[0]?.variants.map((v) => v.cupedVarianceReduction).find((r) => r !== null && r !== undefined)
    : null;

  return (
    <>
      {card?.srm.mismatch ? <SrmBanner srm={card.srm} /> : null}
      <section className="card" data-testid="scorecard">
        <div className={styles.toolbar} style={{ marginBottom: 10 }}>
          <h3 style={{ margin: 0 }}>Scorecard</h3>
          <span className={styles.spacer} />
          <span
            className="muted small"
            data-testid="computed-at"
            title="A running experiment's default view is computed again in the background once new events arrive; Refresh computes it now."
          >
            {card ? `Last computed ${new Date(card.computedAt).toLocaleTimeString("en-US")}` : "Computing…"}
            {(scorecard.isFetching || refresh.isPending) && card ? " · updating…" : ""}
          </span>
          <button className="button" onClick={() => refresh.mutate()} disabled={refresh.isPending} data-testid="refresh">
            Refresh
          </button>
          <a className="button" href={exportUrl("csv")} download data-testid="export-csv">
            Export CSV
          </a>
          <a className="button" href={exportUrl("json")} target="_blank" rel="noreferrer" data-testid="export-json">
            JSON
          </a>
        </div>
        <div className={styles.toolbar} style={{ marginBottom: 8 }}>
          <ResultFilters filters={filters} />
        </div>
        <p className="muted small" data-testid="method-note">
          {card ? methodNote(card) : "\u00a0"}
          {card?.cuped ? cupedNote(cupedReduction) : ""}
        </p>
        {scorecard.error || refresh.error ? <ErrorNote error={scorecard.error ?? refresh.error} /> : null}
        {card && card.health.exposedUsers === 0 ? (
          <p className="banner warn" data-testid="no-data">
            No exposed users in this window yet: every row fills in as events arrive.
          </p>
        ) : null}
        <Scorecard experiment={experiment} card={card} selected={selected} onSelect={select} />
        {card ? (
          <p className="muted small">
            MDE: the smallest relative change detectable now with 80% power at α = {card.alpha}; users needed: for 80% power at the
            experiment&apos;s target effect of {percent(card.targetEffect, 1)}; days left at the traffic so far.
          </p>
        ) : null}
      </section>

      <section className="card" data-testid="metric-details">
        <div className={styles.toolbar}>
          <h3 style={{ margin: 0 }}>{METRICS[selected].label} over time</h3>
          <span className={styles.spacer} />
          <label style={{ flexDirection: "row", alignItems: "center", gap: 8 }}>
            Details for
            <select aria-label="Metric" value={selected} onChange={(e) => select(e.target.value as MetricKey)}>
              {METRIC_KEYS.map((key) => (
                <option key={key} value={key}>
                  {METRICS[key].label}
                  {key === experiment.primaryMetric ? " (primary)" : ""}
                </option>
              ))}
            </select>
          </label>
        </div>
        {details.error ? <ErrorNote error={details.error} /> : null}
        {METRICS[selected].kind === "quantile" ? (
          <p className="muted" data-testid="no-daily-chart">
            No daily chart for {METRICS[selected].label.toLowerCase()}: a 95th percentile is not the sum of daily parts. The scorecard shows
            the whole window&apos;s value (within 1% of the exact one) with its order-statistic interval.
          </p>
        ) : !detail ? (
          <div className="skeleton" style={{ height: 240, marginTop: 12 }} />
        ) : detail.series.length ? (
          <SeriesCharts results={detail} />
        ) : (
          <p className="empty">No events in this window yet.</p>
        )}
      </section>

      <Cohorts
        results={detail}
        segment={params.segment}
        onSegment={(segment) => set("segment", segment)}
        loading={!detail || (details.isFetching && details.isPlaceholderData)}
      />
      <Health card={card} />
    </>
  );
}
