import { integer, percent, pValue, signedPercent } from "@/app/components/format";
import type { ExperimentResults } from "@/lib/client/hooks";
import { VARIANT_COLORS } from "./ExposureChart";
import { LiftBar } from "./LiftBar";
import { countsLabel, formatValue, halfWidth, liftScale, significantImprovement, verdict } from "./verdict";

const RISK_TITLE = "Expected relative lift given up by shipping this variant if it is in fact worse";

/** The heading of the statistic column: chance to win, or the p-value as adjusted or not. */
function statisticHeading(results: ExperimentResults): string {
  if (results.method === "bayesian") return "Chance to win";
  return results.correction === "none" ? "p-value" : "p (adjusted)";
}

/** One row per variant: users, value with its interval, lift against the control, significance and verdict. */
export function MetricTable({ results }: { results: ExperimentResults }) {
  const scale = liftScale(results);
  const bayesian = results.method === "bayesian";
  return (
    <table className="table" data-testid="results-table">
      <thead>
        <tr>
          <th>Variant</th>
          <th className="num">Users</th>
          <th className="num">{results.unit === "ms" ? "Events" : "Numerator / denominator"}</th>
          <th className="num">{results.metricLabel}</th>
          <th className="num">Lift</th>
          <th>Interval ({Math.round((1 - results.alpha) * 100)}%)</th>
          <th className="num">{statisticHeading(results)}</th>
          {bayesian ? (
            <th className="num" title={RISK_TITLE}>
              Risk
            </th>
          ) : null}
          <th />
        </tr>
      </thead>
      <tbody>
        {results.variants.map((v, i) => {
          const tone = verdict(v, results);
          const half = halfWidth(v);
          return (
            <tr key={v.key} data-testid={`result-${v.key}`}>
              <td>
                <span className="swatch" style={{ background: VARIANT_COLORS[i % VARIANT_COLORS.length] }} /> <strong>{v.key}</strong>
                <div className="muted small">
                  <code>{v.modelVersion}</code>
                </div>
              </td>
              <td className="num">{integer(v.users)}</td>
              <td className="num muted">{countsLabel(v, results.unit)}</td>
              <td className="num" data-testid={`rate-${v.key}`}>
                {formatValue(v.rate, results.unit)}
                {half !== null ? <span className="muted small"> ± {formatValue(half, results.unit)}</span> : null}
              </td>
              <td className="num" data-testid={`lift-${v.key}`}>
                {v.lift ? signedPercent(v.lift.relative) : i === 0 ? "control" : "—"}
              </td>
              <td>
                {v.lift ? (
                  <div className="row" style={{ gap: 6 }}>
                    <LiftBar lift={v.lift} scale={scale} good={significantImprovement(v, results)} />
                    <span className="muted small">
                      {signedPercent(v.lift.ciRelative[0])} to {signedPercent(v.lift.ciRelative[1])}
                    </span>
                  </div>
                ) : (
                  <span className="muted small">{v.note ?? ""}</span>
                )}
              </td>
              <td className="num" data-testid={`p-${v.key}`}>
                {bayesian ? percent(v.chanceToWin, 1) : pValue(results.correction === "none" ? v.pValue : v.adjustedPValue)}
              </td>
              {bayesian ? <td className="num muted">{v.expectedLoss ? percent(v.expectedLoss.treatment, 2) : "—"}</td> : null}
              <td>{tone.label ? <span className={`badge ${tone.tone}`}>{tone.label}</span> : null}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
