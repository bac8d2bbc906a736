import { assignUser, compileConfig } from "../assignment";
import type { Principal } from "../auth/permissions";
import type { Db } from "../db";
import { DAY_MS } from "../time";
import { ingestEvents } from "../events/service";
import { loadAssignmentConfig } from "../experiments/assignmentConfig";
import { createExperiment, startExperiment, stopExperiment } from "../experiments/service";
import { createModelVersion, updateModelVersion } from "../modelVersions/service";
import { createExperimentSchema } from "../experiments/schemas";
import { createModelVersionSchema } from "../modelVersions/schemas";
import { createDataset } from "../datasets/service";
import { createDatasetSchema } from "../datasets/schemas";
import { flushIngestion } from "../ingestion/log";
import { refinementPass } from "../refinements/pipeline";
import { seedDemoReleases } from "./releases";
import { Rng } from "./rng";
import { syntheticUser, TREATMENT_ODDS, userEvents, type DemoEvent, type Serving } from "./users";

// Demo data for a first start (ECHO_DEMO, on by default): three model versions, a running experiment
// of the refinement-trained model against production and a stopped one, and a few hundred thousand
// synthetic plugin events from deterministic synthetic users. Everything goes through the same services
// and the same ingestion path (validation, exposure checks, write-ahead log) as the API.
// The generator (rng.ts), the code users refine (templates.ts) and the user model (users.ts) live beside it.

export interface DemoOptions {
  /** Synthetic users (default 1,500). */
  users?: number;
  /** Days of activity ending now (default 14); a pre-period of up to 7 days precedes them. */
  days?: number;
  /** PRNG seed: the same seed gives the same users, events and ids (timestamps are relative to now). */
  seed?: number;
  /** Project to seed (default: the first project, the one bootstrap creates). */
  projectId?: string;
}

export interface DemoResult {
  seeded: boolean;
  events: number;
}

export const DEMO_MODEL_VERSIONS = {
  production: "completion-2026-10",
  refined: "completion-2026-11-refined",
  distilled: "completion-2026-11-distilled",
} as const;
/** The dataset the refinement-trained demo model names as its training data. */
export const DEMO_DATASET = "refinements-2026-10";

export const DEMO_EXPERIMENTS = { running: "refined-vs-production", stopped: "distilled-latency" } as const;

const PRE_PERIOD_DAYS = 7;
const DEFAULT_SEED = 20261124;
/** How long the stopped experiment ran, ending where the running experiment's pre-period begins. */
const STOPPED_EXPERIMENT_DAYS = 7;

/** How the production model serves a user outside any experiment. */
const PRODUCTION_SERVING: Serving = {
  modelVersion: DEMO_MODEL_VERSIONS.production,
  odds: 1,
  latencyMedianMs: 180,
  refineProbability: 0.4,
  editMix: "production",
};
/**
 * The distilled model: a third faster at the median (so at p95 too: latencies are lognormal with the same
 * spread) and accepted a little less often (odds × 0.96 ≈ one point less acceptance).
 */
const DISTILLED_SERVING: Omit<Serving, "experimentKey" | "variantKey"> = {
  modelVersion: DEMO_MODEL_VERSIONS.distilled,
  odds: 0.96,
  latencyMedianMs: 120,
  refineProbability: 0.42,
  editMix: "production",
};
/**
 * Events per ingestEvents call (the API allows 5,000). Smaller batches keep each synchronous stretch
 * (generation, validation, logging) to a few tens of milliseconds, so the server stays responsive
 * while the demo data loads in the background.
 */
const BATCH_SIZE = 1_000;

const formatCount = (n: number) => n.toLocaleString("en-US");

/**
 * Seeds an empty project with demo model versions, experiments and events. Does nothing when the project
 * already has a model version, so restarts never duplicate anything. Audit rows show actor "demo-seed".
 */
export async function seedDemoData(client: Db, options: DemoOptions = {}): Promise<DemoResult> {
  const users = options.users ?? 1_500;
  const days = options.days ?? 14;
  const rng = new Rng(options.seed ?? DEFAULT_SEED);
  const projectId = options.projectId ?? (await client.project.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true } }))?.id;
  if (!projectId) throw new Error("seedDemoData: no project (bootstrap creates one)");
  if (await client.modelVersion.count({ where: { projectId } })) return { seeded: false, events: 0 };

  const started = Date.now();
  const principal: Principal = { kind: "user", userId: "system", email: "demo-seed", role: "admin", projectId };

  // 1. Model versions.
  await createModelVersion(
    client,
    principal,
    createModelVersionSchema.parse({ key: DEMO_MODEL_VERSIONS.production, name: "October production model", baseModel: "starcoder2-7b" }),
  );
  await updateModelVersion(client, principal, DEMO_MODEL_VERSIONS.production, {
    status: "production",
    reason: "demo data: current production model",
  });
  await createModelVersion(
    client,
    principal,
    createModelVersionSchema.parse({
      key: DEMO_MODEL_VERSIONS.refined,
      name: "November, trained on refinements",
      baseModel: "starcoder2-7b",
      status: "candidate",
    }),
  );
  await createModelVersion(
    client,
    principal,
    createModelVersionSchema.parse({
      key: DEMO_MODEL_VERSIONS.distilled,
      name: "November distilled (smaller, faster)",
      baseModel: "starcoder2-3b",
      status: "candidate",
    }),
  );

  // 2. Experiments: the distilled one ran and was stopped; the refinement-trained one is running.
  await createExperiment(
    client,
    principal,
    createExperimentSchema.parse({
      key: DEMO_EXPERIMENTS.stopped,
      name: "Distilled model: latency vs acceptance",
      hypothesis: "The distilled 3B model cuts p95 latency by a third without lowering the acceptance rate by more than one point.",
      variants: [
        { key: "control", modelVersion: DEMO_MODEL_VERSIONS.production, weight: 0.5 },
        { key: "treatment", modelVersion: DEMO_MODEL_VERSIONS.distilled, weight: 0.5 },
      ],
      primaryMetric: "latency_p95",
      guardrailMetrics: ["acceptance_rate", "show_rate"],
    }),
  );
  await startExperiment(client, principal, DEMO_EXPERIMENTS.stopped);
  // The synthetic period ends now; the distilled experiment ran for its own week before the running
  // experiment's pre-period, on users of its own, and was stopped at its end.
  const end = Date.now() - 120_000;
  const periodStart = end - days * DAY_MS;
  const preStart = periodStart - Math.min(PRE_PERIOD_DAYS, days) * DAY_MS;
  const ingest = batcher(client, projectId);
  const stoppedWindow = { from: preStart - STOPPED_EXPERIMENT_DAYS * DAY_MS, to: preStart };
  await seedStoppedExperiment(client, projectId, ingest, new Rng((options.seed ?? DEFAULT_SEED) ^ 0x5eed), {
    users: Math.round(users * 0.4),
    ...stoppedWindow,
  });
  await stopExperiment(client, principal, DEMO_EXPERIMENTS.stopped);
  await client.experiment.update({
    where: { projectId_key: { projectId, key: DEMO_EXPERIMENTS.stopped } },
    data: { startedAt: new Date(stoppedWindow.from), stoppedAt: new Date(stoppedWindow.to) },
  });
  await createExperiment(
    client,
    principal,
    createExperimentSchema.parse({
      key: DEMO_EXPERIMENTS.running,
      name: "Refinement-trained model vs production",
      hypothesis:
        "Fine-tuning on what developers changed after accepting a completion raises the acceptance rate, " +
        "as in the published result (25.7% → 35.7%), without hurting latency or the share of accepted code that is kept.",
      variants: [
        { key: "control", modelVersion: DEMO_MODEL_VERSIONS.production, weight: 0.5 },
        { key: "treatment", modelVersion: DEMO_MODEL_VERSIONS.refined, weight: 0.5 },
      ],
      primaryMetric: "acceptance_rate",
      guardrailMetrics: ["latency_p95", "show_rate", "retention"],
    }),
  );
  await startExperiment(client, principal, DEMO_EXPERIMENTS.running);

  // The running experiment started at the synthetic period's beginning (results windows start at
  // startedAt, so the demo's events fall inside it).
  await client.experiment.update({
    where: { projectId_key: { projectId, key: DEMO_EXPERIMENTS.running } },
    data: { startedAt: new Date(periodStart) },
  });

  // 3. Events, assigned exactly as the server assigns.
  const config = compileConfig(await loadAssignmentConfig(client, projectId));
  let reported = 0;
  for (let i = 0; i < users; i++) {
    const user = syntheticUser(rng, i, days);
    const attributes = { language: user.language, ide: user.ide, userGroup: user.userGroup };
    const assignment = assignUser(config, user.id, attributes).assignments.find((a) => a.inExperiment);
    const treatment = assignment?.variantKey === "treatment";
    const serving: Serving = assignment
      ? {
          modelVersion: assignment.modelVersion!,
          experimentKey: assignment.experimentKey,
          variantKey: assignment.variantKey!,
          odds: treatment ? TREATMENT_ODDS : 1,
          latencyMedianMs: treatment ? 170 : 180,
          refineProbability: treatment ? 0.37 : 0.4,
          editMix: treatment ? "refined" : "production",
        }
      : PRODUCTION_SERVING;

    // Pre-period activity on the production model, before the experiment (CUPED's covariate).
    if (user.hasPrePeriod && preStart < periodStart) {
      const preRequests = Math.round(user.requests * ((periodStart - preStart) / (end - periodStart)) * 0.3);
      if (preRequests > 0) await ingest.push(userEvents(rng, user, preRequests, preStart, periodStart, PRODUCTION_SERVING));
    }
    const activeFrom = Math.max(periodStart + 1_000, Math.floor(periodStart / DAY_MS) * DAY_MS + user.activeFromDay * DAY_MS);
    const list = userEvents(rng, user, user.requests, Math.min(activeFrom, end - DAY_MS / 2), end, serving);
    if (assignment) {
      const exposedAt = Math.max(periodStart, (list[0].timestamp as number) - 150);
      const exposure = { eventId: rng.uuid(), type: "exposure", timestamp: exposedAt, userId: user.id, modelVersion: serving.modelVersion };
      await ingest.push([{ ...exposure, experimentKey: serving.experimentKey!, variantKey: serving.variantKey!, ...attributes }]);
    }
    await ingest.push(list);

    const progress = Math.floor(((i + 1) / users) * 10);
    if (progress > reported && progress < 10) {
      reported = progress;
      console.log(`[echo] demo data: ${progress * 10}% (${formatCount(ingest.count())} events)`);
    }
  }
  await ingest.send();
  await flushIngestion();
  const events = ingest.count();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`[echo] demo data: ${formatCount(events)} events from ${formatCount(users)} users over ${days} days, stored in ${seconds} s`);
  await demoLineage(client, principal);
  await seedDemoReleases(client, principal, DEMO_MODEL_VERSIONS);
  return { seeded: true, events };
}

/**
 * The lineage the pages show: the production model's samples frozen into a dataset, which the
 * refinement-trained model names as its training data (dataset → model version → experiment → result).
 */
async function demoLineage(client: Db, principal: Principal) {
  await new Promise((resolve) => setTimeout(resolve, 1_100)); // the pipeline reads inserts at least a second old
  // (in a server, the background pipeline may have built them already: this pass then finds nothing new)
  await refinementPass(client);
  const dataset = await createDataset(
    client,
    principal,
    createDatasetSchema.parse({
      name: DEMO_DATASET,
      filter: { modelVersion: DEMO_MODEL_VERSIONS.production, outcome: ["kept", "unchanged"] },
      format: "fim",
    }),
  );
  await updateModelVersion(client, principal, DEMO_MODEL_VERSIONS.refined, {
    trainedOnDatasetId: dataset.id,
    reason: "demo data: trained on the October refinements",
  });
  console.log(`[echo] demo data: dataset '${DEMO_DATASET}' of ${formatCount(dataset.sampleCount)} clean samples of the production model`);
}

type Batcher = ReturnType<typeof batcher>;

/** Events sent through the ingestion path (validation, exposure checks, log) in batches, yielding between them. */
function batcher(client: Db, projectId: string) {
  let batch: DemoEvent[] = [];
  let events = 0;
  const send = async () => {
    if (!batch.length) return;
    const result = await ingestEvents(client, projectId, batch);
    if (result.rejected.length) {
      const [first] = result.rejected;
      const errors = first.errors.map((e) => `${e.path}: ${e.message}`).join("; ");
      throw new Error(`demo data: ${result.rejected.length} of ${batch.length} events rejected; events[${first.index}]: ${errors}`);
    }
    events += result.accepted;
    batch = [];
    await new Promise((resolve) => setImmediate(resolve)); // let the server answer requests in between
  };
  const push = async (list: DemoEvent[]) => {
    for (const event of list) {
      batch.push(event);
      if (batch.length >= BATCH_SIZE) await send();
    }
  };
  return { push, send, count: () => events };
}

/**
 * The stopped experiment's users and events over its own dates, while it runs (exposures are only
 * accepted for a running experiment): users of its own (ids after the running experiment's), each
 * exposed before their first completion and served by their variant's model.
 */
async function seedStoppedExperiment(
  client: Db,
  projectId: string,
  ingest: Batcher,
  rng: Rng,
  window: { users: number; from: number; to: number },
) {
  const config = compileConfig(await loadAssignmentConfig(client, projectId));
  const firstIndex = 100_000;
  for (let i = 0; i < window.users; i++) {
    const user = syntheticUser(rng, firstIndex + i, STOPPED_EXPERIMENT_DAYS);
    const attributes = { language: user.language, ide: user.ide, userGroup: user.userGroup };
    const assignment = assignUser(config, user.id, attributes).assignments.find((a) => a.experimentKey === DEMO_EXPERIMENTS.stopped);
    if (!assignment?.inExperiment) continue;
    const variant = { experimentKey: DEMO_EXPERIMENTS.stopped, variantKey: assignment.variantKey! };
    const serving: Serving = { ...(assignment.variantKey === "treatment" ? DISTILLED_SERVING : PRODUCTION_SERVING), ...variant };
    const activeFrom = Math.floor(window.from / DAY_MS) * DAY_MS + user.activeFromDay * DAY_MS;
    const list = userEvents(
      rng,
      user,
      user.requests,
      Math.max(window.from + 1_000, Math.min(activeFrom, window.to - DAY_MS / 2)),
      window.to,
      serving,
    );
    const exposedAt = Math.max(window.from, (list[0].timestamp as number) - 150);
    await ingest.push([
      {
        eventId: rng.uuid(),
        type: "exposure",
        timestamp: exposedAt,
        userId: user.id,
        modelVersion: serving.modelVersion,
        ...variant,
        ...attributes,
      },
      ...list,
    ]);
  }
  await ingest.send();
}

// Once per process, whichever copy of this module starts it (Next's instrumentation or server.ts).
const globalForDemo = globalThis as unknown as { __echoDemoSeeding?: Promise<DemoResult> };

/** Seeds demo data in the background (start-up does not wait); failures are logged, never thrown. */
export function startDemoSeeding(client: Db): Promise<DemoResult> {
  globalForDemo.__echoDemoSeeding ??= seedDemoData(client).catch((error) => {
    console.error("[echo] demo data failed:", error);
    return { seeded: false, events: 0 };
  });
  return globalForDemo.__echoDemoSeeding;
}

/** The background seeding started at start-up, if any (tests and scripts may await it). */
export function demoSeeding(): Promise<DemoResult> | undefined {
  return globalForDemo.__echoDemoSeeding;
}
