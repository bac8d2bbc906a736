import Link from "next/link";

/** An experiment in a table's first cell: its name, linking to its page, above its key (and its phase after a restart). */
export function ExperimentName({ experiment }: { experiment: { key: string; name: string; phase: number } }) {
  return (
    <>
      <Link href={`/experiments/${experiment.key}`}>
        <strong>{experiment.name}</strong>
      </Link>
      <div className="muted small">
        <code>{experiment.key}</code>
        {experiment.phase > 1 ? ` · phase ${experiment.phase}` : ""}
      </div>
    </>
  );
}
