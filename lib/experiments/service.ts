import type { Prisma } from "@/generated/prisma/client";
import { conflict, unprocessable } from "../errors";
import { audit } from "../audit/store";
import type { Principal } from "../auth/permissions";
import type { Db, Tx } from "../db";
import { invalidateAssignmentConfig } from "./assignmentConfig";
import type { CreateExperiment, ExperimentView, UpdateExperiment } from "./schemas";
import { findExperiment, presentExperiment, resolveModelVersions, variantRows, withVariants, type Row } from "./store";

export async function listExperiments(client: Db, principal: Principal): Promise<ExperimentView[]> {
  const rows = await client.experiment.findMany({
    where: { projectId: principal.projectId },
    include: withVariants,
    orderBy: { createdAt: "desc" },
  });
  return rows.map(presentExperiment);
}

export async function getExperiment(client: Db, principal: Principal, key: string): Promise<ExperimentView> {
  return presentExperiment(await findExperiment(client, principal, key));
}

export async function createExperiment(client: Db, principal: Principal, input: CreateExperiment): Promise<ExperimentView> {
  return client.$transaction(async (tx) => {
    if (await tx.experiment.findUnique({ where: { projectId_key: { projectId: principal.projectId, key: input.key } } })) {
      throw conflict(`An experiment with key '${input.key}' already exists`, [{ path: "key", message: "must be unique" }]);
    }
    const modelVersionIds = await resolveModelVersions(tx, principal, input.variants);
    const row = await tx.experiment.create({
      data: {
        projectId: principal.projectId,
        key: input.key,
        name: input.name,
        hypothesis: input.hypothesis,
        coverage: input.coverage,
        seed: input.seed ?? input.key,
        hashVersion: input.hashVersion,
        namespaceName: input.namespace?.name,
        namespaceStart: input.namespace?.start,
        namespaceEnd: input.namespace?.end,
        targeting: (input.targeting ?? undefined) as Prisma.InputJsonValue | undefined,
        primaryMetric: input.primaryMetric,
        guardrailMetrics: input.guardrailMetrics,
        targetEffect: input.targetEffect,
        variants: { create: variantRows(input.variants, modelVersionIds) },
      },
      include: withVariants,
    });
    const view = presentExperiment(row);
    await audit(tx, principal, { action: "experiment.create", target: `experiment:${row.key}`, after: view });
    return view;
  });
}

function allocationChanges(before: ExperimentView, input: UpdateExperiment): string[] {
  const changed: string[] = [];
  if (input.variants && JSON.stringify(input.variants) !== JSON.stringify(before.variants)) changed.push("variants");
  if (input.coverage !== undefined && input.coverage !== before.coverage) changed.push("coverage");
  if (input.seed !== undefined && input.seed !== before.seed) changed.push("seed");
  if (input.namespace !== undefined && JSON.stringify(input.namespace) !== JSON.stringify(before.namespace)) changed.push("namespace");
  return changed;
}

/**
 * Edits an experiment. Changing the allocation (variants, weights, coverage, seed, namespace) of a
 * running experiment would move users between variants mid-flight and bias every metric, so it is
 * refused unless the caller starts a new phase: the phase number goes up, the seed changes (so the
 * reshuffle is deliberate and complete), and results from then on count only the new phase.
 */
export async function updateExperiment(client: Db, principal: Principal, key: string, input: UpdateExperiment): Promise<ExperimentView> {
  const result = await client.$transaction(async (tx) => {
    const row = await findExperiment(tx, principal, key);
    const before = presentExperiment(row);
    const changed = allocationChanges(before, input);
    const running = row.status === "running";
    if (running && changed.length && !input.newPhase) {
      throw conflict(
        `Changing ${changed.join(", ")} of a running experiment would reshuffle users between variants. ` +
          `Send "newPhase": true to start a new phase with a new seed, or stop the experiment first.`,
        changed.map((field) => ({ path: field, message: "cannot change while running without newPhase" })),
      );
    }
    const newPhase = running && input.newPhase === true;
    const phase = newPhase ? row.phase + 1 : row.phase;
    const seed = input.seed ?? (newPhase ? `${row.key}:phase-${phase}` : row.seed);
    if (input.variants) {
      const ids = await resolveModelVersions(tx, principal, input.variants);
      await tx.variant.deleteMany({ where: { experimentId: row.id } });
      await tx.variant.createMany({ data: variantRows(input.variants, ids).map((v) => ({ ...v, experimentId: row.id })) });
    }
    const updated = await tx.experiment.update({
      where: { id: row.id },
      data: {
        name: input.name,
        hypothesis: input.hypothesis,
        coverage: input.coverage,
        seed,
        phase,
        ...(input.namespace !== undefined
          ? {
              namespaceName: input.namespace?.name ?? null,
              namespaceStart: input.namespace?.start ?? null,
              namespaceEnd: input.namespace?.end ?? null,
            }
          : {}),
        ...(input.targeting !== undefined ? { targeting: (input.targeting ?? null) as Prisma.InputJsonValue } : {}),
        primaryMetric: input.primaryMetric,
        guardrailMetrics: input.guardrailMetrics,
        targetEffect: input.targetEffect,
      },
      include: withVariants,
    });
    if (running) await checkNamespaceFree(tx, principal, updated);
    const after = presentExperiment(updated);
    await audit(tx, principal, {
      action: newPhase ? "experiment.new_phase" : "experiment.update",
      target: `experiment:${key}`,
      before,
      after,
      reason: input.reason,
    });
    return after;
  });
  invalidateAssignmentConfig(principal.projectId);
  return result;
}

/** Experiments in one namespace must occupy disjoint ranges, or a user could land in two of them. */
async function checkNamespaceFree(tx: Tx, principal: Principal, row: Row) {
  if (row.namespaceName == null) return;
  const others = await tx.experiment.findMany({
    where: { projectId: principal.projectId, status: "running", namespaceName: row.namespaceName, id: { not: row.id } },
  });
  const start = row.namespaceStart ?? 0;
  const end = row.namespaceEnd ?? 1;
  const overlapping = others.filter((o) => (o.namespaceStart ?? 0) < end && start < (o.namespaceEnd ?? 1));
  if (overlapping.length) {
    throw conflict(
      `Namespace '${row.namespaceName}' range [${start}, ${end}) overlaps running experiment ` +
        overlapping.map((o) => `'${o.key}' [${o.namespaceStart}, ${o.namespaceEnd})`).join(", "),
      [{ path: "namespace", message: "overlaps another running experiment in the same namespace" }],
    );
  }
}

export async function startExperiment(client: Db, principal: Principal, key: string): Promise<ExperimentView> {
  const result = await client.$transaction(async (tx) => {
    const row = await findExperiment(tx, principal, key);
    if (row.status === "running") throw conflict(`Experiment '${key}' is already running`);
    const retired = row.variants.filter((v) => v.modelVersion.status === "retired");
    if (retired.length) throw unprocessable(`Variants use retired model versions: ${retired.map((v) => v.modelVersion.key).join(", ")}`);
    await checkNamespaceFree(tx, principal, row);
    const updated = await tx.experiment.update({
      where: { id: row.id },
      data: { status: "running", startedAt: row.startedAt ?? new Date(), stoppedAt: null },
      include: withVariants,
    });
    const after = presentExperiment(updated);
    await audit(tx, principal, { action: "experiment.start", target: `experiment:${key}`, before: presentExperiment(row), after });
    return after;
  });
  invalidateAssignmentConfig(principal.projectId);
  return result;
}

export async function stopExperiment(client: Db, principal: Principal, key: string): Promise<ExperimentView> {
  const result = await client.$transaction(async (tx) => {
    const row = await findExperiment(tx, principal, key);
    if (row.status !== "running") throw conflict(`Experiment '${key}' is not running (it is ${row.status})`);
    const updated = await tx.experiment.update({
      where: { id: row.id },
      data: { status: "stopped", stoppedAt: new Date() },
      include: withVariants,
    });
    const after = presentExperiment(updated);
    await audit(tx, principal, { action: "experiment.stop", target: `experiment:${key}`, before: presentExperiment(row), after });
    return after;
  });
  invalidateAssignmentConfig(principal.projectId);
  return result;
}
