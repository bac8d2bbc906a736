"use client";

import Link from "next/link";
import { useState } from "react";
import { ErrorNote } from "@/app/components/ErrorNote";
import { Skeleton } from "@/app/components/Skeleton";
import { dateTime, integer, percent } from "@/app/components/format";
import { useRefinement, type Sample } from "@/lib/client/hooks";
import { CodeBlock, UnifiedDiff } from "./CodeView";
import { LABELS, labelText, labelTone, OUTCOMES, SYNTAX, type Label } from "./present";

export type DetailView = "split" | "diff";

function Measures({ sample }: { sample: Sample }) {
  const proposalChars = sample.proposal.length;
  const syntax = SYNTAX[sample.syntax] ?? { text: sample.syntax, tone: "" };
  return (
    <dl className="measures" data-testid="sample-measures">
      <div>
        <dt>Edit distance</dt>
        <dd>{integer(sample.editDistance)} chars</dd>
      </div>
      <div>
        <dt>Edit ratio</dt>
        <dd>{percent(sample.editRatio)}</dd>
      </div>
      <div>
        <dt>Retained</dt>
        <dd>
          {integer(sample.retainedChars)} of {integer(proposalChars)} chars
          {proposalChars ? <span className="muted"> ({percent(sample.retainedChars / proposalChars, 0)})</span> : null}
        </dd>
      </div>
      <div>
        <dt>Lines</dt>
        <dd>
          <span className="plus">+{sample.linesAdded}</span> <span className="minus">−{sample.linesRemoved}</span>
        </dd>
      </div>
      <div>
        <dt>Syntax</dt>
        <dd>
          <span className={`badge ${syntax.tone}`}>{syntax.text}</span>
        </dd>
      </div>
      <div>
        <dt>Outcome</dt>
        <dd>
          <span className={`badge ${OUTCOMES[sample.outcome].tone}`} title={OUTCOMES[sample.outcome].help}>
            {OUTCOMES[sample.outcome].label}
          </span>{" "}
          {sample.reasons.map((reason) => (
            <code key={reason} className="reason">
              {reason}
            </code>
          ))}
        </dd>
      </div>
    </dl>
  );
}

function LabelBox({
  sample,
  canLabel,
  pending,
  onLabel,
}: {
  sample: Sample;
  canLabel: boolean;
  pending: boolean;
  onLabel: (label: Label, note?: string) => void;
}) {
  const [note, setNote] = useState("");
  return (
    <div className="label-box" data-testid="sample-label">
      <div className="row">
        <strong>Label</strong>
        {sample.label ? (
          <>
            <span className={`badge ${labelTone(sample.label)}`} data-testid="current-label">
              {labelText(sample.label)}
            </span>
            <span className="muted small">
              by {sample.labeledBy ?? "—"} · {dateTime(sample.labeledAt)}
            </span>
          </>
        ) : (
          <span className="muted small" data-testid="current-label">
            not labeled
          </span>
        )}
      </div>
      {sample.labelNote ? <p className="small label-note">“{sample.labelNote}”</p> : null}
      {canLabel ? (
        <div className="row" style={{ marginTop: 8 }}>
          {LABELS.map((l) => (
            <button
              key={l.key}
              className={`button label-button ${l.tone}${sample.label === l.key ? " chosen" : ""}`}
              data-testid={`label-${l.key}`}
              aria-pressed={sample.label === l.key}
              disabled={pending}
              onClick={() => {
                onLabel(l.key, note.trim() || undefined);
                setNote("");
              }}
            >
              {l.text} <kbd>{l.shortcut}</kbd>
            </button>
          ))}
          <input
            className="label-note-input"
            aria-label="Note for the label"
            placeholder="Note (optional)"
            value={note}
            maxLength={2000}
            onChange={(e) => setNote(e.target.value)}
          />
        </div>
      ) : (
        <p className="muted small">Labeling needs the admin or researcher role.</p>
      )}
    </div>
  );
}

/** One sample in full: where it comes from, the proposal against the target (side by side or as a diff), measures and label. */
export function SampleDetail({
  suggestionId,
  view,
  onView,
  expanded,
  onExpand,
  canLabel,
  labelPending,
  onLabel,
}: {
  suggestionId: string | null;
  view: DetailView;
  onView: (view: DetailView) => void;
  expanded: boolean;
  onExpand: () => void;
  canLabel: boolean;
  labelPending: boolean;
  onLabel: (suggestionId: string, label: Label, note?: string) => void;
}) {
  const { data: sample, error, isLoading, isPlaceholderData } = useRefinement(suggestionId);
  if (!suggestionId) return <p className="empty">Select a sample to read it.</p>;
  if (error) return <ErrorNote error={error} />;
  if (isLoading || !sample) {
    return (
      <div className="sample-detail" aria-busy="true" data-testid="sample-loading" style={{ display: "grid", gap: 12 }}>
        <Skeleton width="60%" height={22} />
        <Skeleton width="40%" />
        <Skeleton height={260} />
      </div>
    );
  }
  const experimentLink = `/experiments/${encodeURIComponent(sample.experimentKey)}`;
  return (
    <article
      className={isPlaceholderData ? "sample-detail stale" : "sample-detail"}
      data-testid="sample-detail"
      data-suggestion-id={sample.suggestionId}
    >
      <header className="sample-head">
        <div>
          <div className="row">
            <h2 style={{ margin: 0 }}>
              <code>{sample.suggestionId}</code>
            </h2>
            <span className={`badge ${OUTCOMES[sample.outcome].tone}`}>{OUTCOMES[sample.outcome].label}</span>
            <span className="badge">{sample.language || "unknown language"}</span>
          </div>
          <p className="muted small">
            {sample.experimentKey ? (
              <>
                <Link href={experimentLink}>{sample.experimentKey}</Link> / {sample.variantKey} ·{" "}
              </>
            ) : (
              "outside experiments · "
            )}
            model <code>{sample.modelVersion}</code> · user <code>{sample.userId}</code> · {sample.ide || "—"} · {sample.userGroup || "—"}
          </p>
          <p className="muted small">
            accepted {dateTime(sample.acceptedAt)} · final state read {sample.windowSeconds}s later · refined {dateTime(sample.refinedAt)}
          </p>
        </div>
        <button className="button open-button" onClick={onExpand} title={expanded ? "Escape" : "Enter or o"}>
          {expanded ? "Back to the list" : "Open"} <kbd>{expanded ? "Esc" : "o"}</kbd>
        </button>
      </header>

      <LabelBox
        key={sample.suggestionId}
        sample={sample}
        canLabel={canLabel}
        pending={labelPending}
        onLabel={(label, note) => onLabel(sample.suggestionId, label, note)}
      />

      <Measures sample={sample} />

      {sample.outcome === "opted_out" ? (
        <p className="empty">The user opted out of training on their code: the sample keeps its measures, not the code.</p>
      ) : (
        <>
          <div className="row">
            <div className="tabs" role="tablist" aria-label="View">
              <button
                role="tab"
                aria-selected={view === "split"}
                className={view === "split" ? "active" : ""}
                onClick={() => onView("split")}
              >
                Side by side
              </button>
              <button role="tab" aria-selected={view === "diff"} className={view === "diff" ? "active" : ""} onClick={() => onView("diff")}>
                Unified diff
              </button>
            </div>
            <span className="muted small">
              <kbd>d</kbd> switches{view === "split" ? " · the context around the completion dimmed" : ""}
            </span>
          </div>
          {view === "split" ? (
            <div className="split">
              <section>
                <h3>Proposal</h3>
                <p className="muted small">What the model completed</p>
                <CodeBlock
                  code={sample.proposal}
                  prefix={sample.prefix}
                  suffix={sample.suffix}
                  language={sample.language}
                  testId="proposal"
                />
              </section>
              <section>
                <h3>Target</h3>
                <p className="muted small">What the user kept, less the context it repeats</p>
                <CodeBlock code={sample.target} prefix={sample.prefix} suffix={sample.suffix} language={sample.language} testId="target" />
              </section>
            </div>
          ) : (
            <UnifiedDiff diff={sample.diff} proposal={sample.proposal} target={sample.target} language={sample.language} />
          )}
        </>
      )}
    </article>
  );
}
