"use client";

import { integer, percent, pValue, signedPercent } from "@/app/components/format";
import type { ExperimentResults } from "@/lib/client/hooks";
import styles from "./experiment.module.css";
import { forestScale } from "./forest";
import { ForestAxis, RelativeChange } from "./ForestPlot";
import { chanceBetter, formatValue, intervalName } from "./verdict";

const SEGMENTS: [string, string][] = [
  ["language", "Language"],
  ["ide", "IDE"],
  ["userGroup", "User group"],
];

type Cohort = NonNullable<ExperimentResults["segments"]>[number];

/** A sentence on whether the lift differs across cohorts. */
function heterogeneityLine(h: NonNullable<ExperimentResults["heterogeneity"]>[number], alpha: number): string {
  const differs = h.pValue < alpha ? "the lift differs across cohorts" : "no detectable difference in lift across cohorts";
  return (
    `${h.variant}: Cochran's Q = ${h.q.toFixed(2)} on ${h.df} df, p = ${pValue(h.pValue)}, I² = ${percent(h.iSquared, 0)} — ${differs} ` +
    `(pooled lift ${signedPercent(h.pooledRelative)})`
  );
}

/**
 * The selected metric per cohort of a segment attribute: a forest plot of each treatment's relative
 * lift per cohort with its interval, p-values Holm-adjusted across the cohorts, and Cochran's Q test of
 * whether the lift differs across cohorts.
 */
export function Cohorts({
  results,
  segment,
  onSegment,
  loading,
}: {
  results: ExperimentResults | undefined;
  segment: string | undefined;
  onSegment: (segment: string | undefined) => void;
  loading: boolean;
}) {
  const cohorts = results?.segments;
  const treatments = results?.variants.slice(1) ?? [];
  const scale = forestScale(
    (cohorts ?? []).flatMap((c) => c.variants.slice(1).flatMap((v) => (v.lift ? [v.lift.ciRelative as [number, number]] : []))),
  );
  const bayesian = results?.method === "bayesian";
  return (
    <section className="card" data-testid="cohorts">
      <div className={styles.toolbar}>
        <h3 style={{ margin: 0 }}>Cohorts{results ? ` · ${results.metricLabel}` : ""}</h3>
        <span className={styles.spacer} />
        <label style={{ flexDirection: "row", alignItems: "center", gap: 8 }}>
          Segment
          <select aria-label="Segment" value={segment ?? ""} onChange={(e) => onSegment(e.target.value || undefined)}>
            <option value="">Choose…</option>
            {SEGMENTS.map(([key, label]) => (
              <option key={key} value={key}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!segment ? (
        <p className="empty" data-testid="cohorts-empty">
          Choose a segment (language, IDE or user group) to compare the lift across its cohorts.
        </p>
      ) : !cohorts || loading ? (
        <div className="skeleton" style={{ height: 120, marginTop: 12 }} />
      ) : !cohorts.length ? (
        <p className="empty" data-testid="cohorts-empty">
          {results?.segmentsNote ?? "No cohorts in this window."}
        </p>
      ) : (
        <>
          <table className={`table ${styles.scorecard}`} data-testid="cohort-table">
            <thead>
              <tr>
                <th>{SEGMENTS.find(([key]) => key === segment)?.[1]}</th>
                {results!.variants.map((v) => (
                  <th key={v.key} className="num">
                    {v.key}
                  </th>
                ))}
                <th>
                  <div>
                    Relative change <span className={styles.sub}>{intervalName(results!.method, results!.alpha)}</span>
                  </div>
                  <ForestAxis scale={scale} />
                </th>
                <th className="num">{bayesian ? "Chance to win" : "p-value"}</th>
                {bayesian ? null : <th className="num">Holm-adjusted</th>}
              </tr>
            </thead>
            <tbody>
              {cohorts.map((c) => (
                <CohortRows key={c.value} cohort={c} results={results!} scale={scale} treatments={treatments.map((t) => t.key)} />
              ))}
            </tbody>
          </table>
          {results!.heterogeneity?.length ? (
            results!.heterogeneity.map((h) => (
              <p key={h.variant} className="small" data-testid="heterogeneity">
                {heterogeneityLine(h, results!.alpha)}
              </p>
            ))
          ) : (
            <p className="small muted" data-testid="heterogeneity">
              Heterogeneity needs at least two cohorts with a lift.
            </p>
          )}
          <p className="muted small">
            Holm-adjusted p-values control the chance of any false positive across the {cohorts.length} cohorts. Cochran&apos;s Q tests
            whether the relative lift differs across cohorts (inverse-variance weights); I² is the share of the spread beyond chance. Each
            user&apos;s events are split by the attribute, so a user active in two languages counts in both.
          </p>
        </>
      )}
    </section>
  );
}

function CohortRows({
  cohort,
  results,
  scale,
  treatments,
}: {
  cohort: Cohort;
  results: ExperimentResults;
  scale: ReturnType<typeof forestScale>;
  treatments: string[];
}) {
  const bayesian = results.method === "bayesian";
  return (
    <>
      {treatments.map((key, i) => {
        const t = cohort.variants.find((v) => v.key === key)!;
        const good =
          t.lift && t.pValue !== null && t.adjustedPValue !== undefined && t.adjustedPValue !== null
            ? t.adjustedPValue < results.alpha
              ? t.lift.relative > 0 === results.higherIsBetter
              : null
            : null;
        return (
          <tr key={key} data-testid={`cohort-${cohort.value}${i ? `-${key}` : ""}`}>
            <td>
              <strong>{i === 0 ? cohort.value : ""}</strong> {treatments.length > 1 ? <span className="muted small">{key}</span> : null}
            </td>
            {cohort.variants.map((v) => (
              <td key={v.key} className="num">
                {v.users ? formatValue(v.rate, results.unit) : <span className="muted">no data</span>}
                <span className={styles.sub}>
                  {v.ci ? `${formatValue(v.ci[0], results.unit)} to ${formatValue(v.ci[1], results.unit)} · ` : ""}
                  {integer(v.users)} users
                </span>
              </td>
            ))}
            <td>
              {t.lift ? (
                <RelativeChange
                  scale={scale}
                  lift={t.lift}
                  good={good}
                  label={`${cohort.value}: relative change ${signedPercent(t.lift.relative)}`}
                />
              ) : (
                <span className="muted small">{t.note ?? "not enough data"}</span>
              )}
            </td>
            <td className="num">{bayesian ? percent(chanceBetter(t.chanceToWin, results.higherIsBetter), 1) : pValue(t.pValue)}</td>
            {bayesian ? null : <td className="num">{pValue(t.adjustedPValue)}</td>}
          </tr>
        );
      })}
    </>
  );
}
