import { randomUUID } from "node:crypto";
import { expect, type APIRequestContext } from "@playwright/test";
import { assignExperiment } from "../lib/assignment";
import { E2E_KEYS } from "../playwright.config";

const DAY = 86_400_000;

/**
 * Seeds a known synthetic experiment through the public API only: two model versions, a running
 * experiment, 300 users over six days with a real lift on acceptance, in three languages.
 */
export async function seedSyntheticExperiment(request: APIRequestContext, key: string) {
  const admin = { authorization: `Bearer ${E2E_KEYS.admin}` };
  const ingest = { authorization: `Bearer ${E2E_KEYS.ingest}` };
  for (const version of [`${key}-base`, `${key}-new`]) {
    expect((await request.post("/api/v1/model-versions", { headers: admin, data: { key: version, name: version } })).status()).toBe(201);
  }
  const created = await request.post("/api/v1/experiments", {
    headers: admin,
    data: {
      key,
      name: "Synthetic: refined model",
      variants: [
        { key: "control", modelVersion: `${key}-base`, weight: 0.5 },
        { key: "treatment", modelVersion: `${key}-new`, weight: 0.5 },
      ],
    },
  });
  expect(created.status()).toBe(201);
  expect((await request.post(`/api/v1/experiments/${key}/start`, { headers: admin })).status()).toBe(200);
  const config = await (await request.get("/api/v1/config", { headers: ingest })).json();
  // This experiment alone (other tests' experiments may be running too): what the SDK reports as an exposure.
  const experiment = config.experiments.find((e: { key: string }) => e.key === key);

  let seed = 7;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const start = Date.now() - 6 * DAY;
  const events: Record<string, unknown>[] = [];
  let shown = 0;
  for (let u = 0; u < 300; u++) {
    const userId = `${key}-user-${u}`;
    const variant = assignExperiment(experiment, userId).variantKey!;
    const modelVersion = variant === "control" ? `${key}-base` : `${key}-new`;
    const language = ["python", "typescript", "go"][u % 3];
    const exposedAt = start + (u % 6) * DAY + 600_000;
    const common = {
      userId,
      language,
      ide: u % 4 === 0 ? "jetbrains" : "vscode",
      userGroup: u % 10 === 0 ? "internal" : "external",
      modelVersion,
    };
    events.push({ ...common, eventId: randomUUID(), type: "exposure", timestamp: exposedAt, experimentKey: key, variantKey: variant });
    const propensity = 0.15 + 0.3 * random() + (variant === "treatment" ? 0.12 : 0);
    for (let i = 0; i < 4 + Math.floor(random() * 30); i++) {
      const suggestionId = `${userId}-${i}`;
      const at = exposedAt + 60_000 + i * 1_800_000;
      events.push({ ...common, eventId: randomUUID(), type: "requested", suggestionId, timestamp: at });
      events.push({
        ...common,
        eventId: randomUUID(),
        type: "shown",
        suggestionId,
        timestamp: at + 150,
        completionChars: 60,
        latencyMs: 120 + Math.floor(random() * 120),
      });
      shown++;
      if (random() < propensity)
        events.push({ ...common, eventId: randomUUID(), type: "accepted", suggestionId, timestamp: at + 2000, acceptedChars: 60 });
    }
    events.push({
      ...common,
      eventId: randomUUID(),
      type: "typed",
      timestamp: exposedAt + 90_000,
      humanChars: 100 + Math.floor(random() * 200),
    });
  }
  for (let i = 0; i < events.length; i += 5000) {
    const answer = await request.post("/api/v1/events", { headers: ingest, data: { events: events.slice(i, i + 5000) } });
    expect(answer.status()).toBe(200);
  }
  return { from: new Date(start - DAY).toISOString(), shown };
}
