import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useRef } from "react";

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
  // A replace lands in the URL (and the rendered search) a moment later: a second change before that
  // builds on the first one's URL, so two changes in quick succession both stay.
  const pending = useRef<{ from: string; next: string } | null>(null);
  const current = search.toString();
  const set = (name: ResultsFilter, next: string | undefined) => {
    const updated = new URLSearchParams(pending.current?.from === current ? pending.current.next : current);
    if (next) updated.set(name, next);
    else updated.delete(name);
    pending.current = { from: current, next: updated.toString() };
    router.replace(`${pathname}?${updated}`, { scroll: false });
  };
  return { params, set };
}
