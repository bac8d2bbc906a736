import { integer, pValue, signedPercent } from "@/app/components/format";
import type { ExperimentResults } from "@/lib/client/hooks";
import { joinCounts } from "./verdict";

/** Whether the experiment can be trusted: sample ratio, users seen in several variants, guardrails. */
export function Health({ results }: { results: ExperimentResults }) {
  const { srm } = results;
  const srmBadge = srm.mismatch ? <span className="badge bad">mismatch</span> : <span className="badge good">ok</span>;
  return (
    <section className="card" data-testid="health">
      <h3>Health</h3>
      <div className="grid three">
        <div className="stat">
          <span className="label">Sample ratio</span>
          <span className="value" style={{ fontSize: 18 }}>
            {srmBadge} <span className="muted small">p = {pValue(srm.pValue)}</span>
          </span>
          <span className="muted small">
            observed {joinCounts(srm.observed)} · expected {joinCounts(srm.expected)}
          </span>
        </div>
        <div className="stat">
          <span className="label">Users in several variants</span>
          <span className="value" style={{ fontSize: 18 }}>
            {integer(results.health.multipleExposures)}
          </span>
          <span className="muted small">left out of the analysis</span>
        </div>
        <div className="stat">
          <span className="label">Guardrails</span>
          {results.guardrails.map((g) => {
            const badge = g.worse ? <span className="badge bad">worse</span> : <span className="badge good">ok</span>;
            const change = g.relativeChange !== null ? signedPercent(g.relativeChange) : "";
            const significance = g.pValue !== null ? `p = ${pValue(g.adjustedPValue ?? g.pValue)}` : (g.note ?? "");
            return (
              <span key={g.metric + g.variant} className="small" data-testid={`guardrail-${g.metric}`}>
                {badge} {g.metric.replace(/_/g, " ")} ({g.variant}) {change} <span className="muted">{significance}</span>
              </span>
            );
          })}
        </div>
      </div>
    </section>
  );
}
