import { audit } from "../audit/store";
import type { Principal } from "../auth/permissions";
import type { Db } from "../db";
import { notFound } from "../errors";
import { invalidateCodeCollection } from "../refinements/collection";

// Project-wide settings: today whether refinement samples are collected at all.

export interface ProjectSettings {
  collectSamples: boolean;
}

export async function projectSettings(client: Db, principal: Principal): Promise<ProjectSettings> {
  const project = await client.project.findUnique({ where: { id: principal.projectId }, select: { collectSamples: true } });
  if (!project) throw notFound("No such project");
  return project;
}

/** Turning collection off stops new samples and keeps no code of later refined events; stored samples stay. */
export async function updateProjectSettings(client: Db, principal: Principal, input: Partial<ProjectSettings>): Promise<ProjectSettings> {
  const after = await client.$transaction(async (tx) => {
    const before = await tx.project.findUniqueOrThrow({ where: { id: principal.projectId }, select: { collectSamples: true } });
    const updated = await tx.project.update({ where: { id: principal.projectId }, data: input, select: { collectSamples: true } });
    await audit(tx, principal, { action: "project.settings", target: `project:${principal.projectId}`, before, after: updated });
    return updated;
  });
  invalidateCodeCollection(principal.projectId);
  return after;
}
