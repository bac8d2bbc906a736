"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ErrorNote } from "@/app/components/ErrorNote";
import { integer } from "@/app/components/format";
import { apiFetch } from "@/lib/client/api";
import { useApiMutation, useRefinementOutcomes, type DatasetView } from "@/lib/client/hooks";
import { OUTCOMES, type Outcome } from "../refinements/present";
import { SAMPLE_FILTERS, type SampleFilterParams } from "../refinements/useRefinementFilters";
import { FilterChips } from "./present";

/** What a dataset takes when the filter names no outcome (the API's default). */
const DEFAULT_OUTCOMES: Outcome[] = ["kept", "unchanged"];

/** The browser's filter as the API's dataset filter: set fields only, edit ratios as numbers. */
function datasetFilter(filter: SampleFilterParams): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const name of SAMPLE_FILTERS) {
    const value = filter[name];
    if (value === undefined) continue;
    out[name] = name === "minEditRatio" || name === "maxEditRatio" ? Number(value) : value;
  }
  return out;
}

/** Freezes the refinement browser's current filter into a dataset (name, format, validation share). */
export function CreateDataset({ filter }: { filter: SampleFilterParams }) {
  const router = useRouter();
  const { outcome, ...others } = filter;
  const counts = useRefinementOutcomes(others);
  const outcomes = outcome ? [outcome as Outcome] : DEFAULT_OUTCOMES;
  const selected = counts.data?.outcomes.filter((o) => outcomes.includes(o.outcome)).reduce((sum, o) => sum + o.count, 0);
  const [name, setName] = useState(
    () => `${filter.experimentKey ?? filter.modelVersion ?? "samples"}-${new Date().toISOString().slice(0, 10)}`,
  );
  const [format, setFormat] = useState("jsonl");
  const [validation, setValidation] = useState("10");
  const create = useApiMutation(
    (body: Record<string, unknown>) => apiFetch<DatasetView>("/api/v1/datasets", { method: "POST", json: body }),
    [["datasets"]],
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), filter: datasetFilter(filter), format, validationShare: Number(validation) / 100 },
      { onSuccess: (dataset) => router.push(`/datasets/${dataset.id}`) },
    );
  };
  return (
    <form className="card" onSubmit={submit} aria-label="Create a dataset">
      <h3>New dataset from the browser&apos;s filter</h3>
      <p className="muted small">
        The samples this filter selects now are frozen into the dataset: later samples never change it.
        {outcome ? "" : ` No outcome chosen: it takes ${DEFAULT_OUTCOMES.map((o) => OUTCOMES[o].label).join(" and ")} samples.`}
      </p>
      <div className="row" style={{ margin: "8px 0 12px" }}>
        <FilterChips filter={{ ...filter, outcome: outcomes, label: filter.label ? [filter.label] : undefined } as DatasetView["filter"]} />
        <span className="muted small" data-testid="dataset-selects">
          {selected === undefined ? "counting…" : `${integer(selected)} samples`}
        </span>
      </div>
      <div className="form-grid">
        <label>
          Name
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
        </label>
        <label>
          Format
          <select aria-label="Format" value={format} onChange={(e) => setFormat(e.target.value)}>
            <option value="jsonl">Prompt / completion (JSONL)</option>
            <option value="chat">Chat messages</option>
            <option value="fim">Fill-in-the-middle</option>
          </select>
        </label>
        <label>
          Validation share (%)
          <input type="number" min={0} max={50} step={1} value={validation} onChange={(e) => setValidation(e.target.value)} />
        </label>
      </div>
      <div className="row" style={{ marginTop: 12 }}>
        <button className="button primary" type="submit" disabled={create.isPending || selected === 0}>
          {create.isPending ? "Freezing…" : "Create dataset"}
        </button>
        {selected === 0 ? <span className="muted small">The filter selects no samples.</span> : null}
      </div>
      <ErrorNote error={create.error} />
    </form>
  );
}
