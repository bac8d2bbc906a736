"use client";

import Link from "next/link";
import { Suspense, useEffect, useMemo, useRef, useState } from "react";
import { ErrorNote } from "@/app/components/ErrorNote";
import { Skeleton } from "@/app/components/Skeleton";
import { integer } from "@/app/components/format";
import { useCan, useLabelRefinement, usePrefetchRefinement, useRefinementOutcomes, useRefinementPages } from "@/lib/client/hooks";
import { LABELS, OUTCOMES, type Label, type Outcome } from "./present";
import { RefinementFiltersBar } from "./RefinementFilters";
import { SampleDetail, type DetailView } from "./SampleDetail";
import { SampleList } from "./SampleList";
import { SORTS, useRefinementFilters } from "./useRefinementFilters";

const definedOnly = (params: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));

function KeyboardHints({ canLabel }: { canLabel: boolean }) {
  return (
    <p className="kbd-hints muted small" data-testid="keyboard-hints" aria-label="Keyboard shortcuts">
      <kbd>j</kbd> <kbd>k</kbd> move · <kbd>Enter</kbd> <kbd>o</kbd> open · <kbd>d</kbd> diff
      {canLabel ? (
        <>
          {LABELS.map((l) => (
            <span key={l.key}>
              {" · "}
              <kbd>{l.shortcut}</kbd> {l.text.toLowerCase()}
            </span>
          ))}
        </>
      ) : null}
    </p>
  );
}

function EmptyState({ filtered, onClear }: { filtered: boolean; onClear: () => void }) {
  return (
    <div className="empty" data-testid="samples-empty">
      <p>
        <strong>{filtered ? "No samples match these filters." : "No samples yet."}</strong>
      </p>
      <p className="small">
        A sample appears when the SDK reports a <code>refined</code> event for an accepted suggestion: the code as the user left it a while
        after accepting. The pipeline turns new events into samples every few seconds; users who opted out never have their code kept.
      </p>
      {filtered ? (
        <button className="button" onClick={onClear}>
          Clear filters
        </button>
      ) : null}
    </div>
  );
}

function Browser() {
  const filters = useRefinementFilters();
  const { outcome, ...allOutcomes } = filters.filter;
  const pages = useRefinementPages({ ...filters.filter, sort: filters.sort === "recent" ? undefined : filters.sort });
  const counts = useRefinementOutcomes(allOutcomes);
  const items = useMemo(() => pages.data?.pages.flatMap((page) => page.items) ?? [], [pages.data]);
  const canLabel = useCan("refinements:label");
  const canCreateDataset = useCan("datasets:write");
  const datasetHref = `/datasets?${new URLSearchParams({ new: "1", ...definedOnly(filters.filter) })}`;
  const labelMutation = useLabelRefinement();
  const [view, setView] = useState<DetailView>("split");
  const [expanded, setExpanded] = useState(false);

  // Without a sample in the URL the first one is selected.
  const selectedIndex = filters.selected ? items.findIndex((i) => i.suggestionId === filters.selected) : items.length ? 0 : -1;
  const selectedId = filters.selected ?? items[0]?.suggestionId ?? null;
  const prefetch = usePrefetchRefinement();
  const following = items[selectedIndex + 1]?.suggestionId;
  useEffect(() => {
    if (following) prefetch(following);
  }, [following, prefetch]);

  const move = (delta: number) => {
    if (!items.length) return;
    const next = Math.min(items.length - 1, Math.max(0, selectedIndex + delta));
    if (delta > 0 && next >= items.length - 3 && pages.hasNextPage && !pages.isFetchingNextPage) void pages.fetchNextPage();
    filters.select(items[next].suggestionId);
  };
  const label = (suggestionId: string, value: Label, note?: string) => labelMutation.mutate({ suggestionId, label: value, note });

  // The keyboard: the latest handler, so it always sees the current selection.
  const onKey = (event: KeyboardEvent) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement | null;
    if (target?.closest("input, textarea, select, [contenteditable='true']")) return;
    const shortcut = LABELS.find((l) => l.shortcut === event.key);
    if (event.key === "j") move(1);
    else if (event.key === "k") move(-1);
    else if (event.key === "o" || (event.key === "Enter" && !target?.closest("button, a"))) setExpanded(!!selectedId);
    else if (event.key === "Escape") setExpanded(false);
    else if (event.key === "d") setView((v) => (v === "diff" ? "split" : "diff"));
    else if (shortcut && canLabel && selectedId) label(selectedId, shortcut.key);
    else return;
    event.preventDefault();
  };
  const handler = useRef(onKey);
  useEffect(() => {
    handler.current = onKey;
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => handler.current(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  const matching = outcome ? counts.data?.outcomes.find((o) => o.outcome === outcome)?.count : counts.data?.total;
  const empty = !pages.isLoading && !pages.error && items.length === 0;
  return (
    <div className="page wide">
      <header className="page-header">
        <div>
          <h1>Refinements</h1>
          <p className="muted">
            What users changed after accepting a completion: the model&apos;s proposal against the code they kept. Label the samples worth
            training on.
          </p>
        </div>
        {canCreateDataset ? (
          <Link
            className="button"
            href={datasetHref}
            data-testid="save-dataset"
            title="Freeze the samples this filter selects into a dataset"
          >
            Save as dataset
          </Link>
        ) : null}
      </header>

      <RefinementFiltersBar filters={filters} counts={counts.data} />
      <ErrorNote error={pages.error ?? counts.error ?? labelMutation.error} />

      {empty && !filters.selected ? (
        <section className="card">
          <EmptyState filtered={filters.filtered} onClear={filters.clear} />
        </section>
      ) : (
        <div className={expanded ? "browser expanded" : "browser"}>
          {!expanded ? (
            <section className="card list-pane">
              <div className="list-head">
                <strong>{matching === undefined ? <Skeleton inline width={40} height={16} /> : integer(matching)}</strong>
                <span className="muted small">
                  {outcome ? `${OUTCOMES[outcome as Outcome]?.label ?? outcome} ` : ""}samples ·{" "}
                  {SORTS.find(([key]) => key === filters.sort)?.[1].toLowerCase()}
                  {filters.sort === "typical" ? " (closest to the median edit ratio)" : ""}
                </span>
                <span className="spacer" />
                {pages.isFetching && !pages.isLoading ? <span className="muted small">updating…</span> : null}
              </div>
              {pages.isLoading ? (
                <div style={{ padding: "8px 12px", display: "grid", gap: 10 }} data-testid="samples-loading" aria-busy="true">
                  {Array.from({ length: 8 }, (_, i) => (
                    <Skeleton key={i} height={38} />
                  ))}
                </div>
              ) : empty ? (
                <EmptyState filtered={filters.filtered} onClear={filters.clear} />
              ) : (
                <SampleList
                  items={items}
                  selectedIndex={selectedIndex}
                  onSelect={(index) => filters.select(items[index].suggestionId)}
                  onOpen={(index) => {
                    filters.select(items[index].suggestionId);
                    setExpanded(true);
                  }}
                  hasNextPage={!!pages.hasNextPage}
                  isFetchingNextPage={pages.isFetchingNextPage}
                  fetchNextPage={() => void pages.fetchNextPage()}
                />
              )}
              <KeyboardHints canLabel={canLabel} />
            </section>
          ) : null}
          <section className="card detail-pane">
            <SampleDetail
              suggestionId={selectedId}
              view={view}
              onView={setView}
              expanded={expanded}
              onExpand={() => setExpanded(!expanded)}
              canLabel={canLabel}
              labelPending={labelMutation.isPending}
              onLabel={label}
            />
          </section>
        </div>
      )}
    </div>
  );
}

export default function RefinementsPage() {
  return (
    <Suspense fallback={<Skeleton height={480} />}>
      <Browser />
    </Suspense>
  );
}
