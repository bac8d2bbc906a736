import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FigureLog, formatSpread, repeat, spreadOf } from "@/scripts/bench/figures";

describe("bench figures", () => {
  it("takes the median of an odd and an even number of runs, with min and max", () => {
    expect(spreadOf([900, 700, 800])).toEqual({ median: 800, min: 700, max: 900, runs: 3 });
    expect(spreadOf([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
    expect(() => spreadOf([])).toThrow();
  });

  it("repeats a measurement in sequence", async () => {
    const order: number[] = [];
    const samples = await repeat(3, async (run) => {
      order.push(run);
      return run * 10;
    });
    expect(order).toEqual([0, 1, 2]);
    expect(samples).toEqual([0, 10, 20]);
  });

  it("prints the median with its spread and writes every figure with baseline, ratio and target", () => {
    expect(formatSpread(spreadOf([812, 740, 789]), "ms")).toBe("789 ms (740–812, median of 3)");
    expect(formatSpread(spreadOf([42]), "")).toBe("42");
    const log = new FigureLog();
    const quiet = console.log;
    console.log = () => {};
    try {
      log.startSection("4. Results");
      log.add({
        name: "results",
        unit: "ms",
        samples: [900, 1100, 1000],
        baseline: { name: "aggregation", value: 500 },
        target: { text: "< 1,000 ms", met: false },
      });
      log.add({ name: "rows", unit: "", samples: [7] });
    } finally {
      console.log = quiet;
    }
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-figures-")), "bench-results.json");
    log.write(file, { cores: 2 });
    const written = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(written.cores).toBe(2);
    expect(written.figures[0]).toMatchObject({
      section: "4. Results",
      name: "results",
      median: 1000,
      min: 900,
      max: 1100,
      runs: 3,
      baseline: { name: "aggregation", value: 500 },
      ratio: 2,
      target: "< 1,000 ms",
      met: false,
    });
    expect(written.figures[1]).toMatchObject({ baseline: null, ratio: null, target: null, met: null });
    expect(log.summary()).toEqual({ met: 0, missed: 1 });
  });
});

describe("the README's table of a bench run", () => {
  it("prints each figure's median with its spread, its baseline, ratio and target verdict", async () => {
    const { benchTable } = await import("@/scripts/bench/table");
    const table = benchTable({
      date: "2026-12-01T20:00:00.000Z",
      machine: "2 cores",
      settings: { RUNS: 3 },
      figures: [
        {
          section: "4. Results",
          name: "GET …/results | all metrics",
          unit: "ms",
          median: 789.4,
          min: 740,
          max: 812.2,
          runs: 3,
          baseline: { name: "aggregation", value: 468 },
          ratio: 789.4 / 468,
          target: "< 1,000 ms",
          met: true,
        },
        {
          section: "6. Soak",
          name: "errors",
          unit: "",
          median: 0,
          min: 0,
          max: 0,
          runs: 1,
          baseline: null,
          ratio: null,
          target: "0",
          met: false,
        },
      ],
    });
    expect(table.split("\n")).toEqual([
      "Measured 2026-12-01 on 2 cores (RUNS 3).",
      "",
      "| Section | Figure | Median (min–max, runs) | Baseline in the same run | Ratio | Target |",
      "| --- | --- | --- | --- | --- | --- |",
      "| 4 | GET …/results \\| all metrics | 789 ms (740–812, 3) | aggregation: 468 ms | 1.69× | < 1,000 ms: met |",
      "| 6 | errors | 0 |  |  | 0: **missed** |",
    ]);
  });
});
