import { randomUUID } from "node:crypto";
import { conflict, notFound, unprocessable } from "../errors";
import { audit } from "../audit/store";
import { actorName, type Principal } from "../auth/permissions";
import { clickhouseTime } from "../clickhouse/time";
import type { Db, Tx } from "../db";
import { JOB_LOCKS, startBackgroundJob, stopBackgroundJob } from "../db/singleton";
import { invalidateAssignmentConfig } from "../experiments/assignmentConfig";
import { getExperiment, stopExperiment } from "../experiments/service";
import type { ExperimentView } from "../experiments/schemas";
import { activePromotion, lockProject, presentModelVersion, recordProductionChange, withExperiments } from "../modelVersions/store";
import { resultsQuerySchema } from "../results/schema";
import { eventsAsOf } from "../results/queries";
import { experimentResults } from "../results/service";
import { normalQuantile, quantileConfidenceIndices, type RatioSummary } from "../stats";
import { notifyWebhooks, type WebhookEvent } from "../webhooks/service";
import { type ArmData, DEFAULT_GUARDRAIL_OPTIONS, evaluateStep, failureText } from "./guardrails";
import { rampArmSums, rampLatency, type RampArmSums } from "./queries";
import { completesAt, decideAutomatic, decideManual, DEFAULT_STEPS, type RampDecision } from "./ramp";
import type {
  ProductionChangeView,
  PromotionView,
  RampStep,
  RollbackResult,
  Ship,
  ShipEvidence,
  StartPromotion,
  StepEvaluation,
} from "./schemas";
import { json, presentPromotion, rampState, stepsOf, type PromotionRow } from "./store";

// Release management: ship an experiment's variant, ramp a model version to production under
// guardrails, advance/pause/override by hand or automatically, roll back. Every change runs in one
// transaction under the project's row lock (store.ts lockProject) and writes its audit rows there;
// afterwards the assignment config is invalidated (other instances follow within seconds, see
// lib/db/projectCache.ts) and the project's webhook is notified.

/** The actor of the background job's decisions in the audit log. */
const automation = (projectId: string): Principal => ({
  kind: "user",
  userId: "system",
  email: "release-automation",
  role: "admin",
  projectId,
});

type Notice = { event: WebhookEvent; payload: Record<string, unknown> };

async function afterChange(projectId: string, notices: Notice[]) {
  invalidateAssignmentConfig(projectId);
  for (const notice of notices) await notifyWebhooks(projectId, notice.event, notice.payload);
}

const promotionPayload = (view: PromotionView, extra: Record<string, unknown> = {}) => ({
  promotionId: view.id,
  modelVersion: view.modelVersion,
  baselineVersion: view.baselineVersion,
  status: view.status,
  step: view.currentStep,
  percent: view.currentPercent,
  ...extra,
});

async function findPromotion(tx: Tx | Db, principal: Principal, id: string): Promise<PromotionRow> {
  const row = await tx.promotion.findFirst({ where: { id, projectId: principal.projectId } });
  if (!row) throw notFound(`No promotion with id '${id}'`);
  return row;
}

export async function listPromotions(client: Db, principal: Principal): Promise<PromotionView[]> {
  const rows = await client.promotion.findMany({ where: { projectId: principal.projectId }, orderBy: { createdAt: "desc" }, take: 100 });
  return rows.map(presentPromotion);
}

export async function getPromotion(client: Db, principal: Principal, id: string): Promise<PromotionView> {
  return presentPromotion(await findPromotion(client, principal, id));
}

// ---------------------------------------------------------------- guardrails from live data

function ratioSummary(users: number, sumX: number, sumY: number, sumX2: number, sumY2: number, sumXY: number): RatioSummary {
  return { users, sumX, sumY, sumX2, sumY2, sumXY };
}

function armData(
  sums: RampArmSums | undefined,
  latency: Awaited<ReturnType<typeof rampLatency>>[number] | undefined,
  alpha: number,
): ArmData {
  const s = sums ?? {
    users: 0,
    acceptedSum: 0,
    shownSum: 0,
    requestedSum: 0,
    acceptedSq: 0,
    shownSq: 0,
    requestedSq: 0,
    acceptedShown: 0,
    shownRequested: 0,
  };
  let latencySummary: ArmData["latency"] = null;
  if (latency) {
    try {
      const ranks = quantileConfidenceIndices(latency.n, 0.95, alpha);
      // The SQL computed the same ranks; a mismatch would mean the order statistics are not the bracketing ones.
      if (ranks.lower === latency.ranks[1] && ranks.upper === latency.ranks[2]) {
        const { quantile, lowerValue, upperValue, clustering, n } = latency;
        latencySummary = { n, p: 0.95, quantile, lowerValue, upperValue, ciAlpha: alpha, clustering };
      }
    } catch {
      latencySummary = null; // too few latencies to bracket the p95: the check reports insufficient data
    }
  }
  return {
    users: s.users,
    acceptance: ratioSummary(s.users, s.acceptedSum, s.shownSum, s.acceptedSq, s.shownSq, s.acceptedShown),
    showRate: ratioSummary(s.users, s.shownSum, s.requestedSum, s.shownSq, s.requestedSq, s.shownRequested),
    latency: latencySummary,
  };
}

/** The current step's guardrails over the users outside experiments since the step began. */
export async function evaluateCurrentStep(row: PromotionRow, now = new Date()): Promise<StepEvaluation> {
  const alpha = DEFAULT_GUARDRAIL_OPTIONS.alpha;
  const arms = [row.modelVersionKey, ...(row.baselineVersionKey ? [row.baselineVersionKey] : [])];
  const window = {
    projectId: row.projectId,
    arms,
    from: clickhouseTime(row.stepStartedAt.getTime()),
    to: clickhouseTime(now.getTime() + 1),
    asOf: await eventsAsOf(row.projectId),
  };
  const [sums, latencies] = await Promise.all([rampArmSums(window), rampLatency(window, 0.95, normalQuantile(1 - alpha / 2))]);
  const arm = (key: string) =>
    armData(
      sums.find((s) => s.arm === key),
      latencies.find((l) => l.arm === key),
      alpha,
    );
  return evaluateStep({
    step: row.stepIndex,
    percent: stepsOf(row)[row.stepIndex].percent,
    from: row.stepStartedAt,
    at: now,
    baseline: row.baselineVersionKey ? arm(row.baselineVersionKey) : null,
    candidate: arm(row.modelVersionKey),
  });
}

// ---------------------------------------------------------------- state changes (inside the project lock)

/**
 * Moves a ramp to step `to`. A step of 100% completes it: the version becomes production and the
 * previous production version `retired` (still promotable again; experiments that use it keep running).
 */
async function moveToStep(tx: Tx, principal: Principal, row: PromotionRow, to: number, reason: string | null, notices: Notice[]) {
  const steps = stepsOf(row);
  const before = presentPromotion(row);
  if (completesAt(steps, to)) {
    const previous = await tx.modelVersion.findFirst({ where: { projectId: row.projectId, status: "production" } });
    if (previous && previous.key !== row.modelVersionKey) {
      await tx.modelVersion.update({ where: { id: previous.id }, data: { status: "retired" } });
      await audit(tx, principal, {
        action: "model_version.retire",
        target: `model-version:${previous.key}`,
        before: { status: "production" },
        after: { status: "retired" },
        reason: `'${row.modelVersionKey}' reached 100% (promotion ${row.id})`,
      });
    }
    const where = { projectId_key: { projectId: row.projectId, key: row.modelVersionKey } };
    const promoted = await tx.modelVersion.findUniqueOrThrow({ where, select: { status: true } });
    await tx.modelVersion.update({ where, data: { status: "production" } });
    await audit(tx, principal, {
      action: "model_version.promote",
      target: `model-version:${row.modelVersionKey}`,
      before: { status: promoted.status },
      after: { status: "production" },
      reason: reason ?? row.reason,
    });
    await recordProductionChange(tx, {
      projectId: row.projectId,
      modelVersionKey: row.modelVersionKey,
      previousVersionKey: previous?.key ?? null,
      kind: "promotion",
      promotionId: row.id,
      reason: reason ?? row.reason,
      actor: actorName(principal),
    });
    const done = await tx.promotion.update({
      where: { id: row.id },
      data: { status: "completed", stepIndex: to, stepStartedAt: new Date(), endedAt: new Date(), pausedReason: null },
    });
    const after = presentPromotion(done);
    await audit(tx, principal, { action: "promotion.complete", target: `promotion:${row.id}`, before, after, reason });
    notices.push({ event: "promotion.completed", payload: promotionPayload(after, { reason }) });
    return done;
  }
  const moved = await tx.promotion.update({
    where: { id: row.id },
    data: { status: "running", stepIndex: to, stepStartedAt: new Date(), pausedReason: null },
  });
  const after = presentPromotion(moved);
  await audit(tx, principal, { action: "promotion.advance", target: `promotion:${row.id}`, before, after, reason });
  notices.push({ event: "promotion.advanced", payload: promotionPayload(after, { reason }) });
  return moved;
}

async function pauseForGuardrails(tx: Tx, principal: Principal, row: PromotionRow, evaluation: StepEvaluation, notices: Notice[]) {
  const why = `Guardrail failed at ${evaluation.percent}%: ${failureText(evaluation)}`;
  const paused = await tx.promotion.update({
    where: { id: row.id },
    data: { status: "paused", pausedReason: why, checks: json(evaluation), checkedAt: new Date(evaluation.at) },
  });
  const after = presentPromotion(paused);
  await audit(tx, principal, {
    action: "promotion.pause",
    target: `promotion:${row.id}`,
    before: presentPromotion(row),
    after,
    reason: why,
  });
  notices.push({ event: "guardrail.failed", payload: promotionPayload(after, { reason: why, checks: evaluation.checks }) });
  notices.push({ event: "promotion.paused", payload: promotionPayload(after, { reason: why }) });
  return paused;
}

async function auditEvaluation(tx: Tx, principal: Principal, row: PromotionRow, evaluation: StepEvaluation, reason: string | null) {
  await audit(tx, principal, {
    action: "promotion.guardrails",
    target: `promotion:${row.id}`,
    before: row.checks ?? undefined,
    after: evaluation,
    reason: reason ?? `step ${evaluation.step + 1} (${evaluation.percent}%): ${evaluation.verdict}`,
  });
}

/** Re-reads the promotion under the lock and refuses when it changed since `seen` (another change won the race). */
async function lockedPromotion(tx: Tx, principal: Principal, id: string, seen?: PromotionRow): Promise<PromotionRow> {
  await lockProject(tx, principal.projectId);
  const row = await findPromotion(tx, principal, id);
  if (seen && (row.status !== seen.status || row.stepIndex !== seen.stepIndex)) {
    throw conflict(`Promotion ${id} changed meanwhile (now ${row.status} at step ${row.stepIndex + 1}); reload and try again`);
  }
  return row;
}

function requireActive(row: PromotionRow) {
  if (row.status !== "running" && row.status !== "paused") throw conflict(`Promotion ${row.id} is ${row.status.replace("_", " ")}`);
}

// ---------------------------------------------------------------- promote, advance, pause, override

interface ShipOrigin {
  experimentKey: string;
  variantKey: string;
  evidence: ShipEvidence & { override: { reason: string } | null };
  reason: string;
}

/** Starts a ramp of `versionKey` (default steps 5 → 25 → 50 → 100%). One active ramp per project. */
export async function startPromotion(
  client: Db,
  principal: Principal,
  versionKey: string,
  input: StartPromotion,
  ship?: ShipOrigin,
): Promise<PromotionView> {
  const steps: RampStep[] = input.steps ?? DEFAULT_STEPS.map((s) => ({ ...s }));
  const notices: Notice[] = [];
  const row = await client.$transaction(async (tx) => {
    await lockProject(tx, principal.projectId);
    const version = await tx.modelVersion.findUnique({ where: { projectId_key: { projectId: principal.projectId, key: versionKey } } });
    if (!version) throw notFound(`No model version with key '${versionKey}'`);
    if (version.status === "production") throw conflict(`'${versionKey}' is already the production version`);
    const active = await activePromotion(tx, principal.projectId);
    if (active) {
      throw conflict(
        `A promotion is already in progress: '${active.modelVersionKey}' (${active.id}, ${active.status}); finish or roll it back first`,
      );
    }
    const production = await tx.modelVersion.findFirst({ where: { projectId: principal.projectId, status: "production" } });
    const created = await tx.promotion.create({
      data: {
        projectId: principal.projectId,
        modelVersionKey: versionKey,
        baselineVersionKey: production?.key ?? null,
        steps: json(steps),
        seed: `promotion:${randomUUID()}`,
        reason: input.reason ?? null,
        experimentKey: ship?.experimentKey ?? null,
        variantKey: ship?.variantKey ?? null,
        evidence: ship ? json(ship.evidence) : undefined,
        createdBy: actorName(principal),
      },
    });
    const view = presentPromotion(created);
    if (ship) {
      await audit(tx, principal, {
        action: "experiment.ship",
        target: `experiment:${ship.experimentKey}`,
        after: { variantKey: ship.variantKey, modelVersion: versionKey, promotionId: created.id, evidence: ship.evidence },
        reason: ship.evidence.override ? `${ship.reason} (override: ${ship.evidence.override.reason})` : ship.reason,
      });
    }
    await audit(tx, principal, { action: "promotion.start", target: `promotion:${created.id}`, after: view, reason: input.reason });
    notices.push({ event: "promotion.started", payload: promotionPayload(view, { reason: input.reason ?? null }) });
    // A ramp of one step, 100%, is an immediate promotion.
    return completesAt(steps, 0) ? moveToStep(tx, principal, created, 0, input.reason ?? null, notices) : created;
  });
  await afterChange(principal.projectId, notices);
  return presentPromotion(row);
}

/**
 * Advances to the next step by hand: the current step's guardrails are evaluated first; a failing one
 * pauses the ramp and the advance is refused (409, naming the check and its numbers): an admin may
 * override. Checks short of data do not stop a person's decision.
 */
export async function advancePromotion(client: Db, principal: Principal, id: string, reason: string): Promise<PromotionView> {
  const seen = await findPromotion(client, principal, id);
  requireActive(seen);
  const evaluation = await evaluateCurrentStep(seen);
  const decision = decideManual(rampState(seen), evaluation);
  const notices: Notice[] = [];
  const row = await client.$transaction(async (tx) => {
    const row = await lockedPromotion(tx, principal, id, seen);
    await auditEvaluation(tx, principal, row, evaluation, null);
    if (decision.action === "pause") return pauseForGuardrails(tx, principal, row, evaluation, notices);
    await tx.promotion.update({ where: { id }, data: { checks: json(evaluation), checkedAt: new Date(evaluation.at) } });
    return moveToStep(tx, principal, { ...row, checks: json(evaluation) } as PromotionRow, row.stepIndex + 1, reason, notices);
  });
  await afterChange(principal.projectId, notices);
  if (decision.action === "pause") {
    throw conflict(`Not advanced: ${row.pausedReason}. The ramp is paused; an admin may override with a reason.`, [
      ...evaluation.checks.filter((c) => c.status === "fail").map((c) => ({ path: `checks.${c.check}`, message: c.summary })),
    ]);
  }
  return presentPromotion(row);
}

export async function pausePromotion(client: Db, principal: Principal, id: string, reason: string | undefined): Promise<PromotionView> {
  const notices: Notice[] = [];
  const row = await client.$transaction(async (tx) => {
    const row = await lockedPromotion(tx, principal, id);
    if (row.status !== "running") throw conflict(`Promotion ${id} is ${row.status.replace("_", " ")}, not running`);
    const paused = await tx.promotion.update({
      where: { id },
      data: { status: "paused", pausedReason: reason ?? `Paused by ${actorName(principal)}` },
    });
    const after = presentPromotion(paused);
    await audit(tx, principal, { action: "promotion.pause", target: `promotion:${id}`, before: presentPromotion(row), after, reason });
    notices.push({ event: "promotion.paused", payload: promotionPayload(after, { reason: reason ?? null }) });
    return paused;
  });
  await afterChange(principal.projectId, notices);
  return presentPromotion(row);
}

/** An admin's override: advances to the next step whatever the guardrails say, with the reason on record. */
export async function overridePromotion(client: Db, principal: Principal, id: string, reason: string): Promise<PromotionView> {
  const notices: Notice[] = [];
  const row = await client.$transaction(async (tx) => {
    const row = await lockedPromotion(tx, principal, id);
    requireActive(row);
    await audit(tx, principal, {
      action: "promotion.override",
      target: `promotion:${id}`,
      before: { status: row.status, step: row.stepIndex, pausedReason: row.pausedReason, checks: row.checks },
      after: { step: row.stepIndex + 1 },
      reason,
    });
    return moveToStep(tx, principal, row, row.stepIndex + 1, `override: ${reason}`, notices);
  });
  await afterChange(principal.projectId, notices);
  return presentPromotion(row);
}

// ---------------------------------------------------------------- ship

const percentText = (v: number) => `${(v * 100).toFixed(1)}%`;

/** The decision's evidence for shipping `variantKey`: its primary-metric lift with interval, guardrails and SRM. */
export async function shipEvidence(
  client: Db,
  principal: Principal,
  experiment: ExperimentView,
  variantKey: string,
): Promise<ShipEvidence> {
  const results = await experimentResults(
    client,
    principal,
    experiment.key,
    resultsQuerySchema.parse({ metric: experiment.primaryMetric }),
  );
  const control = results.variants[0];
  const treatment = results.variants.find((v) => v.key === variantKey);
  const guardrails = results.guardrails
    .filter((g) => g.variant === variantKey)
    .map((g) => ({ metric: g.metric, worse: g.worse, pValue: g.pValue, relativeChange: g.relativeChange, note: g.note }));
  const problems = [
    ...guardrails
      .filter((g) => g.worse)
      .map(
        (g) =>
          `guardrail ${g.metric} is significantly worse (${g.relativeChange !== null ? percentText(g.relativeChange) : "?"}, ` +
          `p = ${g.pValue?.toFixed(4)})`,
      ),
    ...(results.srm.mismatch ? [`sample ratio mismatch (p = ${results.srm.pValue.toExponential(2)})`] : []),
  ];
  return {
    experimentKey: experiment.key,
    variantKey,
    modelVersion: experiment.variants.find((v) => v.key === variantKey)!.modelVersion,
    metric: results.metric,
    metricLabel: results.metricLabel,
    unit: results.unit,
    control: { key: control?.key ?? "", rate: control?.rate ?? null, users: control?.users ?? 0 },
    treatment: { rate: treatment?.rate ?? null, users: treatment?.users ?? 0 },
    lift: treatment?.lift
      ? {
          absolute: treatment.lift.absolute,
          relative: treatment.lift.relative,
          ciAbsolute: treatment.lift.ciAbsolute,
          ciRelative: treatment.lift.ciRelative,
        }
      : null,
    pValue: treatment?.pValue ?? null,
    significant: treatment?.significant ?? null,
    guardrails,
    srm: { pValue: results.srm.pValue, mismatch: results.srm.mismatch },
    problems,
    computedAt: new Date().toISOString(),
  };
}

/**
 * Ships an experiment's variant: computes the evidence, refuses (409 naming the problem) when a
 * guardrail fails or the split is mismatched unless `override.reason` is given, starts the ramp of the
 * variant's model version with the evidence stored on it, and stops the experiment.
 */
export async function shipVariant(client: Db, principal: Principal, experimentKey: string, input: Ship): Promise<PromotionView> {
  const experiment = await getExperiment(client, principal, experimentKey);
  const variant = experiment.variants.find((v) => v.key === input.variantKey);
  if (!variant) {
    throw unprocessable(`variantKey: experiment '${experimentKey}' has no variant '${input.variantKey}'`, [
      { path: "variantKey", message: `must be one of ${experiment.variants.map((v) => v.key).join(", ")}` },
    ]);
  }
  if (experiment.status === "draft") throw conflict(`Experiment '${experimentKey}' never ran: there is no evidence to ship on`);
  const evidence = await shipEvidence(client, principal, experiment, variant.key);
  if (evidence.problems.length && !input.override) {
    throw conflict(`Shipping '${variant.key}' needs an override: ${evidence.problems.join("; ")}`, [
      { path: "override.reason", message: `required: ${evidence.problems.join("; ")}` },
    ]);
  }
  const promotion = await startPromotion(
    client,
    principal,
    variant.modelVersion,
    { steps: input.steps, reason: input.reason },
    { experimentKey, variantKey: variant.key, evidence: { ...evidence, override: input.override ?? null }, reason: input.reason },
  );
  if (experiment.status === "running") {
    await stopExperiment(client, principal, experimentKey).catch((error) => {
      if (!(error instanceof Error && /is not running/.test(error.message))) throw error; // stopped meanwhile: fine
    });
  }
  return promotion;
}

// ---------------------------------------------------------------- rollback

/**
 * Rolls back in one step: a ramp in progress is ended (its users return to the production version);
 * without one, the previous production version (from the production history) becomes production again
 * and the current one `retired`. Effective on this instance at once, on the others within seconds.
 */
export async function rollback(client: Db, principal: Principal, reason: string): Promise<RollbackResult> {
  const notices: Notice[] = [];
  const result = await client.$transaction(async (tx) => {
    await lockProject(tx, principal.projectId);
    const projectId = principal.projectId;
    const production = await tx.modelVersion.findFirst({ where: { projectId, status: "production" }, include: withExperiments });
    const active = await activePromotion(tx, projectId);
    if (active) {
      if (!production) throw unprocessable("No production version to roll back to; pause the ramp instead");
      const ended = await tx.promotion.update({ where: { id: active.id }, data: { status: "rolled_back", endedAt: new Date() } });
      await audit(tx, principal, {
        action: "release.rollback",
        target: `promotion:${active.id}`,
        before: presentPromotion(active),
        after: presentPromotion(ended),
        reason,
      });
      await recordProductionChange(tx, {
        projectId,
        modelVersionKey: production.key,
        previousVersionKey: active.modelVersionKey,
        kind: "ramp_stopped",
        promotionId: active.id,
        reason,
        actor: actorName(principal),
      });
      return { version: production, from: active.modelVersionKey, promotionId: active.id, kind: "ramp_stopped" as const };
    }
    if (!production) throw unprocessable("No production version: nothing to roll back");
    // How the current version became production (a stopped ramp changed nothing, so it does not count).
    const last = await tx.productionChange.findFirst({
      where: { projectId, modelVersionKey: production.key, kind: { not: "ramp_stopped" } },
      orderBy: { at: "desc" },
    });
    const previousKey = last?.previousVersionKey;
    const previous = previousKey ? await tx.modelVersion.findUnique({ where: { projectId_key: { projectId, key: previousKey } } }) : null;
    if (!previous) throw unprocessable(`No previous production version of '${production.key}' to roll back to`);
    await tx.modelVersion.update({ where: { id: production.id }, data: { status: "retired" } });
    const restored = await tx.modelVersion.update({ where: { id: previous.id }, data: { status: "production" }, include: withExperiments });
    if (last?.promotionId)
      await tx.promotion.updateMany({ where: { id: last.promotionId, status: "completed" }, data: { status: "rolled_back" } });
    await audit(tx, principal, {
      action: "release.rollback",
      target: `model-version:${production.key}`,
      before: { production: production.key, [previous.key]: previous.status },
      after: { production: previous.key, [production.key]: "retired" },
      reason,
    });
    await recordProductionChange(tx, {
      projectId,
      modelVersionKey: previous.key,
      previousVersionKey: production.key,
      kind: "rollback",
      promotionId: last?.promotionId ?? null,
      reason,
      actor: actorName(principal),
    });
    return { version: restored, from: production.key, promotionId: last?.promotionId ?? null, kind: "previous_version" as const };
  });
  const view = presentModelVersion(result.version);
  notices.push({
    event: "rollback",
    payload: {
      productionVersion: view.key,
      from: result.from,
      promotionId: result.promotionId,
      kind: result.kind,
      reason,
      actor: actorName(principal),
    },
  });
  await afterChange(principal.projectId, notices);
  return { ...view, rollback: { from: result.from, promotionId: result.promotionId, kind: result.kind } };
}

// ---------------------------------------------------------------- the production timeline

/** Which version served production when, and why it changed: newest first, each with when it was replaced. */
export async function productionTimeline(client: Db, principal: Principal): Promise<ProductionChangeView[]> {
  const rows = await client.productionChange.findMany({ where: { projectId: principal.projectId }, orderBy: { at: "desc" }, take: 200 });
  return rows.map((row, i) => ({
    id: row.id,
    at: row.at.toISOString(),
    // A stopped ramp leaves production as it was: it does not end the serving version's period.
    until:
      rows
        .slice(0, i)
        .reverse()
        .find((r) => r.modelVersionKey !== row.modelVersionKey)
        ?.at.toISOString() ?? null,
    modelVersion: row.modelVersionKey,
    previousVersion: row.previousVersionKey,
    kind: row.kind as ProductionChangeView["kind"],
    promotionId: row.promotionId,
    reason: row.reason,
    actor: row.actor,
  }));
}

// ---------------------------------------------------------------- automatic advance

export interface RampPassResult {
  evaluated: number;
  decisions: { promotionId: string; decision: RampDecision }[];
}

/**
 * One pass of the background job over every running ramp: evaluates the current step's guardrails
 * (stored for the page), pauses it as soon as one fails, and once the step's minimum duration has passed
 * advances it when they hold.
 */
export async function rampPass(client: Db, now = new Date()): Promise<RampPassResult> {
  const running = await client.promotion.findMany({ where: { status: "running" } });
  const decisions: RampPassResult["decisions"] = [];
  for (const seen of running) {
    try {
      decisions.push({ promotionId: seen.id, decision: await rampStep(client, seen, now) });
    } catch (error) {
      // One ramp's failure (its data unreadable for now) must not hold up the others: the next pass retries it.
      console.error(`[echo] ramp ${seen.id} of '${seen.modelVersionKey}' not evaluated:`, (error as Error).message);
    }
  }
  return { evaluated: running.length, decisions };
}

/** Evaluates one running ramp and applies the automatic decision under the project lock. */
async function rampStep(client: Db, seen: PromotionRow, now: Date): Promise<RampDecision> {
  const evaluation = await evaluateCurrentStep(seen, now);
  const decision = decideAutomatic(rampState(seen), evaluation, now);
  const principal = automation(seen.projectId);
  const notices: Notice[] = [];
  const applied = await client
    .$transaction(async (tx) => {
      const row = await lockedPromotion(tx, principal, seen.id, seen);
      if (decision.action === "wait") {
        await tx.promotion.update({ where: { id: row.id }, data: { checks: json(evaluation), checkedAt: now } });
        return false;
      }
      await auditEvaluation(tx, principal, row, evaluation, null);
      if (decision.action === "pause") await pauseForGuardrails(tx, principal, row, evaluation, notices);
      else {
        await tx.promotion.update({ where: { id: row.id }, data: { checks: json(evaluation), checkedAt: now } });
        await moveToStep(
          tx,
          principal,
          row,
          decision.to,
          `step ${row.stepIndex + 1} held its guardrails for its minimum duration`,
          notices,
        );
      }
      return true;
    })
    .catch((error) => {
      if (error instanceof Error && /changed meanwhile/.test(error.message)) return false; // a person acted first
      throw error;
    });
  if (applied) await afterChange(seen.projectId, notices);
  return decision;
}

const RAMP_JOB = { name: "release-ramps", lock: JOB_LOCKS.releases, intervalMs: 30_000, failure: "release ramp pass failed" };

/** Advances ramps in the background (one instance at a time on PostgreSQL). */
export function startReleaseAutomation(client: Db) {
  startBackgroundJob(client, RAMP_JOB, () => rampPass(client));
}

export function stopReleaseAutomation(): Promise<void> {
  return stopBackgroundJob(RAMP_JOB.name);
}
