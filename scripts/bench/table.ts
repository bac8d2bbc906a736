// tsx scripts/bench/table.ts [bench-results.json]: the figures of one `npm run bench` as the Markdown
// table the README quotes (medians with their spread, each beside its baseline, target and verdict), so
// that the README's table is printed by the run it comes from, not copied by hand.
import fs from "node:fs";
import path from "node:path";
import { formatNumber, type Figure } from "./figures";

interface BenchResults {
  date: string;
  machine: string;
  settings: Record<string, number>;
  figures: Figure[];
}

const digitsFor = (figure: Figure) => (figure.unit === "MB" || figure.median >= 100 || figure.median === 0 ? 0 : 2);
const cell = (text: string) => text.replace(/\|/g, "\\|");

export function benchTable(results: BenchResults): string {
  const lines = [
    `Measured ${results.date.slice(0, 10)} on ${results.machine} (${Object.entries(results.settings)
      .map(([k, v]) => `${k} ${formatNumber(v)}`)
      .join(", ")}).`,
    "",
    "| Section | Figure | Median (min–max, runs) | Baseline in the same run | Ratio | Target |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const f of results.figures) {
    const digits = digitsFor(f);
    const unit = f.unit ? ` ${f.unit}` : "";
    const spread = f.runs > 1 ? ` (${formatNumber(f.min, digits)}–${formatNumber(f.max, digits)}, ${f.runs})` : "";
    const baseline = f.baseline ? `${f.baseline.name}: ${formatNumber(f.baseline.value, digits)}${unit}` : "";
    const ratio = f.ratio === null ? "" : `${formatNumber(f.ratio, 2)}×`;
    const target = f.target ? `${f.target}: ${f.met ? "met" : "**missed**"}` : "";
    const section = f.section.replace(/^(\d+)\..*/, "$1");
    const value = `${formatNumber(f.median, digits)}${unit}${spread}`;
    lines.push(`| ${section} | ${cell(f.name)} | ${value} | ${cell(baseline)} | ${ratio} | ${target} |`);
  }
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? path.join(import.meta.dirname, "..", "..", "bench-results.json");
  console.log(benchTable(JSON.parse(fs.readFileSync(file, "utf8")) as BenchResults));
}
