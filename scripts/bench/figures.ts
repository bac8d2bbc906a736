// The bench's figures: each timing is taken several times and reported as its median with the min–max
// spread, beside a baseline measured in the same run, and every figure is written to bench-results.json
// so that tools (and the README's table) read the same numbers the console shows.
import fs from "node:fs";

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Median (mean of the two middle values for an even count), min and max of repeated measurements. */
export function spreadOf(samples: readonly number[]): Spread {
  if (!samples.length) throw new Error("no measurements");
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

/** Runs `measure` `runs` times in sequence and returns every measurement. */
export async function repeat(runs: number, measure: (run: number) => Promise<number> | number): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) samples.push(await measure(run));
  return samples;
}

export interface Target {
  /** How the target reads, e.g. "< 1,000 ms". */
  text: string;
  met: boolean;
}

export interface Figure extends Spread {
  section: string;
  name: string;
  unit: string;
  baseline: { name: string; value: number } | null;
  /** median / baseline value. */
  ratio: number | null;
  target: string | null;
  met: boolean | null;
}

export const formatNumber = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** "789 ms (740–812, 3 runs)": one run prints the value alone. */
export function formatSpread(spread: Spread, unit: string, digits = 0): string {
  const value = `${formatNumber(spread.median, digits)}${unit ? ` ${unit}` : ""}`;
  if (spread.runs < 2) return value;
  return `${value} (${formatNumber(spread.min, digits)}–${formatNumber(spread.max, digits)}, median of ${spread.runs})`;
}

export class FigureLog {
  readonly figures: Figure[] = [];
  private section = "";

  startSection(title: string) {
    this.section = title;
    console.log(`\n${title}`);
  }

  /**
   * Records and prints one figure. `samples` are the repeated measurements (one number for counts);
   * `baseline` is what the figure is compared with, measured in the same run.
   */
  add(figure: {
    name: string;
    unit: string;
    samples: readonly number[];
    digits?: number;
    baseline?: { name: string; value: number };
    target?: Target;
  }): Figure {
    const spread = spreadOf(figure.samples);
    const recorded: Figure = {
      section: this.section,
      name: figure.name,
      unit: figure.unit,
      ...spread,
      baseline: figure.baseline ?? null,
      ratio: figure.baseline && figure.baseline.value !== 0 ? spread.median / figure.baseline.value : null,
      target: figure.target?.text ?? null,
      met: figure.target?.met ?? null,
    };
    this.figures.push(recorded);
    const baseline = recorded.baseline;
    const ratio = formatNumber(recorded.ratio ?? NaN, 2);
    const beside = baseline ? `  beside ${baseline.name}: ${formatNumber(baseline.value, figure.digits)} ${figure.unit} (${ratio}×)` : "";
    const target = figure.target ? `  (target ${figure.target.text}: ${figure.target.met ? "met" : "NOT met"})` : "";
    console.log(`  ${figure.name}: ${formatSpread(spread, figure.unit, figure.digits)}${beside}${target}`);
    return recorded;
  }

  /** A line of context that is not a figure (e.g. a list of statuses). */
  note(text: string) {
    console.log(`  ${text}`);
  }

  summary(): { met: number; missed: number } {
    const met = this.figures.filter((f) => f.met === true).length;
    const missed = this.figures.filter((f) => f.met === false).length;
    return { met, missed };
  }

  write(file: string, context: Record<string, unknown>) {
    fs.writeFileSync(file, JSON.stringify({ ...context, figures: this.figures }, null, 2) + "\n");
  }
}
