"use client";

import { useState, type FormEvent } from "react";
import Link from "next/link";
import { ErrorNote } from "@/app/components/ErrorNote";
import { dateTime } from "@/app/components/format";
import { StatusBadge } from "@/app/components/StatusBadge";
import { useCan } from "@/lib/client/hooks";
import {
  usePromotionAction,
  usePromotions,
  useProductionTimeline,
  useRollback,
  useStartPromotion,
  type ProductionChangeView,
  type PromotionView,
  type RampStep,
} from "@/lib/client/releases";

// Release management on the model-versions page: the ramp in progress with its steps and guardrail
// checks, its actions (advance, pause, override, rollback), the promote form and the production timeline.

const DEFAULT_STEPS: RampStep[] = [
  { percent: 5, minHours: 24 },
  { percent: 25, minHours: 24 },
  { percent: 50, minHours: 24 },
  { percent: 100, minHours: 0 },
];

const checkTone = { pass: "good", fail: "bad", insufficient: "warn", skipped: "" } as const;
const checkLabel: Record<string, string> = {
  acceptance_rate: "Acceptance rate (non-inferiority)",
  latency_p95: "Latency p95",
  show_rate: "Show rate",
  srm: "Sample ratio (SRM)",
};
const rampTone: Record<PromotionView["status"], string> = { running: "good", paused: "warn", completed: "accent", rolled_back: "bad" };

/** A button that asks for a written reason before it acts. */
export function ReasonAction(props: {
  label: string;
  confirmLabel?: string;
  tone?: "primary" | "danger" | "";
  required?: boolean;
  placeholder?: string;
  pending: boolean;
  onSubmit: (reason: string) => void;
  testId: string;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const required = props.required ?? true;
  if (!open) {
    return (
      <button className={`button ${props.tone ?? ""}`} onClick={() => setOpen(true)} data-testid={props.testId}>
        {props.label}
      </button>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit(reason.trim());
    setOpen(false);
    setReason("");
  };
  return (
    <form className="row" onSubmit={submit} aria-label={props.label}>
      <input
        autoFocus
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        placeholder={props.placeholder ?? "Reason (required)"}
        aria-label={`Reason to ${props.label.toLowerCase()}`}
        required={required}
        style={{ minWidth: 280 }}
      />
      <button className={`button ${props.tone ?? ""}`} type="submit" disabled={props.pending || (required && !reason.trim())}>
        {props.confirmLabel ?? props.label}
      </button>
      <button className="button" type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}

function Steps({ promotion }: { promotion: PromotionView }) {
  return (
    <ol className="row" style={{ listStyle: "none", padding: 0, gap: 6, flexWrap: "wrap" }} data-testid="ramp-steps">
      {promotion.steps.map((step, i) => {
        const done = i < promotion.currentStep || promotion.status === "completed";
        const current = i === promotion.currentStep && promotion.status !== "completed";
        return (
          <li
            key={i}
            className={`badge ${current ? (promotion.status === "paused" ? "warn" : "accent") : done ? "good" : ""}`}
            data-current={current ? "true" : undefined}
            style={{ padding: "6px 10px", fontSize: 13 }}
          >
            {step.percent}%{step.minHours ? ` · ${step.minHours} h` : ""}
            {current ? " ◀ now" : done ? " ✓" : ""}
          </li>
        );
      })}
    </ol>
  );
}

export function GuardrailChecks({ promotion }: { promotion: PromotionView }) {
  const checks = promotion.checks;
  if (!checks) return <p className="muted small">No guardrail evaluation yet: the background job checks a running step every 30 s.</p>;
  return (
    <div>
      <p className="muted small">
        Step {checks.step + 1} ({checks.percent}%) since {dateTime(checks.from)}: {checks.users.candidate} users on{" "}
        <code>{promotion.modelVersion}</code>, {checks.users.baseline} on <code>{promotion.baselineVersion ?? "—"}</code> outside
        experiments; evaluated {dateTime(checks.at)} — <strong data-testid="checks-verdict">{checks.verdict}</strong>
      </p>
      <table className="table" data-testid="guardrail-checks">
        <thead>
          <tr>
            <th>Check</th>
            <th>Result</th>
            <th>Numbers</th>
          </tr>
        </thead>
        <tbody>
          {checks.checks.map((c) => (
            <tr key={c.check} data-testid={`check-${c.check}`}>
              <td>{checkLabel[c.check] ?? c.check}</td>
              <td>
                <span className={`badge ${checkTone[c.status]}`}>{c.status}</span>
              </td>
              <td className="small">{c.summary}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ActiveRamp({ promotion }: { promotion: PromotionView }) {
  const canPromote = useCan("promote");
  const isAdmin = useCan("admin");
  const advance = usePromotionAction("advance");
  const pause = usePromotionAction("pause");
  const override = usePromotionAction("override");
  const id = promotion.id;
  return (
    <section className="card" data-testid="active-ramp">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h3 style={{ margin: 0 }}>
          Promoting <code>{promotion.modelVersion}</code> <span className="muted">over</span>{" "}
          <code>{promotion.baselineVersion ?? "no production"}</code>{" "}
          <span className={`badge ${rampTone[promotion.status]}`} data-testid="ramp-status">
            {promotion.status}
          </span>{" "}
          <span className="badge accent" data-testid="ramp-percent">
            {promotion.currentPercent}%
          </span>
        </h3>
        <span className="muted small">
          started {dateTime(promotion.createdAt)} by {promotion.createdBy}
          {promotion.experimentKey ? (
            <>
              {" "}
              · shipped from <Link href={`/experiments/${encodeURIComponent(promotion.experimentKey)}`}>{promotion.experimentKey}</Link> (
              {promotion.variantKey})
            </>
          ) : null}
        </span>
      </div>
      {promotion.reason ? <p>Reason: {promotion.reason}</p> : null}
      <Steps promotion={promotion} />
      <p className="muted small">
        Users outside running experiments whose hash falls below {promotion.currentPercent}% get <code>{promotion.modelVersion}</code>.
        {promotion.stepDueAt ? ` This step's minimum duration ends ${dateTime(promotion.stepDueAt)}.` : ""}
      </p>
      {promotion.pausedReason ? (
        <div className="banner bad" role="status" data-testid="paused-reason">
          {promotion.pausedReason}
        </div>
      ) : null}
      <GuardrailChecks promotion={promotion} />
      {canPromote ? (
        <div className="row" style={{ marginTop: 12, flexWrap: "wrap" }}>
          <ReasonAction
            label="Advance"
            confirmLabel="Advance to next step"
            tone="primary"
            testId="ramp-advance"
            pending={advance.isPending}
            onSubmit={(reason) => advance.mutate({ id, reason })}
          />
          {promotion.status === "running" ? (
            <ReasonAction
              label="Pause"
              required={false}
              placeholder="Reason (optional)"
              testId="ramp-pause"
              pending={pause.isPending}
              onSubmit={(reason) => pause.mutate({ id, reason })}
            />
          ) : null}
          {isAdmin ? (
            <ReasonAction
              label="Override"
              confirmLabel="Override guardrails and advance"
              tone="danger"
              testId="ramp-override"
              pending={override.isPending}
              onSubmit={(reason) => override.mutate({ id, reason })}
            />
          ) : null}
        </div>
      ) : null}
      <ErrorNote error={advance.error ?? pause.error ?? override.error} />
    </section>
  );
}

/** The ramp in progress, if any, and the rollback action. */
export function ReleasePanel() {
  const { data, error, isLoading } = usePromotions();
  const canPromote = useCan("promote");
  const rollback = useRollback();
  const active = data?.items.find((p) => p.status === "running" || p.status === "paused");
  return (
    <>
      <ErrorNote error={error} />
      {isLoading ? <p className="muted">Loading releases…</p> : null}
      {active ? <ActiveRamp promotion={active} /> : null}
      {data && !active ? (
        <p className="muted" data-testid="no-ramp">
          No promotion in progress. Promote a candidate from the table below, or ship a variant from its experiment.
        </p>
      ) : null}
      {canPromote ? (
        <div className="row">
          <ReasonAction
            label={active ? "Roll back (end this ramp)" : "Roll back to the previous production version"}
            confirmLabel="Roll back now"
            tone="danger"
            testId="rollback"
            pending={rollback.isPending}
            onSubmit={(reason) => rollback.mutate(reason)}
          />
          {rollback.isSuccess ? (
            <span className="muted" data-testid="rollback-done">
              Production is <code>{rollback.data.key}</code> (from {rollback.data.rollback.from}).
            </span>
          ) : null}
          <ErrorNote error={rollback.error} />
        </div>
      ) : null}
    </>
  );
}

/** Promote a version: editable steps (percent and minimum hours) and a reason. */
export function PromoteAction({ versionKey }: { versionKey: string }) {
  const [open, setOpen] = useState(false);
  const [steps, setSteps] = useState<RampStep[]>(DEFAULT_STEPS);
  const [reason, setReason] = useState("");
  const start = useStartPromotion();
  if (!open) {
    return (
      <button className="button" onClick={() => setOpen(true)} data-testid={`promote-${versionKey}`}>
        Promote…
      </button>
    );
  }
  const setStep = (i: number, field: keyof RampStep, value: string) =>
    setSteps((current) => current.map((s, j) => (j === i ? { ...s, [field]: Number(value) } : s)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate({ key: versionKey, steps, reason: reason.trim() || undefined }, { onSuccess: () => setOpen(false) });
  };
  return (
    <form onSubmit={submit} aria-label={`Promote ${versionKey}`} className="stack" style={{ minWidth: 320 }}>
      <table className="table small">
        <thead>
          <tr>
            <th>Step</th>
            <th>Percent</th>
            <th>Min. hours</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {steps.map((step, i) => (
            <tr key={i}>
              <td>{i + 1}</td>
              <td>
                <input
                  type="number"
                  min={1}
                  max={100}
                  value={step.percent}
                  onChange={(e) => setStep(i, "percent", e.target.value)}
                  aria-label={`Step ${i + 1} percent`}
                  style={{ width: 70 }}
                />
              </td>
              <td>
                <input
                  type="number"
                  min={0}
                  step="any"
                  value={step.minHours}
                  onChange={(e) => setStep(i, "minHours", e.target.value)}
                  aria-label={`Step ${i + 1} minimum hours`}
                  style={{ width: 70 }}
                />
              </td>
              <td>
                {steps.length > 1 ? (
                  <button type="button" className="link-button" onClick={() => setSteps(steps.filter((_, j) => j !== i))}>
                    remove
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <button
          type="button"
          className="link-button"
          onClick={() =>
            setSteps([...steps.slice(0, -1), { percent: Math.min(99, (steps.at(-2)?.percent ?? 0) + 10), minHours: 24 }, steps.at(-1)!])
          }
        >
          add a step
        </button>
      </div>
      <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Reason" aria-label="Reason to promote" />
      <div className="row">
        <button className="button primary" type="submit" disabled={start.isPending}>
          Start ramp
        </button>
        <button className="button" type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      <ErrorNote error={start.error} />
    </form>
  );
}

const kindLabel: Record<ProductionChangeView["kind"], string> = {
  promotion: "promoted (ramp reached 100%)",
  rollback: "rolled back",
  ramp_stopped: "ramp rolled back",
  manual: "set directly",
};

/** Which version served production when, and why it changed. */
export function ProductionTimeline() {
  const { data, error, isLoading } = useProductionTimeline();
  return (
    <section className="card">
      <h3>Production timeline</h3>
      <ErrorNote error={error} />
      {isLoading ? <p className="muted">Loading…</p> : null}
      {data && data.items.length === 0 ? <p className="empty">No production version yet.</p> : null}
      {data && data.items.length > 0 ? (
        <table className="table" data-testid="production-timeline">
          <thead>
            <tr>
              <th>When</th>
              <th>Production</th>
              <th>Change</th>
              <th>Why</th>
              <th>Who</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((item) => (
              <tr key={item.id} data-testid={`timeline-${item.kind}`}>
                <td className="nowrap">
                  {dateTime(item.at)}
                  <div className="muted small">
                    {item.kind === "ramp_stopped" ? "production unchanged" : item.until ? `until ${dateTime(item.until)}` : "serving now"}
                  </div>
                </td>
                <td>
                  <code>{item.modelVersion}</code>{" "}
                  {item.kind !== "ramp_stopped" && !item.until ? <StatusBadge status="production" /> : null}
                </td>
                <td>
                  <span className={`badge ${item.kind === "promotion" ? "good" : item.kind === "manual" ? "" : "bad"}`}>
                    {kindLabel[item.kind]}
                  </span>
                  {item.previousVersion ? (
                    <span className="muted small">
                      {" "}
                      {item.kind === "ramp_stopped" ? "ended the ramp of" : "replacing"} <code>{item.previousVersion}</code>
                    </span>
                  ) : null}
                </td>
                <td>{item.reason ?? <span className="muted">—</span>}</td>
                <td className="muted small">{item.actor}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
