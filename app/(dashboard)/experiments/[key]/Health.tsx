import { integer, signedPercent } from "@/app/components/format";
import type { Scorecard } from "@/lib/client/hooks";
import { joinCounts, pEquals } from "./verdict";

function Skeleton() {
  return <span className="skeleton inline" style={{ width: 72, height: 12 }} />;
}

/**
 * Whether the experiment can be trusted: sample ratio, users seen in several variants, guardrails.
 * Nothing is called "ok" before there is data to check.
 */
export function Health({ card }: { card: Scorecard | undefined }) {
  const noData = card ? card.health.exposedUsers === 0 : false;
  const guardrails = card?.metrics.filter((m) => m.guardrail?.length) ?? [];
  return (
    <section className="card" data-testid="health">
      <h3>Health</h3>
      <div className="grid three">
        <div className="stat">
          <span className="label">Sample ratio</span>
          <span className="value" style={{ fontSize: 18 }} data-testid="srm-status">
            {!card ? (
              <Skeleton />
            ) : noData ? (
              <span className="badge">no data yet</span>
            ) : card.srm.mismatch ? (
              <span className="badge bad">mismatch</span>
            ) : (
              <span className="badge good">ok</span>
            )}{" "}
            {card && !noData ? <span className="muted small">χ² {pEquals(card.srm.pValue)}</span> : null}
          </span>
          <span className="muted small">
            {card ? `observed ${joinCounts(card.srm.observed)} · expected ${joinCounts(card.srm.expected)}` : <Skeleton />}
          </span>
        </div>
        <div className="stat">
          <span className="label">Users in several variants</span>
          <span className="value" style={{ fontSize: 18 }}>
            {card ? integer(card.health.multipleExposures) : <Skeleton />}
          </span>
          <span className="muted small">left out of the analysis</span>
        </div>
        <div className="stat">
          <span className="label">Guardrails · one-sided tests for harm</span>
          {!card ? (
            <Skeleton />
          ) : !guardrails.length ? (
            <span className="muted small">none configured</span>
          ) : (
            guardrails.flatMap((m) =>
              m.guardrail!.map((g) => {
                const badge =
                  g.pValue === null ? (
                    <span className="badge">no data yet</span>
                  ) : g.worse ? (
                    <span className="badge bad">harm</span>
                  ) : (
                    <span className="badge good">no harm</span>
                  );
                const change = g.relativeChange !== null ? signedPercent(g.relativeChange) : "";
                const significance = g.pValue !== null ? `one-sided ${pEquals(g.adjustedPValue ?? g.pValue)}` : "";
                return (
                  <span key={g.metric + g.variant} className="small" data-testid={`guardrail-${g.metric}`}>
                    {badge} {m.label} ({g.variant}) {change} <span className="muted">{significance}</span>
                  </span>
                );
              }),
            )
          )}
        </div>
      </div>
      <p className="muted small">
        A guardrail&apos;s p-value is one-sided: it is small only when the metric moved the harmful way, so a large two-sided improvement
        reads p ≈ 1 here and is no contradiction.
      </p>
    </section>
  );
}
