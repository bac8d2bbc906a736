import type { DatasetView } from "@/lib/client/hooks";
import { browserHref, OUTCOMES, labelText, type Label, type Outcome } from "../refinements/present";

type Filter = DatasetView["filter"];

const pct = (ratio: number) => `${Math.round(ratio * 1000) / 10}%`;

/** A dataset's filter as short phrases ("experiment x", "outcome kept or unchanged"). */
export function filterPhrases(filter: Filter): string[] {
  const phrases: string[] = [];
  if (filter.experimentKey) phrases.push(`experiment ${filter.experimentKey}`);
  if (filter.variantKey) phrases.push(`variant ${filter.variantKey}`);
  if (filter.modelVersion) phrases.push(`model ${filter.modelVersion}`);
  if (filter.language) phrases.push(filter.language);
  phrases.push(`outcome ${filter.outcome.map((o) => OUTCOMES[o as Outcome]?.label ?? o).join(" or ")}`);
  if (filter.label?.length)
    phrases.push(`label ${filter.label.map((l) => (l === "unlabeled" ? "unlabeled" : labelText(l as Label))).join(" or ")}`);
  if (filter.minEditRatio !== undefined || filter.maxEditRatio !== undefined) {
    phrases.push(`edit ratio ${pct(filter.minEditRatio ?? 0)}–${pct(filter.maxEditRatio ?? 1)}`);
  }
  if (filter.q) phrases.push(`“${filter.q}”`);
  if (filter.from) phrases.push(`from ${filter.from.slice(0, 10)}`);
  if (filter.to) phrases.push(`to ${filter.to.slice(0, 10)}`);
  return phrases;
}

export function FilterChips({ filter }: { filter: Filter }) {
  return (
    <span className="chips">
      {filterPhrases(filter).map((phrase) => (
        <span key={phrase} className="chip static">
          {phrase}
        </span>
      ))}
    </span>
  );
}

/** The browser showing a dataset's filter (lists of outcomes or labels the browser cannot show are left out). */
export function browserHrefOf(filter: Filter): string {
  const { outcome, label, minEditRatio, maxEditRatio, ...rest } = filter;
  return browserHref({
    ...rest,
    outcome: outcome.length === 1 ? outcome[0] : undefined,
    label: label?.length === 1 ? label[0] : undefined,
    minEditRatio: minEditRatio === undefined ? undefined : String(minEditRatio),
    maxEditRatio: maxEditRatio === undefined ? undefined : String(maxEditRatio),
  });
}

export const downloadHref = (id: string, split: "all" | "train" | "validation" = "all") =>
  `/api/v1/datasets/${encodeURIComponent(id)}/download${split === "all" ? "" : `?split=${split}`}`;
