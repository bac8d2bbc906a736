"use client";

import { useEffect, useRef, useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { ErrorNote } from "@/app/components/ErrorNote";
import { percent, pValue, signedPercent, signedPoints } from "@/app/components/format";
import { useCan, useResults, type ExperimentView } from "@/lib/client/hooks";
import { useShip } from "@/lib/client/releases";

// "Ship <variant>" on the experiment page: a confirmation that shows the decision's evidence (the
// primary metric's lift with its interval, the variant's guardrails, SRM), asks for a reason, and an
// override reason when a guardrail fails or the split is mismatched. The server recomputes the same
// evidence and stores it with the promotion it starts.

/** "p = 0.012", or "p < 0.001". */
function pText(v: number | null | undefined) {
  const text = pValue(v);
  return text.startsWith("<") ? `p ${text}` : `p = ${text}`;
}

function value(unit: string, v: number | null | undefined) {
  return unit === "rate" ? percent(v) : v === null || v === undefined ? "—" : `${Math.round(v)}${unit === "ms" ? " ms" : ""}`;
}

function Evidence({
  experiment,
  variantKey,
  onProblems,
}: {
  experiment: ExperimentView;
  variantKey: string;
  onProblems: (n: number) => void;
}) {
  const results = useResults(experiment.key, { metric: experiment.primaryMetric });
  const data = results.data;
  const guardrails = data?.guardrails.filter((g) => g.variant === variantKey) ?? [];
  const problems = guardrails.filter((g) => g.worse).length + (data?.srm.mismatch ? 1 : 0);
  useEffect(() => onProblems(problems), [problems, onProblems]);
  if (results.error) return <ErrorNote error={results.error} />;
  if (!data) return <p className="muted">Computing the evidence…</p>;
  const control = data.variants[0];
  const treatment = data.variants.find((v) => v.key === variantKey);
  const lift = treatment?.lift;
  return (
    <div className="stack" data-testid="ship-evidence">
      <table className="table">
        <tbody>
          <tr>
            <td>{data.metricLabel} (primary)</td>
            <td>
              {value(data.unit, treatment?.rate)} vs {value(data.unit, control?.rate)} ({control?.key})
            </td>
          </tr>
          <tr>
            <td>Lift</td>
            <td data-testid="ship-lift">
              {lift ? (
                <>
                  {data.unit === "rate" ? signedPoints(lift.absolute) : signedPercent(lift.relative)} ({signedPercent(lift.relative)}), 95%
                  interval{" "}
                  {data.unit === "rate"
                    ? `${signedPoints(lift.ciAbsolute[0])} to ${signedPoints(lift.ciAbsolute[1])}`
                    : `${signedPercent(lift.ciRelative[0])} to ${signedPercent(lift.ciRelative[1])}`}
                  , {pText(treatment?.pValue)}
                </>
              ) : (
                <span className="muted">no estimate yet ({treatment?.note ?? "not enough data"})</span>
              )}
            </td>
          </tr>
          {guardrails.map((g) => (
            <tr key={g.metric} data-testid={`ship-guardrail-${g.metric}`}>
              <td>Guardrail {g.metric.replace(/_/g, " ")}</td>
              <td>
                <span className={`badge ${g.worse ? "bad" : "good"}`}>{g.worse ? "significantly worse" : "holds"}</span>{" "}
                <span className="muted small">
                  {g.relativeChange !== null ? signedPercent(g.relativeChange) : (g.note ?? "")}
                  {g.pValue !== null ? `, ${pText(g.pValue)}` : ""}
                </span>
              </td>
            </tr>
          ))}
          <tr data-testid="ship-srm">
            <td>Sample ratio</td>
            <td>
              <span className={`badge ${data.srm.mismatch ? "bad" : "good"}`}>{data.srm.mismatch ? "mismatch" : "as configured"}</span>{" "}
              <span className="muted small">{pText(data.srm.pValue)}</span>
            </td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}

function ShipForm({ experiment, variantKey, close }: { experiment: ExperimentView; variantKey: string; close: () => void }) {
  const router = useRouter();
  const ship = useShip(experiment.key);
  const [reason, setReason] = useState("");
  const [override, setOverride] = useState("");
  const [problems, setProblems] = useState(0);
  const needsOverride = problems > 0 || (ship.error as { status?: number } | null)?.status === 409;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    ship.mutate(
      { variantKey, reason: reason.trim(), ...(override.trim() ? { override: { reason: override.trim() } } : {}) },
      {
        onSuccess: () => {
          close();
          router.push("/model-versions");
        },
      },
    );
  };
  const variant = experiment.variants.find((v) => v.key === variantKey)!;
  return (
    <form onSubmit={submit} className="stack" aria-label={`Ship ${variantKey}`}>
      <h3 style={{ marginTop: 0 }}>
        Ship {variantKey} (<code>{variant.modelVersion}</code>)
      </h3>
      <p className="muted small">
        Stops the experiment and starts ramping <code>{variant.modelVersion}</code> to production (5% → 25% → 50% → 100%, a day each, with
        guardrails at every step).
      </p>
      <Evidence experiment={experiment} variantKey={variantKey} onProblems={setProblems} />
      <label>
        Reason
        <textarea
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          required
          rows={2}
          placeholder="Why ship it"
          aria-label="Reason to ship"
        />
      </label>
      {needsOverride ? (
        <label>
          Override reason (a guardrail fails or the split is mismatched)
          <textarea value={override} onChange={(e) => setOverride(e.target.value)} rows={2} aria-label="Override reason" />
        </label>
      ) : null}
      <div className="row">
        <button
          className="button primary"
          type="submit"
          disabled={ship.isPending || !reason.trim() || (problems > 0 && !override.trim())}
          data-testid="ship-confirm"
        >
          {ship.isPending ? "Shipping…" : `Ship ${variantKey}`}
        </button>
        <button className="button" type="button" onClick={close}>
          Cancel
        </button>
      </div>
      <ErrorNote error={ship.error} />
    </form>
  );
}

/** One "Ship <variant>" button per treatment variant, for people with the promote permission. */
export function ShipActions({ experiment }: { experiment: ExperimentView }) {
  const canPromote = useCan("promote");
  const dialog = useRef<HTMLDialogElement>(null);
  const [variantKey, setVariantKey] = useState<string | null>(null);
  if (!canPromote || experiment.status === "draft") return null;
  const open = (key: string) => {
    setVariantKey(key);
    dialog.current?.showModal();
  };
  const close = () => {
    dialog.current?.close();
    setVariantKey(null);
  };
  return (
    <>
      {experiment.variants.slice(1).map((v) => (
        <button key={v.key} className="button primary" onClick={() => open(v.key)} data-testid={`ship-${v.key}`}>
          Ship {v.key}
        </button>
      ))}
      <dialog
        ref={dialog}
        onClose={() => setVariantKey(null)}
        style={{ maxWidth: 680, width: "90vw", border: "none", borderRadius: 12, padding: 24 }}
      >
        {variantKey ? <ShipForm experiment={experiment} variantKey={variantKey} close={close} /> : null}
      </dialog>
    </>
  );
}
