import { pValue } from "@/app/components/format";
import type { ExperimentResults } from "@/lib/client/hooks";
import { joinCounts } from "./verdict";

/** The warning above mismatched results: the variants' user counts do not match their weights. */
export function SrmBanner({ srm }: { srm: ExperimentResults["srm"] }) {
  return (
    <div className="banner bad" role="alert" data-testid="srm-banner">
      <strong>Sample ratio mismatch.</strong> The variants received {joinCounts(srm.observed)} users where the weights expect{" "}
      {joinCounts(srm.expected)} (χ² p = {pValue(srm.pValue)}). Assignment or exposure logging is broken for some users, so these results
      are not trustworthy until the cause is found.
    </div>
  );
}
