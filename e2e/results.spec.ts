import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { E2E_KEYS } from "../playwright.config";
import { signIn, snapshot, snapshotOf } from "./helpers";
import { seedSyntheticExperiment } from "./seed";

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const signedPct = (v: number) => `${v > 0 ? "+" : v < 0 ? "−" : ""}${Math.abs(v * 100).toFixed(1)}%`;
const pFmt = (v: number) => (v < 0.001 ? "< 0.001" : v.toFixed(3));
const admin = { authorization: `Bearer ${E2E_KEYS.admin}` };

/** A signed-in account of `role`: invited by the admin through the API, its one-time link redeemed with a password. */
async function account(request: APIRequestContext, role: string) {
  const email = `${role.replace("_", "-")}@e2e.local`;
  const password = `${role}-password-e2e`;
  const invited = await request.post("/api/v1/users", { headers: admin, data: { email, role } });
  expect(invited.status()).toBe(201);
  const { token } = (await invited.json()).signIn;
  expect((await request.post("/api/auth/sign-in-link", { data: { token, password } })).status()).toBe(200);
  return { email, password };
}

async function signOut(page: Page) {
  await page.context().clearCookies();
}

test("a product manager reads every metric at once, switches every control, and each role sees the same numbers", async ({
  page,
  request,
}) => {
  test.setTimeout(240_000); // every control and three more accounts, on a machine shared with other work
  await page.setViewportSize({ width: 1440, height: 900 });
  const { from, shown } = await seedSyntheticExperiment(request, "synthetic");
  const query = `from=${encodeURIComponent(from)}`;
  const scorecard = async (extra = "") => {
    // Acknowledged events become queryable within a fraction of a second: wait until every user and
    // every shown suggestion the seed sent is counted, so the page and the API see the same data
    // (refresh: computed now, not the same query's answer of the last 30 s).
    let body: any;
    await expect(async () => {
      body = await (await request.get(`/api/v1/experiments/synthetic/scorecard?${query}${extra}&refresh=true`, { headers: admin })).json();
      expect(body.health.exposedUsers).toBe(300);
      const acceptance = body.metrics.find((m: any) => m.metric === "acceptance_rate");
      expect(acceptance.variants.reduce((sum: number, v: any) => sum + v.denominator, 0)).toBe(shown);
    }).toPass({ timeout: 30_000 });
    return body;
  };

  const card = await scorecard();
  const primary = card.metrics[0];
  expect(primary.metric).toBe("acceptance_rate");
  await signIn(page);
  await page.goto(`/experiments/synthetic?${query}`);
  // every metric, primary first, then secondary, then guardrails
  const groups = page.locator('[data-testid^="group-"]');
  await expect(groups).toHaveCount(3);
  await expect(groups.nth(0)).toHaveAttribute("data-testid", "group-primary");
  await expect(groups.nth(2)).toHaveAttribute("data-testid", "group-guardrail");
  for (const m of card.metrics) await expect(page.getByTestId(`score-row-${m.metric}-treatment`)).toBeVisible();
  for (const v of primary.variants) await expect(page.getByTestId(`value-acceptance_rate-${v.key}`)).toContainText(pct(v.rate));
  const t = primary.variants[1];
  await expect(page.getByTestId("rel-acceptance_rate-treatment")).toContainText(signedPct(t.lift.relative));
  await expect(page.getByTestId("abs-acceptance_rate-treatment")).toContainText(" pp");
  await expect(page.getByTestId("p-acceptance_rate-treatment")).toHaveText(pFmt(t.pValue));
  await expect(page.getByTestId("abs-latency_p95-treatment")).toContainText(" ms");
  await expect(page.getByTestId("decision-acceptance_rate")).toContainText("MDE ±");
  await expect(page.getByTestId("verdict-latency_p95-treatment")).toContainText("one-sided p");
  await expect(page.getByTestId("forest-axis").first()).toBeVisible();
  // opens on the primary metric's details
  await expect(page.getByTestId("metric-details")).toContainText("Acceptance rate over time");
  await expect(page.locator(".recharts-line").first()).toBeVisible();
  await expect(page.getByTestId("srm-status")).toContainText("ok");
  await snapshot(page, "scorecard-frequentist");
  await snapshotOf(page.getByTestId("scorecard"), "scorecard-table");

  // Refresh computes again; the exports carry the same query.
  const computed = await page.getByTestId("computed-at").textContent();
  await page.waitForTimeout(1100);
  await page.getByTestId("refresh").click();
  await expect(page.getByTestId("computed-at")).not.toHaveText(computed!);
  const csvHref = await page.getByTestId("export-csv").getAttribute("href");
  expect(csvHref).toContain("format=csv");
  const csv = await request.get(csvHref!, { headers: admin });
  expect(csv.headers()["content-type"]).toMatch(/^text\/csv/);
  expect((await csv.text()).split("\r\n")[0]).toMatch(/^metric,role,unit,variant/);
  expect(await page.getByTestId("export-json").getAttribute("href")).toContain("format=json");

  // CUPED: adjusted values, labelled
  await page.getByLabel("CUPED").check();
  await expect(page).toHaveURL(/cuped=true/);
  const cuped = await scorecard("&cuped=true");
  await expect(page.getByTestId("method-note")).toContainText("CUPED on");
  await expect(page.getByTestId("value-acceptance_rate-treatment")).toContainText(pct(cuped.metrics[0].variants[1].rate));
  await expect(page.getByTestId("value-acceptance_rate-treatment")).toContainText("adj.");
  await snapshot(page, "scorecard-cuped");
  await page.getByLabel("CUPED").uncheck();

  // Holm: adjusted p-values with the raw one beside
  await page.getByLabel("Correction").selectOption("holm");
  await expect(page).toHaveURL(/correction=holm/);
  await expect(page.getByTestId("p-acceptance_rate-treatment")).toContainText("raw");
  await page.getByLabel("Correction").selectOption("none");

  // Bayesian: credible interval, chance to win, expected loss; nothing fixed-horizon
  await page.getByRole("tab", { name: "Bayesian" }).click();
  await expect(page).toHaveURL(/method=bayesian/);
  const bayesian = await scorecard("&method=bayesian");
  await expect(page.getByTestId("p-acceptance_rate-treatment")).toContainText(pct(bayesian.metrics[0].variants[1].chanceToWin));
  await expect(page.getByTestId("p-acceptance_rate-treatment")).toContainText("loss");
  await expect(page.getByTestId("scorecard")).toContainText("credible interval");
  await expect(page.locator("body")).not.toContainText(/fixed-horizon/i);
  await snapshot(page, "scorecard-bayesian");

  await page.getByRole("tab", { name: "Sequential" }).click();
  await expect(page).toHaveURL(/method=sequential/);
  await expect(page.getByText("Always-valid intervals")).toBeVisible();
  await page.getByRole("tab", { name: "Frequentist" }).click();

  // Another metric's details, from its row and from the select; latency says why it has no daily chart.
  await page.getByRole("button", { name: "Generation rate" }).click();
  await expect(page).toHaveURL(/metric=generation_rate/);
  await expect(page.getByTestId("metric-details")).toContainText("Generation rate over time");
  await page.getByLabel("Metric").selectOption("latency_p95");
  await expect(page.getByTestId("no-daily-chart")).toBeVisible();
  await snapshotOf(page.getByTestId("metric-details"), "results-latency-details");

  // Cohorts of every segment attribute; latency is not split by cohort, and says so.
  await page.getByLabel("Segment").selectOption("language");
  await expect(page.getByTestId("cohorts-empty")).toContainText("quantile");
  await page.getByLabel("Metric").selectOption("acceptance_rate");
  await expect(page).toHaveURL(/segment=language/);
  const bySegment = await (await request.get(`/api/v1/experiments/synthetic/results?${query}&segment=language`, { headers: admin })).json();
  for (const segment of bySegment.segments)
    await expect(page.getByTestId(`cohort-${segment.value}`)).toContainText(pct(segment.variants[0].rate));
  await expect(page.getByTestId("heterogeneity")).toContainText("Cochran's Q");
  await expect(page.getByTestId("cohort-table")).toContainText("Holm-adjusted");
  await page.getByTestId("cohorts").scrollIntoViewIfNeeded();
  await snapshot(page, "scorecard-cohorts-language");
  await page.getByLabel("Segment").selectOption("userGroup");
  await expect(page.getByTestId("cohort-internal")).toBeVisible();
  await expect(page.getByTestId("cohort-external")).toBeVisible();
  await page.getByLabel("Segment").selectOption("ide");
  await expect(page.getByTestId("cohort-jetbrains")).toBeVisible();
  // The cohorts can show before the address records the choice: read the URL once it does.
  await expect(page).toHaveURL(/segment=ide/);

  // The URL is shareable: a fresh page with it shows the same view.
  await page.goto(page.url());
  await expect(page.getByLabel("Segment")).toHaveValue("ide");
  await expect(page.getByTestId("cohort-vscode")).toBeVisible();

  // A viewer, a researcher and a release manager read the same scorecard; only the release manager may stop it.
  const roles = { viewer: await account(request, "viewer"), researcher: await account(request, "researcher") };
  const releaseManager = await account(request, "release_manager");
  for (const [role, who] of [...Object.entries(roles), ["release_manager", releaseManager] as const]) {
    await signOut(page);
    await signIn(page, who);
    await page.goto(`/experiments/synthetic?${query}`);
    await expect(page.getByTestId("value-acceptance_rate-control")).toContainText(pct(primary.variants[0].rate));
    await expect(page.getByTestId("rel-acceptance_rate-treatment")).toContainText(signedPct(t.lift.relative));
    const stop = page.getByRole("button", { name: "Stop experiment" });
    if (role === "release_manager") await expect(stop).toBeVisible();
    else await expect(stop).toHaveCount(0);
    await snapshot(page, `scorecard-as-${role}`);
  }
});

test("an experiment without data says so, and opens on its own primary metric", async ({ page, request }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  for (const key of ["quiet-base", "quiet-new"])
    expect((await request.post("/api/v1/model-versions", { headers: admin, data: { key, name: key } })).status()).toBe(201);
  const created = await request.post("/api/v1/experiments", {
    headers: admin,
    data: {
      key: "quiet",
      name: "Quiet: faster decoding",
      primaryMetric: "latency_p95",
      targetEffect: 0.05,
      variants: [
        { key: "control", modelVersion: "quiet-base", weight: 0.5 },
        { key: "fast", modelVersion: "quiet-new", weight: 0.5 },
      ],
    },
  });
  expect(created.status()).toBe(201);
  expect((await created.json()).targetEffect).toBe(0.05);
  expect((await request.post("/api/v1/experiments/quiet/start", { headers: admin })).status()).toBe(200);
  await signIn(page);
  await page.goto("/experiments/quiet");
  await expect(page.getByTestId("group-primary")).toContainText("Latency p95");
  await expect(page.getByTestId("metric-details")).toContainText("Latency p95 over time");
  await expect(page.getByTestId("no-data")).toBeVisible();
  await expect(page.getByTestId("srm-status")).toHaveText(/no data yet/);
  await expect(page.getByTestId("health")).not.toContainText(/\bok\b/);
  await expect(page.getByTestId("guardrail-show_rate")).toContainText("no data yet");
  await expect(page.getByTestId("value-latency_p95-fast")).toContainText("no data yet");
  await expect(page.getByTestId("verdict-acceptance_rate-fast")).toContainText("no data yet");
  await page.getByLabel("Metric").selectOption("acceptance_rate");
  await page.getByLabel("Segment").selectOption("language");
  await expect(page.getByTestId("cohorts-empty")).toContainText("No events");
  await snapshot(page, "scorecard-no-data");
});
