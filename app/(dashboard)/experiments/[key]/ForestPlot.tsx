import { signedPercent } from "@/app/components/format";
import styles from "./experiment.module.css";
import { forestX, type ForestScale } from "./forest";

export const FOREST_WIDTH = 190;

const TONE = { good: "#12a150", bad: "#d92d20", none: "#64748b" } as const;
export type ForestTone = keyof typeof TONE;

/** The axis above a forest plot's rows: ticks with their labels, zero emphasised. */
export function ForestAxis({ scale, width = FOREST_WIDTH }: { scale: ForestScale; width?: number }) {
  // One number of decimals for every label: as many as the step between ticks needs.
  const step = scale.ticks.length > 1 ? scale.ticks[1] - scale.ticks[0] : 1;
  const digits = step >= 0.0095 ? 0 : 1;
  // Labels closer than a label's width: every other one (zero always keeps its own).
  const crowded = width / Math.max(1, scale.ticks.length - 1) < 40;
  const zeroAt = scale.ticks.findIndex((t) => t === 0);
  return (
    <svg width={width} height={22} role="img" aria-label="Relative change axis" data-testid="forest-axis">
      <line x1={forestX(scale, scale.min, width)} x2={forestX(scale, scale.max, width)} y1={18} y2={18} stroke="#cbd5e1" />
      {scale.ticks.map((t, i) => (
        <g key={t}>
          <line x1={forestX(scale, t, width)} x2={forestX(scale, t, width)} y1={14} y2={18} stroke="#94a3b8" />
          <text x={forestX(scale, t, width)} y={10} fontSize={10} textAnchor="middle" fill={t === 0 ? "#16181d" : "#646b78"}>
            {t === 0 ? "0" : crowded && (i - zeroAt) % 2 !== 0 ? "" : signedPercent(t, digits)}
          </text>
        </g>
      ))}
    </svg>
  );
}

/**
 * One row of a forest plot: the estimate and its interval on the shared scale, with the ticks as faint
 * grid lines and zero marked; an interval cut at the axis's edge ends in an arrow.
 */
export function ForestRow({
  scale,
  estimate,
  interval,
  tone,
  label,
  width = FOREST_WIDTH,
}: {
  scale: ForestScale;
  estimate: number;
  interval: [number, number];
  tone: ForestTone;
  label: string;
  width?: number;
}) {
  const x = (v: number) => forestX(scale, v, width);
  const color = TONE[tone];
  const [lo, hi] = interval;
  return (
    <svg width={width} height={24} role="img" aria-label={label}>
      <title>{label}</title>
      {scale.ticks.map((t) => (
        <line key={t} x1={x(t)} x2={x(t)} y1={0} y2={24} stroke={t === 0 ? "#94a3b8" : "#eef1f5"} />
      ))}
      <line x1={x(lo)} x2={x(hi)} y1={12} y2={12} stroke={color} strokeWidth={2} />
      {lo >= scale.min ? (
        <line x1={x(lo)} x2={x(lo)} y1={7} y2={17} stroke={color} strokeWidth={2} />
      ) : (
        <Arrow x={x(lo)} dir={-1} color={color} />
      )}
      {hi <= scale.max ? (
        <line x1={x(hi)} x2={x(hi)} y1={7} y2={17} stroke={color} strokeWidth={2} />
      ) : (
        <Arrow x={x(hi)} dir={1} color={color} />
      )}
      <rect x={x(estimate) - 4} y={8} width={8} height={8} fill={color} transform={`rotate(45 ${x(estimate)} 12)`} />
    </svg>
  );
}

/**
 * A treatment's relative change in a forest-plot column: its row on the shared scale, toned by whether
 * it is a significant improvement (good), a significant harm (bad) or neither (null), and beside it the
 * estimate with its interval.
 */
export function RelativeChange({
  scale,
  lift,
  good,
  label,
}: {
  scale: ForestScale;
  lift: { relative: number; ciRelative: [number, number] };
  good: boolean | null;
  label: string;
}) {
  return (
    <div className="row" style={{ gap: 8, flexWrap: "nowrap" }}>
      <ForestRow
        scale={scale}
        estimate={lift.relative}
        interval={lift.ciRelative}
        tone={good === null ? "none" : good ? "good" : "bad"}
        label={label}
      />
      <span className="small">
        {signedPercent(lift.relative)}
        <span className={styles.sub}>
          {signedPercent(lift.ciRelative[0])} to {signedPercent(lift.ciRelative[1])}
        </span>
      </span>
    </div>
  );
}

function Arrow({ x, dir, color }: { x: number; dir: 1 | -1; color: string }) {
  return <path d={`M ${x} 12 l ${-dir * 6} -5 v 10 z`} fill={color} />;
}
