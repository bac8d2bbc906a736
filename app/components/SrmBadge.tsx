/** The SRM flag lists show beside a running experiment; nothing when the split looks right or is unknown. */
export function SrmBadge({ mismatch }: { mismatch: boolean | undefined }) {
  if (!mismatch) return null;
  return (
    <span className="badge bad" title="Sample ratio mismatch: see the experiment's health panel">
      SRM
    </span>
  );
}
