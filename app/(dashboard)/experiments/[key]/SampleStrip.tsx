"use client";

import Link from "next/link";
import { integer, percent } from "@/app/components/format";
import { useRefinementList, useRefinementOutcomes, type ExperimentView, type SampleSummary } from "@/lib/client/hooks";
import { browserHref, changedLine, OUTCOME_ORDER, OUTCOMES } from "../../refinements/present";

type Variant = ExperimentView["variants"][number];

function StripSamples({ title, hint, samples, href }: { title: string; hint: string; samples: SampleSummary[] | undefined; href: string }) {
  return (
    <div className="strip-column">
      <div className="muted small strip-title" title={hint}>
        {title}
      </div>
      {samples === undefined ? <p className="muted small">Loading…</p> : null}
      {samples && !samples.length ? <p className="muted small">No kept samples yet.</p> : null}
      {samples?.map((sample) => {
        const { removed, added } = changedLine(sample.proposal, sample.target);
        return (
          <Link
            key={sample.suggestionId}
            className="strip-sample"
            href={`${href}&sample=${encodeURIComponent(sample.suggestionId)}`}
            data-testid="strip-sample"
          >
            <span className="strip-code">
              <code className="ellipsis minus">− {removed || " "}</code>
              <code className="ellipsis plus">+ {added || " "}</code>
            </span>
            <span className="strip-meta">
              <span className="small">{sample.language}</span>
              <span className="badge">{percent(sample.editRatio, 0)}</span>
            </span>
          </Link>
        );
      })}
    </div>
  );
}

function VariantSamples({ experimentKey, variant, control }: { experimentKey: string; variant: Variant; control: boolean }) {
  const filter = { experimentKey, variantKey: variant.key };
  const counts = useRefinementOutcomes(filter);
  const typical = useRefinementList({ ...filter, outcome: "kept", sort: "typical", limit: "3" });
  const edited = useRefinementList({ ...filter, outcome: "kept", sort: "most_edited", limit: "3" });
  const href = browserHref(filter);
  return (
    <div className="strip-variant" data-testid={`sample-strip-${variant.key}`}>
      <div className="row">
        <strong>{variant.key}</strong>
        {control && variant.key !== "control" ? <span className="badge">control</span> : null}
        <code className="muted small">{variant.modelVersion}</code>
        <span className="spacer" />
        <Link href={href} data-testid={`browse-samples-${variant.key}`}>
          {counts.data ? `${integer(counts.data.total)} samples` : "Samples"} →
        </Link>
      </div>
      <div className="chips" aria-label={`Outcomes of ${variant.key}`}>
        {OUTCOME_ORDER.map((outcome) => {
          const count = counts.data?.outcomes.find((o) => o.outcome === outcome)?.count ?? 0;
          return count ? (
            <Link key={outcome} className={`chip ${OUTCOMES[outcome].tone}`} href={browserHref({ ...filter, outcome })}>
              {OUTCOMES[outcome].label} <span className="chip-count">{integer(count)}</span>
            </Link>
          ) : null;
        })}
        {counts.data && !counts.data.total ? <span className="muted small">No samples from this variant yet.</span> : null}
      </div>
      <div className="strip-columns">
        <StripSamples
          title="Most typical"
          hint="Kept samples closest to the variant's median edit ratio"
          samples={typical.data?.items}
          href={browserHref({ ...filter, sort: "typical" })}
        />
        <StripSamples
          title="Most edited"
          hint="Kept samples with the highest edit ratio"
          samples={edited.data?.items}
          href={browserHref({ ...filter, sort: "most_edited" })}
        />
      </div>
    </div>
  );
}

/** Per variant, what users did to its completions: outcome counts and a few samples, each a way into the refinements browser. */
export function SampleStrip({ experiment }: { experiment: ExperimentView }) {
  return (
    <section className="card" data-testid="sample-strip">
      <div className="row" style={{ marginBottom: 8 }}>
        <h3 style={{ margin: 0 }}>Refinement samples</h3>
        <span className="muted small">what users changed after accepting, per variant</span>
        <span className="spacer" />
        <Link href={browserHref({ experimentKey: experiment.key })}>Browse all →</Link>
      </div>
      <div className="strip-variants">
        {experiment.variants.map((variant, i) => (
          <VariantSamples key={variant.key} experimentKey={experiment.key} variant={variant} control={i === 0} />
        ))}
      </div>
    </section>
  );
}
