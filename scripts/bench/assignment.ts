/**
 * Throughput of deterministic cohort assignment (lib/assignment).
 * Target: ≥ 2 million `assignExperiment` calls per second on one core.
 *
 * Run directly to print the figures: `npx tsx scripts/bench/assignment.ts`.
 */
import { pathToFileURL } from "node:url";
import {
  type AssignmentConfig,
  type CompiledAssignmentConfig,
  type CompiledExperiment,
  type ExperimentConfig,
  assignExperiment,
  assignUser,
  compileConfig,
  compileExperiment,
} from "../../lib/assignment";
import { formatSpread, spreadOf } from "./figures";

export interface BenchFigure {
  name: string;
  /** One rate per measured round (after a warm-up round). */
  samples: number[];
  unit: string;
}

const USERS = 1_000_000;
const MEASURED_ROUNDS = 3;

const experiment: ExperimentConfig = {
  key: "bench-exp",
  seed: "bench-exp-2024-phase-1",
  hashVersion: 2,
  coverage: 0.9,
  phase: 1,
  variants: [
    { key: "control", modelVersion: "model-2024-10", weight: 0.5 },
    { key: "treatment", modelVersion: "model-2024-11", weight: 0.5 },
  ],
  namespace: { name: "completion-models", start: 0, end: 0.8 },
  targeting: { language: { in: ["python", "typescript", "go"] }, ide: { notIn: ["vim"] } },
};

const config: AssignmentConfig = {
  productionVersion: "model-2024-10",
  experiments: [
    experiment,
    { ...experiment, key: "bench-exp-2", seed: "bench-exp-2", namespace: null, targeting: null },
    { ...experiment, key: "bench-exp-3", seed: "bench-exp-3", hashVersion: 1, namespace: null },
  ],
};

const attributes = { language: "typescript", ide: "vscode", plan: "pro" };

/** Realistic ids (UUID-like, 36 chars), built before timing so only assignment is measured. */
function makeUserIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${i.toString(16).padStart(8, "0")}-4e2b-41d4-a716-446655440000`);
}

/**
 * Best of several rounds after a warm-up round, in users per second. Each figure passes its own
 * loop so every loop has a single, inlinable call target: a shared loop calling a different
 * closure per figure would turn megamorphic and measure the closure calls instead.
 */
function measure(userIds: string[], assignAll: (userIds: string[]) => number): number[] {
  let sink = 0;
  const rates: number[] = [];
  for (let round = 0; round <= MEASURED_ROUNDS; round++) {
    const started = performance.now();
    sink += assignAll(userIds);
    const seconds = (performance.now() - started) / 1000;
    if (round > 0) rates.push(userIds.length / seconds); // round 0 warms up the JIT
  }
  if (sink < 0) console.log(sink); // keeps the work observable so it cannot be optimised away
  return rates;
}

function countInExperiment(experiment: ExperimentConfig | CompiledExperiment, userIds: string[]): number {
  let count = 0;
  for (let i = 0; i < userIds.length; i++) if (assignExperiment(experiment, userIds[i], attributes).inExperiment) count++;
  return count;
}

function countServedByExperiment(config: CompiledAssignmentConfig, userIds: string[]): number {
  let count = 0;
  for (let i = 0; i < userIds.length; i++)
    if (assignUser(config, userIds[i], attributes).modelVersion !== config.productionVersion) count++;
  return count;
}

export async function benchAssignment(): Promise<BenchFigure[]> {
  const userIds = makeUserIds(USERS);
  const full = compileExperiment(experiment);
  const hashOnly = compileExperiment({ ...experiment, namespace: null, targeting: null });
  const compiledConfig = compileConfig(config);
  return [
    {
      name: "assignExperiment (compiled; targeting + namespace + v2 hash)",
      samples: measure(userIds, (ids) => countInExperiment(full, ids)),
      unit: "assignments/s",
    },
    {
      name: "assignExperiment (compiled; v2 hash only)",
      samples: measure(userIds, (ids) => countInExperiment(hashOnly, ids)),
      unit: "assignments/s",
    },
    {
      // Informational, not the throughput target: a plain config is compiled on every call, which
      // is fine off the hot path (e.g. one HTTP request); hot paths pass a compiled experiment.
      name: "plain-config assignment (experiment compiled per call)",
      samples: measure(userIds, (ids) => countInExperiment(experiment, ids)),
      unit: "assignments/s",
    },
    {
      name: "assignUser (compiled config of 3 experiments)",
      samples: measure(userIds, (ids) => countServedByExperiment(compiledConfig, ids)),
      unit: "users/s",
    },
  ];
}

function isRunDirectly(): boolean {
  return process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
}

if (isRunDirectly()) {
  benchAssignment().then((figures) => {
    for (const { name, samples, unit } of figures) console.log(`${name}: ${formatSpread(spreadOf(samples), unit)}`);
  });
}
