import { usePathname, useRouter, useSearchParams } from "next/navigation";

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
  const params = Object.fromEntries(RESULTS_FILTERS.map((name) => [name, search.get(name) ?? undefined])) as ResultsParams;
  const set = (name: ResultsFilter, next: string | undefined) => {
    // From the address bar, not the rendered search: two changes in quick succession must both stay.
    const updated = new URLSearchParams(window.location.search);
    if (next) updated.set(name, next);
    else updated.delete(name);
    router.replace(`${pathname}?${updated}`, { scroll: false });
  };
  return { params, set };
}
