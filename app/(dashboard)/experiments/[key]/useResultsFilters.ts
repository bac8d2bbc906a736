import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";

/** The results' URL parameters, in the order of the API query; each is absent while it has its default. */
export const RESULTS_FILTERS = ["metric", "method", "segment", "cuped", "correction", "from", "to"] as const;
export type ResultsFilter = (typeof RESULTS_FILTERS)[number];
export type ResultsParams = Record<ResultsFilter, string | undefined>;

export interface ResultsFilters {
  params: ResultsParams;
  /** Sets a parameter, or removes it for undefined (its default), replacing the URL without scrolling. */
  set: (name: ResultsFilter, next: string | undefined) => void;
}

/** Filters live in the URL, so a view can be shared as a link. Without `metric` the details show the primary metric. */
export function useResultsFilters(): ResultsFilters {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const current = search.toString();
  // A replace reaches the URL (and the rendered search) a moment later. Until then the controls show the
  // change at once, and a second change builds on the first, so two quick changes both stay.
  const [pending, setPending] = useState<{ from: string; next: string } | null>(null);
  const shown = new URLSearchParams(pending?.from === current ? pending.next : current);
  const params = Object.fromEntries(RESULTS_FILTERS.map((name) => [name, shown.get(name) ?? undefined])) as ResultsParams;
  const set = (name: ResultsFilter, next: string | undefined) => {
    const updated = new URLSearchParams(shown);
    if (next) updated.set(name, next);
    else updated.delete(name);
    setPending({ from: current, next: updated.toString() });
    router.replace(`${pathname}?${updated}`, { scroll: false });
  };
  return { params, set };
}
