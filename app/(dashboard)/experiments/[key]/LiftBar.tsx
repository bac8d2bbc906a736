import { signedPercent } from "@/app/components/format";
import type { Lift } from "./verdict";

const WIDTH = 220;

/** The relative lift and its interval as a bar on a shared scale, zero marked; green or red once significant. */
export function LiftBar({ lift, scale, good }: { lift: Lift; scale: number; good: boolean | null }) {
  const x = (v: number) => WIDTH / 2 + (Math.max(-scale, Math.min(scale, v)) / scale) * (WIDTH / 2 - 6);
  const [lo, hi] = lift.ciRelative;
  const color = good === null ? "#94a3b8" : good ? "#12a150" : "#d92d20";
  const label = `Relative lift ${signedPercent(lift.relative)} (${signedPercent(lo)} to ${signedPercent(hi)})`;
  return (
    <svg width={WIDTH} height={26} role="img" aria-label={label}>
      <line x1={WIDTH / 2} x2={WIDTH / 2} y1={2} y2={24} stroke="#cbd5e1" />
      <rect x={x(lo)} y={8} width={Math.max(2, x(hi) - x(lo))} height={10} rx={5} fill={color} opacity={0.25} />
      <circle cx={x(lift.relative)} cy={13} r={4} fill={color} />
    </svg>
  );
}
