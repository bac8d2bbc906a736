import { describe, expect, it } from "vitest";
import { forestScale, forestX } from "@/app/(dashboard)/experiments/[key]/forest";

describe("forest plot scale", () => {
  it("keeps 0 and every interval inside, on round ticks", () => {
    const scale = forestScale([
      [0.12, 0.38],
      [-0.05, 0.1],
    ]);
    expect(scale.min).toBeLessThanOrEqual(-0.05);
    expect(scale.max).toBeGreaterThanOrEqual(0.38);
    expect(scale.ticks).toContain(0);
    const step = scale.ticks[1] - scale.ticks[0];
    expect([0.05, 0.1, 0.2]).toContainEqual(Number(step.toFixed(10)));
    for (const t of scale.ticks) expect(Math.abs(t / step - Math.round(t / step))).toBeLessThan(1e-9);
  });

  it("shows ±5% without intervals and cuts a young experiment's interval at ±100%", () => {
    expect(forestScale([])).toMatchObject({ min: expect.any(Number), max: expect.any(Number) });
    const empty = forestScale([]);
    expect(empty.min).toBeLessThanOrEqual(-0.05);
    expect(empty.max).toBeGreaterThanOrEqual(0.05);
    const wide = forestScale([[-7, 12]]);
    expect(wide.min).toBeGreaterThanOrEqual(-1.5); // ±100% and a margin to the next round tick
    expect(wide.max).toBeLessThanOrEqual(1.5);
    // values beyond the axis are drawn at its edge
    expect(forestX(wide, 12, 200)).toBe(forestX(wide, wide.max, 200));
    expect(forestX(wide, 0, 200)).toBeGreaterThan(forestX(wide, wide.min, 200));
  });
});
