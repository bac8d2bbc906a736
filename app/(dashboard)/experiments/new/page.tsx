"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ErrorNote } from "@/app/components/ErrorNote";
import { apiFetch } from "@/lib/client/api";
import { useApiMutation, useModelVersions, type ExperimentView } from "@/lib/client/hooks";
import { METRIC_KEYS, METRICS, type MetricKey } from "@/lib/metrics/registry";

interface VariantDraft {
  key: string;
  modelVersion: string;
  weightPercent: number;
}

/** The API's primary metric when none is given. */
const DEFAULT_PRIMARY_METRIC: MetricKey = "acceptance_rate";

const list = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export default function NewExperimentPage() {
  const router = useRouter();
  const versions = useModelVersions();
  const options = (versions.data?.items ?? []).filter((v) => v.status !== "retired");
  // The control is what users get today (the production version); treatments default to another version.
  const production = options.find((v) => v.status === "production")?.key;
  const defaultVersion = (index: number) =>
    index === 0 ? (production ?? options[0]?.key) : (options.find((v) => v.key !== production)?.key ?? options[0]?.key);
  const [variants, setVariants] = useState<VariantDraft[]>([
    { key: "control", modelVersion: "", weightPercent: 50 },
    { key: "treatment", modelVersion: "", weightPercent: 50 },
  ]);
  const create = useApiMutation(
    (body: unknown) => apiFetch<ExperimentView>("/api/v1/experiments", { method: "POST", json: body }),
    [["experiments"]],
  );

  const setVariant = (index: number, patch: Partial<VariantDraft>) =>
    setVariants((vs) => vs.map((v, i) => (i === index ? { ...v, ...patch } : v)));
  const addVariant = () => setVariants((vs) => [...vs, { key: `variant-${vs.length}`, modelVersion: "", weightPercent: 0 }]);
  const total = variants.reduce((s, v) => s + v.weightPercent, 0);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    const targeting: Record<string, { in: string[] }> = {};
    if (list(form.languages ?? "").length) targeting.language = { in: list(form.languages) };
    if (list(form.userGroups ?? "").length) targeting.userGroup = { in: list(form.userGroups) };
    if (list(form.ides ?? "").length) targeting.ide = { in: list(form.ides) };
    const body = {
      key: form.key,
      name: form.name,
      hypothesis: form.hypothesis || undefined,
      coverage: Number(form.coveragePercent) / 100,
      primaryMetric: form.primaryMetric,
      targetEffect: form.targetEffectPercent ? Number(form.targetEffectPercent) / 100 : undefined,
      variants: variants.map((v, i) => ({ key: v.key, modelVersion: v.modelVersion || defaultVersion(i), weight: v.weightPercent / 100 })),
      namespace: form.namespaceName
        ? { name: form.namespaceName, start: Number(form.namespaceStart) / 100, end: Number(form.namespaceEnd) / 100 }
        : undefined,
      targeting: Object.keys(targeting).length ? targeting : undefined,
    };
    create.mutate(body, { onSuccess: (experiment) => router.push(`/experiments/${experiment.key}`) });
  };

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>New experiment</h1>
          <p className="muted">Users are split by a hash of their id, so each keeps the same model version for the whole experiment.</p>
        </div>
      </header>
      <form className="card" onSubmit={submit} aria-label="New experiment" style={{ display: "flex", flexDirection: "column", gap: 14 }}>
        <div className="form-grid">
          <label>
            Key
            <input name="key" required placeholder="refined-model-nov" />
          </label>
          <label>
            Name
            <input name="name" required placeholder="Refinement-trained model vs production" />
          </label>
          <label>
            Primary metric
            <select name="primaryMetric" defaultValue={DEFAULT_PRIMARY_METRIC}>
              {METRIC_KEYS.map((key) => (
                <option key={key} value={key}>
                  {METRICS[key].label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Coverage (% of eligible users)
            <input name="coveragePercent" type="number" min={1} max={100} defaultValue={100} required />
          </label>
          <label>
            Target effect (relative change %, sizes the experiment)
            <input name="targetEffectPercent" type="number" min={0.1} max={1000} step={0.1} placeholder="2 (default)" />
          </label>
        </div>
        <label>
          Hypothesis
          <textarea name="hypothesis" rows={2} placeholder="Training on refined completions raises acceptance without hurting latency." />
        </label>
        <div>
          <h3>Variants</h3>
          <p className="muted small">The first variant is the control, by default the production version. Weights must add up to 100%.</p>
          <table className="table">
            <thead>
              <tr>
                <th>Key</th>
                <th>Model version</th>
                <th className="num">Weight %</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {variants.map((v, i) => (
                <tr key={i}>
                  <td>
                    <input
                      aria-label={`Variant ${i + 1} key`}
                      value={v.key}
                      onChange={(e) => setVariant(i, { key: e.target.value })}
                      required
                    />
                  </td>
                  <td>
                    <select
                      aria-label={`Variant ${i + 1} model version`}
                      value={v.modelVersion || defaultVersion(i) || ""}
                      onChange={(e) => setVariant(i, { modelVersion: e.target.value })}
                    >
                      {options.map((o) => (
                        <option key={o.key} value={o.key}>
                          {o.key} ({o.status}
                          {o.status === "production" && i === 0 ? ", what users get today" : ""})
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="num">
                    <input
                      aria-label={`Variant ${i + 1} weight`}
                      type="number"
                      min={0}
                      max={100}
                      value={v.weightPercent}
                      onChange={(e) => setVariant(i, { weightPercent: Number(e.target.value) })}
                      style={{ width: 90 }}
                    />
                  </td>
                  <td>
                    {variants.length > 2 ? (
                      <button type="button" className="button nowrap" onClick={() => setVariants((vs) => vs.filter((_, j) => j !== i))}>
                        Remove
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="row" style={{ marginTop: 8 }}>
            <button type="button" className="button" onClick={addVariant}>
              Add variant
            </button>
            <span className={total === 100 ? "muted" : "error-text"}>Total {total}%</span>
          </div>
        </div>
        <details>
          <summary>Targeting and namespace (optional)</summary>
          <div className="form-grid" style={{ marginTop: 10 }}>
            <label>
              Languages (comma-separated)
              <input name="languages" placeholder="python, typescript" />
            </label>
            <label>
              IDEs
              <input name="ides" placeholder="vscode, jetbrains" />
            </label>
            <label>
              User groups
              <input name="userGroups" placeholder="internal" />
            </label>
            <label>
              Namespace
              <input name="namespaceName" placeholder="completion-model" />
            </label>
            <label>
              Namespace from %
              <input name="namespaceStart" type="number" min={0} max={100} defaultValue={0} />
            </label>
            <label>
              Namespace to %
              <input name="namespaceEnd" type="number" min={0} max={100} defaultValue={100} />
            </label>
          </div>
        </details>
        <ErrorNote error={create.error} />
        <div className="row">
          <button className="button primary" type="submit" disabled={create.isPending || !options.length}>
            {create.isPending ? "Creating…" : "Create experiment"}
          </button>
          {!options.length && !versions.isLoading ? <span className="muted">Register a model version first.</span> : null}
        </div>
      </form>
    </div>
  );
}
