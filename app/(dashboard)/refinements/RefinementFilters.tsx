"use client";

import { useEffect, useRef, useState, type InputHTMLAttributes } from "react";
import { integer } from "@/app/components/format";
import { useExperiments, useModelVersions, type OutcomeCounts } from "@/lib/client/hooks";
import { OUTCOME_ORDER, OUTCOMES } from "./present";
import { SORTS, type RefinementFilters } from "./useRefinementFilters";

const LANGUAGES = ["python", "typescript", "javascript", "tsx", "go", "rust", "java", "kotlin", "c", "cpp", "ruby", "php"];

/** A text input that writes its value to the URL once typing pauses (and at once on Enter). */
function DebouncedInput({
  value,
  onCommit,
  ...rest
}: { value: string; onCommit: (value: string) => void } & Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange">) {
  const [draft, setDraft] = useState(value);
  const [shown, setShown] = useState(value);
  // The URL changed from elsewhere (cleared, a link): show it.
  if (value !== shown) {
    setShown(value);
    setDraft(value);
  }
  // The latest callback, so a parent's re-render does not restart the pause.
  const commit = useRef(onCommit);
  useEffect(() => {
    commit.current = onCommit;
  });
  useEffect(() => {
    if (draft === value) return;
    const timer = setTimeout(() => commit.current(draft), 400);
    return () => clearTimeout(timer);
  }, [draft, value]);
  return (
    <input
      {...rest}
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === "Enter") onCommit(draft);
        if (e.key === "Escape") e.currentTarget.blur();
      }}
    />
  );
}

/** An edit ratio bound typed as a percentage, kept in the URL as the API's 0–1 value. */
const toPercent = (ratio: string | undefined) => (ratio === undefined ? "" : String(Math.round(Number(ratio) * 1000) / 10));
const toRatio = (value: string) => {
  const number = Number(value);
  return value.trim() === "" || !Number.isFinite(number) ? undefined : String(Math.min(1, Math.max(0, number / 100)));
};

/** The browser's filters (each a URL parameter) and the outcome chips with their counts. */
export function RefinementFiltersBar({ filters, counts }: { filters: RefinementFilters; counts: OutcomeCounts | undefined }) {
  const { filter, set } = filters;
  const experiments = useExperiments().data?.items ?? [];
  const versions = useModelVersions().data?.items ?? [];
  const variants = experiments.find((e) => e.key === filter.experimentKey)?.variants ?? [];
  const total = counts?.outcomes.reduce((sum, o) => sum + o.count, 0);
  return (
    <section className="card filters" aria-label="Sample filters">
      <div className="row" style={{ gap: 12, alignItems: "flex-end" }}>
        <label>
          Experiment
          <select
            aria-label="Experiment"
            value={filter.experimentKey ?? ""}
            onChange={(e) => set({ experimentKey: e.target.value || undefined })}
          >
            <option value="">All</option>
            {filter.experimentKey && !experiments.some((e) => e.key === filter.experimentKey) ? (
              <option value={filter.experimentKey}>{filter.experimentKey}</option>
            ) : null}
            {experiments.map((e) => (
              <option key={e.key} value={e.key}>
                {e.key}
              </option>
            ))}
          </select>
        </label>
        <label>
          Variant
          <select
            aria-label="Variant"
            value={filter.variantKey ?? ""}
            disabled={!filter.experimentKey}
            onChange={(e) => set({ variantKey: e.target.value || undefined })}
          >
            <option value="">All</option>
            {filter.variantKey && !variants.some((v) => v.key === filter.variantKey) ? (
              <option value={filter.variantKey}>{filter.variantKey}</option>
            ) : null}
            {variants.map((v) => (
              <option key={v.key} value={v.key}>
                {v.key}
              </option>
            ))}
          </select>
        </label>
        <label>
          Model version
          <select
            aria-label="Model version"
            value={filter.modelVersion ?? ""}
            onChange={(e) => set({ modelVersion: e.target.value || undefined })}
          >
            <option value="">All</option>
            {filter.modelVersion && !versions.some((v) => v.key === filter.modelVersion) ? (
              <option value={filter.modelVersion}>{filter.modelVersion}</option>
            ) : null}
            {versions.map((v) => (
              <option key={v.key} value={v.key}>
                {v.key}
              </option>
            ))}
          </select>
        </label>
        <label>
          Language
          <DebouncedInput
            aria-label="Language"
            list="sample-languages"
            placeholder="any"
            size={10}
            value={filter.language ?? ""}
            onCommit={(language) => set({ language: language.trim() || undefined })}
          />
          <datalist id="sample-languages">
            {LANGUAGES.map((l) => (
              <option key={l} value={l} />
            ))}
          </datalist>
        </label>
        <label>
          Label
          <select aria-label="Label" value={filter.label ?? ""} onChange={(e) => set({ label: e.target.value || undefined })}>
            <option value="">Any</option>
            <option value="unlabeled">Unlabeled</option>
            <option value="good">Good</option>
            <option value="bad">Bad</option>
            <option value="needs_review">Needs review</option>
          </select>
        </label>
        <fieldset className="range">
          <legend>Edit ratio %</legend>
          <DebouncedInput
            aria-label="Minimum edit ratio (%)"
            type="number"
            min={0}
            max={100}
            step={5}
            placeholder="0"
            value={toPercent(filter.minEditRatio)}
            onCommit={(v) => set({ minEditRatio: toRatio(v) })}
          />
          <span className="muted">–</span>
          <DebouncedInput
            aria-label="Maximum edit ratio (%)"
            type="number"
            min={0}
            max={100}
            step={5}
            placeholder="100"
            value={toPercent(filter.maxEditRatio)}
            onCommit={(v) => set({ maxEditRatio: toRatio(v) })}
          />
        </fieldset>
        <label className="grow">
          Search code
          <DebouncedInput
            aria-label="Search code"
            type="search"
            placeholder="text in the proposal or the final code"
            value={filter.q ?? ""}
            onCommit={(q) => set({ q: q.trim() || undefined })}
          />
        </label>
        {filters.filtered ? (
          <button className="link-button clear" onClick={filters.clear}>
            Clear filters
          </button>
        ) : null}
      </div>
      <div className="row" style={{ marginTop: 12 }}>
        <div className="chips" role="group" aria-label="Outcome">
          <button
            className={!filter.outcome ? "chip active" : "chip"}
            aria-pressed={!filter.outcome}
            data-testid="outcome-chip-all"
            onClick={() => set({ outcome: undefined })}
          >
            All <span className="chip-count">{total === undefined ? "…" : integer(total)}</span>
          </button>
          {OUTCOME_ORDER.map((outcome) => {
            const count = counts?.outcomes.find((o) => o.outcome === outcome)?.count;
            const active = filter.outcome === outcome;
            return (
              <button
                key={outcome}
                className={`chip ${OUTCOMES[outcome].tone}${active ? " active" : ""}${count === 0 && !active ? " zero" : ""}`}
                aria-pressed={active}
                title={OUTCOMES[outcome].help}
                data-testid={`outcome-chip-${outcome}`}
                onClick={() => set({ outcome: active ? undefined : outcome })}
              >
                {OUTCOMES[outcome].label} <span className="chip-count">{count === undefined ? "…" : integer(count)}</span>
              </button>
            );
          })}
        </div>
        <span className="spacer" />
        <div className="tabs" role="tablist" aria-label="Sort">
          {SORTS.map(([key, text]) => (
            <button
              key={key}
              role="tab"
              aria-selected={filters.sort === key}
              className={filters.sort === key ? "active" : ""}
              onClick={() => set({ sort: key === "recent" ? undefined : key })}
            >
              {text}
            </button>
          ))}
        </div>
      </div>
    </section>
  );
}
