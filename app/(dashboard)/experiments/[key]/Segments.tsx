import { integer, percent, pValue } from "@/app/components/format";
import type { ExperimentResults } from "@/lib/client/hooks";
import { formatValue, liftWithInterval } from "./verdict";

/** The metric per value of the chosen attribute: each variant's value, the treatment's lift and significance. */
export function Segments({ results }: { results: ExperimentResults }) {
  if (!results.segments) return null;
  const bayesian = results.method === "bayesian";
  return (
    <section className="card">
      <h3>By segment</h3>
      <table className="table" data-testid="segments">
        <thead>
          <tr>
            <th>Segment</th>
            {results.variants.map((v) => (
              <th key={v.key} className="num">
                {v.key}
              </th>
            ))}
            <th className="num">Lift</th>
            <th className="num">{bayesian ? "Chance to win" : "p-value"}</th>
          </tr>
        </thead>
        <tbody>
          {results.segments.map((s) => {
            const treatment = s.variants[1];
            return (
              <tr key={s.value} data-testid={`segment-${s.value}`}>
                <td>
                  <strong>{s.value}</strong>
                </td>
                {s.variants.map((v) => (
                  <td key={v.key} className="num">
                    {formatValue(v.rate, results.unit)} <span className="muted small">({integer(v.users)} users)</span>
                  </td>
                ))}
                <td className="num">{treatment?.lift ? liftWithInterval(treatment.lift) : "—"}</td>
                <td className="num">{bayesian ? percent(treatment?.chanceToWin, 1) : pValue(treatment?.pValue)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted small">
        Segments split each user&apos;s events by the attribute; a user active in two languages counts in both. Not corrected for multiple
        comparisons.
      </p>
    </section>
  );
}
