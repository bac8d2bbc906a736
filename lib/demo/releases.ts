import type { Principal } from "../auth/permissions";
import type { Db } from "../db";
import { DAY_MS } from "../time";
import { rampPass, rollback, startPromotion } from "../releases/service";

// The release history of the demo data, so the model-versions page is full on a first start: the
// distilled model was made production after its latency experiment and rolled back the next day, and
// the refinement-trained model is ramping up (step 1, 5%) with its guardrails evaluated.

const HOUR_MS = 3_600_000;

export async function seedDemoReleases(
  client: Db,
  principal: Principal,
  versions: { production: string; distilled: string; refined: string },
): Promise<void> {
  const projectId = principal.projectId;
  const past = await startPromotion(client, principal, versions.distilled, {
    steps: [{ percent: 100, minHours: 0 }],
    reason: "demo data: p95 latency −31% in the distilled-latency experiment",
  });
  await rollback(client, principal, "demo data: acceptance fell 1.4 points in production the day after the switch");
  const rampReason = "demo data: +10 points of acceptance in refined-vs-production; ramping while the experiment finishes";
  const ramp = await startPromotion(client, principal, versions.refined, { reason: rampReason });

  // Back-dated so the timeline reads as a history: set 20 days ago, the distilled model 6 days ago,
  // its rollback 5 days ago, and the ramp's first step 20 hours ago.
  const now = Date.now();
  const changes = await client.productionChange.findMany({ where: { projectId }, orderBy: { at: "asc" } });
  const when = [now - 20 * DAY_MS, now - 6 * DAY_MS, now - 5 * DAY_MS];
  for (const [i, change] of changes.entries()) {
    if (when[i] !== undefined) await client.productionChange.update({ where: { id: change.id }, data: { at: new Date(when[i]) } });
  }
  await client.promotion.update({
    where: { id: past.id },
    data: { createdAt: new Date(now - 6 * DAY_MS), endedAt: new Date(now - 5 * DAY_MS) },
  });
  await client.promotion.update({
    where: { id: ramp.id },
    data: { createdAt: new Date(now - 20 * HOUR_MS), stepStartedAt: new Date(now - 20 * HOUR_MS) },
  });
  await rampPass(client); // the first guardrail evaluation, for the page
}
