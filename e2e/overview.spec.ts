import { randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { assignExperiment } from "../lib/assignment";
import { E2E_ADMIN, E2E_KEYS } from "../playwright.config";
import { signIn, snapshot } from "./helpers";
import { seedSyntheticExperiment } from "./seed";

// The landing page, not-found and error pages inside the shell, the app icon, the model-version trends'
// filters, every page this spec's area touches as each role (no wrapped keys, numbers or buttons at
// 1440 px), and — tagged @empty-store, run first on the fresh store (playwright.config.ts) — what the
// pages say before any data exists.

const admin = { authorization: `Bearer ${E2E_KEYS.admin}` };
const PAGES = [
  { path: "/", heading: "Overview" },
  { path: "/experiments", heading: "Experiments" },
  { path: "/model-versions", heading: "Model versions" },
  { path: "/refinements", heading: "Refinements" },
  { path: "/datasets", heading: "Datasets" },
  { path: "/settings", heading: "Settings" },
];

test.use({ viewport: { width: 1440, height: 900 } });

/** A signed-in account of `role`: invited by the admin through the API, its one-time link redeemed with a password. */
async function account(request: APIRequestContext, role: string) {
  const email = `overview-${role.replace("_", "-")}@e2e.local`;
  const password = `${role}-overview-password`;
  const invited = await request.post("/api/v1/users", { headers: admin, data: { email, role } });
  expect(invited.status()).toBe(201);
  const { token } = (await invited.json()).signIn;
  expect((await request.post("/api/auth/sign-in-link", { data: { token, password } })).status()).toBe(200);
  return { email, password };
}

/**
 * Keys, numbers, badges, lifts and buttons in tables fit on one line: the text of each lies on a single
 * line box (a wrapped one has client rects on several lines).
 */
async function expectNothingWrapped(page: Page, where: string) {
  const wrapped = await page.evaluate(() => {
    const selector =
      "table code, table .badge, table button, table .button, table td.num, table [data-testid=primary-lift], .page-header .button";
    const found: string[] = [];
    for (const element of document.querySelectorAll<HTMLElement>(selector)) {
      const range = document.createRange();
      range.selectNodeContents(element);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top / 4)));
      if (tops.size > 1) found.push(`${element.tagName.toLowerCase()}.${element.className}: ${element.textContent?.trim()}`);
    }
    return found;
  });
  expect(wrapped, `wrapped on ${where}`).toEqual([]);
}

/**
 * Six suggestions for each of the seeded experiment's 300 users, just after its start: the seed's own events
 * predate the experiment's start, and results count only what happened after it. The treatment's are
 * accepted more often.
 */
async function postEventsSinceStart(request: APIRequestContext, key: string) {
  const ingest = { authorization: `Bearer ${E2E_KEYS.ingest}` };
  const config = await (await request.get("/api/v1/config", { headers: ingest })).json();
  const experiment = config.experiments.find((e: { key: string }) => e.key === key);
  const started = await (await request.get(`/api/v1/experiments/${key}`, { headers: admin })).json();
  const at = Date.parse(started.startedAt) + 1_000;
  // every event at most now (the API refuses events from the future)
  while (Date.now() < at + 6_000) await new Promise((resolve) => setTimeout(resolve, 500));
  const events: Record<string, unknown>[] = [];
  for (let u = 0; u < 300; u++) {
    const userId = `${key}-user-${u}`;
    const variant = assignExperiment(experiment, userId).variantKey!;
    const common = { userId, modelVersion: variant === "control" ? `${key}-base` : `${key}-new`, language: "python", ide: "vscode" };
    for (let i = 0; i < 6; i++) {
      const suggestionId = `${userId}-fresh-${i}`;
      const t = at + i * 1_000;
      events.push({ ...common, eventId: randomUUID(), type: "shown", suggestionId, timestamp: t, completionChars: 50, latencyMs: 150 });
      if ((u * 7 + i * 3) % 10 < (variant === "treatment" ? 5 : 3)) {
        events.push({ ...common, eventId: randomUUID(), type: "accepted", suggestionId, timestamp: t + 500, acceptedChars: 50 });
      }
    }
    events.push({ ...common, eventId: randomUUID(), type: "typed", timestamp: at + 5_500, humanChars: 120 + (u % 7) * 20 });
  }
  const answer = await request.post("/api/v1/events", { headers: ingest, data: { events } });
  expect(answer.status()).toBe(200);
}

/** No page error boundary, no not-found, the page's heading, and nothing left loading. */
async function expectPageShown(page: Page, path: string, heading: string) {
  await page.goto(path);
  await expect(page.getByRole("heading", { name: heading, exact: true })).toBeVisible();
  await expect(page.getByTestId("page-error")).toHaveCount(0);
  await expect(page.getByTestId("not-found")).toHaveCount(0);
  await expect(page.getByTestId("skeleton")).toHaveCount(0, { timeout: 30_000 });
}

test.describe("on the fresh store @empty-store", () => {
  test("every page says why it is empty, and nothing reads as zero while loading", async ({ page }) => {
    await signIn(page);
    await expectPageShown(page, "/", "Overview");
    await expect(page.getByTestId("production")).toContainText("none yet");
    await expect(page.getByTestId("no-running")).toContainText("No experiment is running");
    await expect(page.getByTestId("no-traffic")).toContainText("No completion events in the last 30 days");
    await expect(page.getByTestId("last-event")).toHaveText("no event received yet");
    await expect(page.getByTestId("backlog")).toContainText("ingestion backlog empty");
    await expect(page.getByTestId("store-event-store")).toHaveAttribute("data-state", "ok");
    await snapshot(page, "overview-empty");

    await expectPageShown(page, "/experiments", "Experiments");
    await expect(page.getByTestId("experiments-empty")).toContainText("No experiments yet.");
    await expectPageShown(page, "/model-versions", "Model versions");
    await expect(page.getByTestId("trends-empty")).toContainText("No completion events between");
    await snapshot(page, "model-versions-empty");
    await expectPageShown(page, "/datasets", "Datasets");
    await expect(page.getByTestId("datasets-empty")).toContainText("No datasets yet.");
    await page.goto("/refinements");
    await expect(page.getByTestId("samples-empty")).toBeVisible();
  });
});

test("the landing page: production version, running experiments with their primary lift, traffic over time, freshness, store health", async ({
  page,
  request,
}) => {
  const { shown } = await seedSyntheticExperiment(request, "overview-exp");
  await postEventsSinceStart(request, "overview-exp");
  // Wait until every seeded suggestion is queryable, so that the page and the API see the same data.
  await expect(async () => {
    const body = await (await request.get("/api/v1/overview", { headers: admin })).json();
    expect(body.traffic.days.reduce((sum: number, d: any) => sum + d.shown, 0)).toBeGreaterThanOrEqual(shown);
  }).toPass({ timeout: 30_000 });
  await expect(async () => {
    const results = await (await request.get("/api/v1/experiments/overview-exp/results", { headers: admin })).json();
    expect(results.variants[1].lift).not.toBeNull();
  }).toPass({ timeout: 30_000 });
  const overview = await (await request.get("/api/v1/overview", { headers: admin })).json();
  const versions = await (await request.get("/api/v1/model-versions", { headers: admin })).json();
  let production = versions.items.find((v: any) => v.status === "production");
  if (!production) {
    // Alone on a fresh store (earlier specs make one production): the seeded control becomes production.
    const patched = await request.patch("/api/v1/model-versions/overview-exp-base", { headers: admin, data: { status: "production" } });
    expect(patched.status()).toBe(200);
    production = await patched.json();
  }

  await signIn(page);
  await expect(page.getByTestId("skeleton")).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId("production")).toContainText(production.key);
  await expect(page.getByTestId("production-since")).toContainText("production since");
  const row = page.getByTestId("running-overview-exp");
  await expect(row).toContainText("Synthetic: refined model");
  await expect(row).toContainText("Acceptance rate");
  await expect(row.getByTestId("primary-lift")).toContainText(/[+−]\d+\.\d%/);
  await expect(row).toContainText("300");
  await expect(page.getByTestId("traffic").locator(".recharts-line")).toHaveCount(2);
  await expect(page.getByTestId("traffic")).toContainText(`up to ${Math.max(...overview.traffic.days.map((d: any) => d.users))}`);
  await expect(page.getByTestId("last-event")).toContainText(/last event (just now|\d+ min ago)/);
  await expect(page.getByTestId("freshness")).toContainText("events in the last 24 h");
  await expect(page.getByTestId("store-metadata-database")).toHaveAttribute("data-state", "ok");
  await expectNothingWrapped(page, "/");
  await page.mouse.move(0, 0); // no tooltip in the picture
  await snapshot(page, "overview");

  // The running experiment links to its page; the card links to all experiments.
  await row.getByRole("link", { name: "Synthetic: refined model" }).click();
  await expect(page).toHaveURL(/\/experiments\/overview-exp$/);
});

test("an unknown address and a missing dataset render inside the shell with the way back", async ({ page }) => {
  await signIn(page);
  const response = await page.goto("/anything");
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toContainText("This page does not exist");
  await expect(page.getByRole("link", { name: "Experiments", exact: true }).first()).toBeVisible(); // the shell's navigation
  await expect(page.getByText(E2E_ADMIN.email)).toBeVisible();
  await snapshot(page, "not-found");
  await page.getByRole("link", { name: "Back to the overview" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Overview", exact: true })).toBeVisible();

  await page.goto("/datasets/no-such-dataset");
  await expect(page.getByTestId("not-found")).toBeVisible();
  await expect(page.locator(".sidebar")).toBeVisible();

  // Signed out, an unknown address offers the way to sign in.
  await page.context().clearCookies();
  await page.goto("/anything");
  await expect(page.getByTestId("not-found")).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
});

test("a missing experiment renders the not-found page inside the shell", async ({ page }) => {
  await signIn(page);
  await page.goto("/experiments/no-such-experiment");
  await expect(page.locator(".sidebar")).toBeVisible();
  await expect(page.getByTestId("not-found")).toBeVisible();
  await snapshot(page, "experiment-not-found");
});

test("a page that fails renders inside the shell with a retry and the way back", async ({ page }) => {
  await signIn(page);
  // A malformed answer (no `items`) makes the experiments page throw while rendering.
  await page.route("**/api/v1/experiments", (route) => route.fulfill({ status: 200, contentType: "application/json", body: "{}" }));
  await page.goto("/experiments");
  await expect(page.getByTestId("page-error")).toContainText("This page could not be shown");
  await expect(page.locator(".sidebar")).toBeVisible();
  await snapshot(page, "page-error");
  await page.unroute("**/api/v1/experiments");
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("heading", { name: "Experiments", exact: true })).toBeVisible();
  await expect(page.getByTestId("page-error")).toHaveCount(0);
});

test("the app icon: /favicon.ico and the icons the pages declare", async ({ page, request }) => {
  const favicon = await request.get("/favicon.ico");
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()["content-type"]).toMatch(/icon/);
  const bytes = await favicon.body();
  expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 1, 0]); // an ICO file
  await page.goto("/login");
  const icons = await page
    .locator('link[rel="icon"], link[rel="apple-touch-icon"]')
    .evaluateAll((links) => links.map((l) => l.getAttribute("href")!));
  expect(icons).toEqual(expect.arrayContaining(["/favicon.ico", "/icon.svg", "/apple-touch-icon.png"]));
  for (const href of icons) expect((await request.get(href)).status(), href).toBe(200);
});

test("model-version trends: a cohort filter, a date range, users and intervals, versions without traffic", async ({ page, request }) => {
  const goQuery = "language=go";
  await signIn(page);
  await page.goto("/model-versions");
  const totals = page.getByTestId("version-totals");
  await expect(totals.getByTestId("trend-version-overview-exp-new")).toContainText("%");
  await expect(page.getByTestId("trend-acceptance_rate").locator(".recharts-line").first()).toBeVisible();
  // A registered version that has served nobody says so.
  expect(
    (await request.post("/api/v1/model-versions", { headers: admin, data: { key: "overview-idle", name: "Never served" } })).status(),
  ).toBe(201);
  await page.reload();
  await expect(totals.getByTestId("trend-version-overview-idle")).toContainText("no traffic in this range");
  await snapshot(page, "model-version-trends-all");

  // One cohort: the numbers are the API's for that cohort.
  await page.getByLabel("Segment").selectOption("language");
  await page.getByLabel("Cohort").selectOption("go");
  await expect(page.getByTestId("trend-scope")).toHaveText("Language go only");
  const api = await (await request.get(`/api/v1/metrics/model-versions?${goQuery}`, { headers: admin })).json();
  const version = api.versions.find((v: any) => v.modelVersion === "overview-exp-new");
  expect(api.filter.language).toBe("go");
  await expect(totals.getByTestId("trend-version-overview-exp-new")).toContainText(String(version.users));
  await expect(totals.getByTestId("trend-version-overview-exp-new")).toContainText(
    `${(version.acceptanceRateCi[0] * 100).toFixed(1)}% – ${(version.acceptanceRateCi[1] * 100).toFixed(1)}%`,
  );
  await expectNothingWrapped(page, "/model-versions");
  await snapshot(page, "model-version-trends-go");

  // Other segments offer the cohorts seen.
  await page.getByLabel("Segment").selectOption("userGroup");
  await expect(page.getByLabel("Cohort").locator("option")).toContainText(["choose…", "external", "internal"]);
  await page.getByLabel("Segment").selectOption("ide");
  await expect(page.getByLabel("Cohort").locator("option")).toContainText(["choose…", "jetbrains", "vscode"]);
  await page.getByLabel("Segment").selectOption("");

  // A range without events: empty charts say why, every version is listed without traffic.
  await page.getByLabel("From").fill("2024-01-01");
  await page.getByLabel("To").fill("2024-01-31");
  await expect(page.getByTestId("trends-empty")).toContainText("No completion events between 2024-01-01 and 2024-01-31");
  await expect(totals.getByTestId("trend-version-overview-exp-new")).toContainText("no traffic in this range");
});

test("the new-experiment form defaults the control to the production version", async ({ page, request }) => {
  const versions = await (await request.get("/api/v1/model-versions", { headers: admin })).json();
  const production = versions.items.find((v: any) => v.status === "production");
  test.skip(!production, "no production version in this run");
  await signIn(page);
  await page.goto("/experiments/new");
  await expect(page.getByLabel("Variant 1 model version")).toHaveValue(production.key);
  await expect(page.getByLabel("Variant 2 model version")).not.toHaveValue(production.key);
  await expectNothingWrapped(page, "/experiments/new");
  await snapshot(page, "experiment-new-defaults");
});

for (const role of ["viewer", "researcher", "release_manager"] as const) {
  test(`every page as a ${role.replace("_", " ")}: shown whole, nothing wrapped, the actions the role has`, async ({ page, request }) => {
    const { email, password } = await account(request, role);
    await signIn(page, { email, password });
    for (const { path, heading } of PAGES) {
      await expectPageShown(page, path, heading);
      await expectNothingWrapped(page, `${path} as ${role}`);
      if (path === "/experiments") {
        await expect(page.getByRole("link", { name: "New experiment" })).toHaveCount(role === "release_manager" ? 1 : 0);
      }
      if (path === "/" && role === "viewer") await snapshot(page, "overview-viewer");
    }
    await page.goto("/refinements");
    await expect(page.getByTestId("save-dataset")).toHaveCount(role === "researcher" ? 1 : 0);
    await page.goto("/anything");
    await expect(page.getByTestId("not-found")).toBeVisible();
    await expect(page.getByText(email)).toBeVisible();
  });
}

test("every page an admin opens at 1440 px: shown whole, nothing wrapped", async ({ page }) => {
  await signIn(page);
  for (const { path, heading } of PAGES) {
    await expectPageShown(page, path, heading);
    await expectNothingWrapped(page, path);
    await snapshot(page, `page${path === "/" ? "-overview" : path.replace(/\//g, "-")}`);
  }
});
