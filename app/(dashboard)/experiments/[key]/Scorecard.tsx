"use client";

import { integer, percent, pValue } from "@/app/components/format";
import type { ExperimentView, Scorecard as ScorecardAnswer } from "@/lib/client/hooks";
import { scorecardOrder } from "@/lib/results/scorecard";
import { METRICS, type MetricKey } from "@/lib/metrics/registry";
import styles from "./experiment.module.css";
import { forestScale, type ForestScale } from "./forest";
import { FOREST_WIDTH, ForestAxis, RelativeChange } from "./ForestPlot";
import {
  chanceBetter,
  formatChange,
  formatChangeInterval,
  formatValue,
  intervalName,
  liftWithInterval,
  pEquals,
  shippingLoss,
  significantImprovement,
  verdict,
  type ScorecardMetric,
  type Variant,
} from "./verdict";

const GROUPS = [
  ["primary", "Primary metric"],
  ["secondary", "Secondary metrics"],
  ["guardrail", "Guardrails · also tested one-sided for harm"],
] as const;

/** The decision-support line under a metric: what it can detect now, users so far and needed, days left. */
function decisionLine(metric: ScorecardMetric, card: ScorecardAnswer): string {
  if (metric.mde === null || metric.mde === undefined) return "MDE: not enough data yet";
  const target = percent(card.targetEffect, card.targetEffect < 0.1 ? 1 : 0);
  const parts = [`MDE ±${percent(metric.mde, 1)}`];
  if (metric.usersNeeded !== null && metric.usersNeeded !== undefined) {
    if ((metric.usersSoFar ?? 0) >= metric.usersNeeded) parts.push(`enough users for ${target} (${integer(metric.usersSoFar)})`);
    else {
      parts.push(`${integer(metric.usersSoFar)} of ${integer(metric.usersNeeded)} users for ${target}`);
      if (metric.daysRemaining !== null && metric.daysRemaining !== undefined) parts.push(`~${integer(metric.daysRemaining)} days left`);
      else if (card.status !== "running") parts.push("stopped");
    }
  }
  return parts.join(" · ");
}

function Skeleton() {
  return <span className="skeleton inline" style={{ width: 72, height: 12 }} />;
}

/**
 * Every metric at once: primary first, then secondary, then guardrails; per treatment the variants'
 * values, the absolute change and the relative change with intervals on one shared axis (a forest
 * plot), the p-value of that interval (or chance to win), and the verdict. A metric's name opens its
 * details below.
 */
export function Scorecard({
  experiment,
  card,
  selected,
  onSelect,
}: {
  experiment: ExperimentView;
  card: ScorecardAnswer | undefined;
  selected: MetricKey;
  onSelect: (metric: MetricKey) => void;
}) {
  const control = experiment.variants[0];
  const treatments = experiment.variants.slice(1);
  const bayesian = card?.method === "bayesian";
  const intervals = card
    ? card.metrics.flatMap((m) => m.variants.flatMap((v) => (v.lift ? [v.lift.ciRelative as [number, number]] : [])))
    : [];
  const scale = forestScale(intervals);
  const order = card
    ? card.metrics.map((m) => ({ metric: m.metric, role: m.role }))
    : scorecardOrder(experiment.primaryMetric, experiment.guardrailMetrics);
  return (
    <table className={`table ${styles.scorecard}`} data-testid="scorecard-table" aria-busy={!card}>
      <thead>
        <tr>
          <th>Metric</th>
          <th className="num">{control.key}</th>
          <th className="num">{treatments.length === 1 ? treatments[0].key : "Treatment"}</th>
          <th className="num">Absolute change</th>
          <th>
            <div>
              Relative change <span className={styles.sub}>{card ? intervalName(card.method, card.alpha) : "interval"}</span>
            </div>
            <ForestAxis scale={scale} />
          </th>
          <th className="num" title={bayesian ? "Chance that the treatment is better, in the metric's good direction" : undefined}>
            {bayesian ? "Chance to win" : "p-value"}
          </th>
          <th>Verdict</th>
        </tr>
      </thead>
      {GROUPS.map(([role, title]) => {
        const metrics = order.filter((m) => m.role === role);
        if (!metrics.length) return null;
        return (
          <tbody key={role} data-testid={`group-${role}`}>
            <tr className={styles.group}>
              <td colSpan={7}>{title}</td>
            </tr>
            {metrics.map(({ metric }) => {
              const row = card?.metrics.find((m) => m.metric === metric);
              return treatments.map((t, i) => (
                <MetricRow
                  key={`${metric}-${t.key}`}
                  metric={metric}
                  row={row}
                  card={card}
                  controlKey={control.key}
                  treatmentKey={t.key}
                  first={i === 0}
                  scale={scale}
                  selected={metric === selected}
                  onSelect={onSelect}
                />
              ));
            })}
          </tbody>
        );
      })}
    </table>
  );
}

function MetricRow({
  metric,
  row,
  card,
  controlKey,
  treatmentKey,
  first,
  scale,
  selected,
  onSelect,
}: {
  metric: MetricKey;
  row: ScorecardMetric | undefined;
  card: ScorecardAnswer | undefined;
  controlKey: string;
  treatmentKey: string;
  first: boolean;
  scale: ForestScale;
  selected: boolean;
  onSelect: (metric: MetricKey) => void;
}) {
  const definition = METRICS[metric];
  const id = `${metric}-${treatmentKey}`;
  const label = (
    <td>
      {first ? (
        <>
          <button
            className={styles.metricButton}
            onClick={() => onSelect(metric)}
            aria-pressed={selected}
            title={`${definition.formula}. Show its details below.`}
          >
            {definition.label}
          </button>
          <span className={styles.sub} data-testid={`decision-${metric}`}>
            {row && card ? decisionLine(row, card) : <Skeleton />}
          </span>
        </>
      ) : (
        <span className="muted small">{treatmentKey}</span>
      )}
    </td>
  );
  if (!row || !card) {
    return (
      <tr className={selected ? styles.selected : undefined} data-testid={`score-row-${id}`}>
        {label}
        {[0, 1, 2].map((k) => (
          <td key={k} className="num">
            <Skeleton />
          </td>
        ))}
        <td style={{ width: FOREST_WIDTH }}>
          <span className="skeleton" style={{ width: FOREST_WIDTH, height: 16 }} />
        </td>
        <td className="num">
          <Skeleton />
        </td>
        <td>
          <Skeleton />
        </td>
      </tr>
    );
  }
  const c = row.variants.find((v) => v.key === controlKey)!;
  const t = row.variants.find((v) => v.key === treatmentKey)!;
  const context = { higherIsBetter: row.higherIsBetter, method: card.method };
  const tone = verdict(t, context);
  const good = significantImprovement(t, context);
  const guardrail = row.guardrail?.find((g) => g.variant === treatmentKey);
  return (
    <tr className={selected ? styles.selected : undefined} data-testid={`score-row-${id}`}>
      {label}
      <td className="num" data-testid={`value-${metric}-${controlKey}`}>
        {first ? <ValueCell variant={c} unit={row.unit} /> : null}
      </td>
      <td className="num" data-testid={`value-${id}`}>
        <ValueCell variant={t} unit={row.unit} adjusted={card.cuped && t.unadjustedRate !== undefined && t.unadjustedRate !== null} />
      </td>
      <td className="num" data-testid={`abs-${id}`}>
        {t.lift ? (
          <>
            {formatChange(t.lift.absolute, row.unit)}
            <span className={styles.sub}>{formatChangeInterval(t.lift.ciAbsolute, row.unit)}</span>
            {t.lift.pValueAbsolute !== null && t.lift.pValueAbsolute !== undefined ? (
              <span className={styles.sub} title="Two-sided p-value of the absolute change: below α exactly when its interval excludes 0">
                {pEquals(t.lift.pValueAbsolute)}
              </span>
            ) : null}
          </>
        ) : (
          "—"
        )}
      </td>
      <td data-testid={`rel-${id}`}>
        {t.lift ? (
          <RelativeChange
            scale={scale}
            lift={t.lift}
            good={good}
            label={`${definition.label}, ${treatmentKey}: relative change ${liftWithInterval(t.lift)}`}
          />
        ) : (
          <span className={`muted small ${styles.note}`}>{t.users === 0 && c.users === 0 ? "no data yet" : (t.note ?? "")}</span>
        )}
      </td>
      <td className="num" data-testid={`p-${id}`}>
        {card.method === "bayesian" ? (
          <>
            {percent(chanceBetter(t.chanceToWin, row.higherIsBetter), 1)}
            {t.expectedLoss ? (
              <span className={styles.sub} title="Expected relative lift given up by shipping this variant if it is in fact worse">
                loss {percent(shippingLoss(t.expectedLoss, row.higherIsBetter), 2)}
              </span>
            ) : null}
          </>
        ) : (
          <>
            {pValue(card.correction === "none" ? t.pValue : t.adjustedPValue)}
            {card.correction !== "none" && t.pValue !== null ? <span className={styles.sub}>raw {pValue(t.pValue)}</span> : null}
          </>
        )}
      </td>
      <td data-testid={`verdict-${id}`}>
        {tone.label ? <span className={`badge ${tone.tone}`}>{tone.label}</span> : null}
        {guardrail ? <GuardrailNote guardrail={guardrail} /> : null}
      </td>
    </tr>
  );
}

function ValueCell({ variant, unit, adjusted = false }: { variant: Variant; unit: ScorecardMetric["unit"]; adjusted?: boolean }) {
  if (variant.users === 0) return <span className="muted">no data yet</span>;
  return (
    <>
      {formatValue(variant.rate, unit)}
      {adjusted ? (
        <span
          className="badge accent"
          title={`CUPED-adjusted; unadjusted ${formatValue(variant.unadjustedRate, unit)}`}
          style={{ marginLeft: 4 }}
        >
          adj.
        </span>
      ) : null}
      <span className={styles.sub} title={`${integer(variant.users)} users`}>
        {variant.ci ? `${formatValue(variant.ci[0], unit)} to ${formatValue(variant.ci[1], unit)}` : "no interval"}
      </span>
    </>
  );
}

function GuardrailNote({ guardrail }: { guardrail: NonNullable<ScorecardMetric["guardrail"]>[number] }) {
  if (guardrail.pValue === null) return <span className={styles.sub}>harm test: no data yet</span>;
  const p = pEquals(guardrail.adjustedPValue ?? guardrail.pValue);
  return (
    <span className={styles.sub} title="One-sided test of harm: small only when the change goes the harmful way">
      {guardrail.worse ? <span className="badge bad">harm</span> : "no harm"} · one-sided {p}
    </span>
  );
}
