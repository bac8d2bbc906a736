import { randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { assignExperiment } from "../lib/assignment";
import { E2E_KEYS } from "../playwright.config";
import { signIn, snapshot, snapshotOf } from "./helpers";

const admin = { authorization: `Bearer ${E2E_KEYS.admin}` };
const ingest = { authorization: `Bearer ${E2E_KEYS.ingest}` };
const KEY = "ship-e2e";

/**
 * A running experiment whose treatment clearly wins on acceptance, with its traffic sent now (inside the
 * experiment's default results window), and its control made production.
 */
async function seedShippableExperiment(request: APIRequestContext) {
  for (const version of [`${KEY}-base`, `${KEY}-new`]) {
    expect((await request.post("/api/v1/model-versions", { headers: admin, data: { key: version, name: version } })).status()).toBe(201);
  }
  const production = await request.post(`/api/v1/model-versions/${KEY}-base/promotions`, {
    headers: admin,
    data: { steps: [{ percent: 100, minHours: 0 }], reason: "production before the experiment" },
  });
  expect(production.status()).toBe(201);
  const created = await request.post("/api/v1/experiments", {
    headers: admin,
    data: {
      key: KEY,
      name: "Ship: refined model",
      variants: [
        { key: "control", modelVersion: `${KEY}-base`, weight: 0.5 },
        { key: "treatment", modelVersion: `${KEY}-new`, weight: 0.5 },
      ],
      guardrailMetrics: ["latency_p95", "show_rate"],
    },
  });
  expect(created.status()).toBe(201);
  expect((await request.post(`/api/v1/experiments/${KEY}/start`, { headers: admin })).status()).toBe(200);
  const config = await (await request.get("/api/v1/config", { headers: ingest })).json();
  const experiment = config.experiments.find((e: { key: string }) => e.key === KEY);
  let seed = 11;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const now = Date.now();
  const events: Record<string, unknown>[] = [];
  for (let u = 0; u < 240; u++) {
    const userId = `${KEY}-user-${u}`;
    const variantKey = assignExperiment(experiment, userId).variantKey!;
    const modelVersion = variantKey === "control" ? `${KEY}-base` : `${KEY}-new`;
    const common = { userId, modelVersion, experimentKey: KEY, variantKey };
    events.push({ ...common, eventId: randomUUID(), type: "exposure", timestamp: now });
    for (let i = 0; i < 12; i++) {
      const suggestionId = `${userId}-${i}`;
      const at = now + 10 + i;
      events.push({ ...common, eventId: randomUUID(), type: "requested", suggestionId, timestamp: at });
      events.push({
        ...common,
        eventId: randomUUID(),
        type: "shown",
        suggestionId,
        timestamp: at,
        completionChars: 50,
        latencyMs: 150 + Math.floor(random() * 80),
      });
      if (random() < (variantKey === "treatment" ? 0.38 : 0.24)) {
        events.push({ ...common, eventId: randomUUID(), type: "accepted", suggestionId, timestamp: at, acceptedChars: 50 });
      }
    }
  }
  for (let i = 0; i < events.length; i += 5000) {
    expect((await request.post("/api/v1/events", { headers: ingest, data: { events: events.slice(i, i + 5000) } })).status()).toBe(200);
  }
  await expect(async () => {
    const results = await (await request.get(`/api/v1/experiments/${KEY}/results`, { headers: admin })).json();
    expect(results.variants.reduce((n: number, v: { users: number }) => n + v.users, 0)).toBe(240);
  }).toPass({ timeout: 30_000 });
}

test("a release manager ships a variant from its experiment, watches the ramp advance, rolls it back and finds it all on the timeline and the audit page", async ({
  page,
  request,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await seedShippableExperiment(request);
  await signIn(page);

  // Ship from the experiment page: the confirmation shows the evidence and needs a reason.
  await page.goto(`/experiments/${KEY}`);
  await page.getByTestId("ship-treatment").click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("ship-evidence")).toBeVisible();
  await expect(dialog.getByTestId("ship-lift")).toContainText("95% interval");
  await expect(dialog.getByTestId("ship-lift")).toContainText("pp");
  await expect(dialog.getByTestId("ship-guardrail-latency_p95")).toBeVisible();
  await expect(dialog.getByTestId("ship-srm")).toContainText("as configured");
  await expect(dialog.getByTestId("ship-confirm")).toBeDisabled();
  await dialog.getByLabel("Reason to ship").fill("Acceptance +14 points with guardrails holding");
  await snapshotOf(dialog, "ship-dialog");
  await dialog.getByTestId("ship-confirm").click();

  // The ramp starts at 5% of the users outside experiments, with its steps and guardrail checks.
  await expect(page).toHaveURL(/\/model-versions$/);
  const ramp = page.getByTestId("active-ramp");
  await expect(ramp).toContainText(`${KEY}-new`);
  await expect(ramp.getByTestId("ramp-percent")).toHaveText("5%");
  await expect(ramp.getByTestId("ramp-status")).toHaveText("running");
  await expect(ramp).toContainText(`shipped from ${KEY}`);
  const config = await (await request.get("/api/v1/config", { headers: ingest })).json();
  expect(config.rollout).toMatchObject({ modelVersion: `${KEY}-new`, share: 0.05 });
  expect(config.experiments.find((e: { key: string }) => e.key === KEY)).toBeUndefined(); // the experiment stopped

  // Advance by hand: 5% → 25%; the page shows the step's guardrail evaluation with its numbers.
  await ramp.getByTestId("ramp-advance").click();
  await ramp.getByLabel("Reason to advance").fill("Day one looks clean");
  await ramp.getByRole("button", { name: "Advance to next step" }).click();
  await expect(ramp.getByTestId("ramp-percent")).toHaveText("25%");
  await expect(ramp.getByTestId("guardrail-checks")).toBeVisible();
  await expect(ramp.getByTestId("check-acceptance_rate")).toBeVisible();
  await expect(ramp.locator('[data-current="true"]')).toContainText("25%");
  await snapshot(page, "model-versions-ramp");

  // Roll back in one click: the ramp ends and production is the control's version again.
  await page.getByTestId("rollback").click();
  await page.getByLabel("Reason to roll back (end this ramp)").fill("Support tickets about truncated completions");
  await page.getByRole("button", { name: "Roll back now" }).click();
  await expect(page.getByTestId("no-ramp")).toBeVisible();
  await expect(page.getByTestId("rollback-done")).toContainText(`${KEY}-base`);
  const after = await (await request.get("/api/v1/config", { headers: ingest })).json();
  expect(after.rollout ?? null).toBeNull();
  expect(after.productionVersion).toBe(`${KEY}-base`);

  const timeline = page.getByTestId("production-timeline");
  await expect(timeline.getByTestId("timeline-ramp_stopped").first()).toContainText("Support tickets about truncated completions");
  await expect(timeline.getByTestId("timeline-ramp_stopped").first()).toContainText(`${KEY}-new`);
  await expect(timeline.getByTestId("timeline-promotion").first()).toContainText(`${KEY}-base`);
  await snapshot(page, "model-versions-releases");
  await snapshotOf(timeline, "production-timeline");

  // The experiment is stopped, and the audit page has the ship, each step and the rollback with reasons.
  await page.goto(`/experiments/${KEY}`);
  await expect(page.getByTestId("status").first()).toHaveText("stopped");
  const promotions = await (await request.get("/api/v1/promotions", { headers: admin })).json();
  const shipped = promotions.items.find((p: { modelVersion: string }) => p.modelVersion === `${KEY}-new`);
  expect(shipped).toMatchObject({ status: "rolled_back", experimentKey: KEY, variantKey: "treatment" });
  expect(shipped.evidence.lift.ciAbsolute[0]).toBeGreaterThan(0);
  await page.goto(`/audit?target=${encodeURIComponent(`promotion:${shipped.id}`)}`);
  const rows = page.getByTestId("audit-row");
  await expect(rows.filter({ hasText: "promotion.start" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "promotion.advance" })).toContainText("Day one looks clean");
  await expect(rows.filter({ hasText: "release.rollback" })).toContainText("Support tickets about truncated completions");
  await snapshot(page, "audit-releases");
});
