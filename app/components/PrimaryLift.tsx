import { signedPercent } from "@/app/components/format";
import { Skeleton } from "@/app/components/Skeleton";
import type { ExperimentResults } from "@/lib/results/schema";

/** The primary metric's lift of the best treatment with a significance badge; a bar while it loads. */
export function PrimaryLift({ results, failed }: { results: ExperimentResults | undefined; failed?: boolean }) {
  if (failed) return <span className="muted small">results unavailable</span>;
  if (!results) return <Skeleton inline width={150} height={16} />;
  const treatments = results.variants.filter((v) => v.lift);
  if (!treatments.length) {
    return (
      <span className="muted small nowrap" title={results.variants.find((v) => v.note)?.note ?? undefined}>
        no outcome data yet
      </span>
    );
  }
  const best = treatments.reduce((a, b) => (b.lift!.relative > a.lift!.relative === results.higherIsBetter ? b : a));
  const better = best.lift!.relative > 0 === results.higherIsBetter;
  return (
    <span className="row nowrap" style={{ gap: 6, flexWrap: "nowrap" }} data-testid="primary-lift">
      <strong>{signedPercent(best.lift!.relative)}</strong>
      <span className="muted small">{best.key}</span>
      {best.significant ? (
        <span className={`badge ${better ? "good" : "bad"}`}>{better ? "significant win" : "significant loss"}</span>
      ) : (
        <span className="badge">not significant</span>
      )}
    </span>
  );
}
