import { usePathname, useRouter, useSearchParams } from "next/navigation";

/** The browser's filters, named as the API's query parameters, so the page's URL is the query (and shareable). */
export const SAMPLE_FILTERS = [
  "experimentKey",
  "variantKey",
  "modelVersion",
  "language",
  "outcome",
  "label",
  "q",
  "minEditRatio",
  "maxEditRatio",
  "from",
  "to",
] as const;
export type SampleFilterName = (typeof SAMPLE_FILTERS)[number];
export type SampleFilterParams = Record<SampleFilterName, string | undefined>;
export const SORTS = [
  ["recent", "Recent"],
  ["most_edited", "Most edited"],
  ["typical", "Typical"],
] as const;
export type SampleSort = (typeof SORTS)[number][0];

export interface RefinementFilters {
  /** The filter as the API takes it (unset parameters absent). */
  filter: SampleFilterParams;
  sort: SampleSort;
  /** The selected sample (its suggestion id), kept in the URL so a link opens it. */
  selected: string | null;
  /** Whether any filter is set. */
  filtered: boolean;
  /** Sets parameters (undefined removes one); a new filter drops the selection. */
  set: (changes: Partial<Record<SampleFilterName | "sort", string | undefined>>) => void;
  clear: () => void;
  select: (suggestionId: string | null) => void;
}

export function useRefinementFilters(): RefinementFilters {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filter = Object.fromEntries(SAMPLE_FILTERS.map((name) => [name, search.get(name) || undefined])) as SampleFilterParams;
  const sortParam = search.get("sort");
  const sort = SORTS.some(([key]) => key === sortParam) ? (sortParam as SampleSort) : "recent";
  const go = (updated: URLSearchParams) => router.replace(updated.size ? `${pathname}?${updated}` : pathname, { scroll: false });
  return {
    filter,
    sort,
    selected: search.get("sample"),
    filtered: SAMPLE_FILTERS.some((name) => filter[name] !== undefined),
    set: (changes) => {
      const updated = new URLSearchParams(search.toString());
      for (const [name, value] of Object.entries(changes)) {
        if (value) updated.set(name, value);
        else updated.delete(name);
      }
      // A variant belongs to its experiment.
      if ("experimentKey" in changes && !("variantKey" in changes)) updated.delete("variantKey");
      if (Object.keys(changes).some((key) => key !== "sort")) updated.delete("sample");
      go(updated);
    },
    clear: () => {
      const updated = new URLSearchParams();
      if (sort !== "recent") updated.set("sort", sort);
      go(updated);
    },
    select: (suggestionId) => {
      const updated = new URLSearchParams(window.location.search);
      if (suggestionId) updated.set("sample", suggestionId);
      else updated.delete("sample");
      // Moving the selection is not a navigation: the history entry is replaced in place (Next.js keeps
      // useSearchParams in step with it) and no route is re-rendered on the server.
      window.history.replaceState(null, "", `${pathname}?${updated}`);
    },
  };
}
