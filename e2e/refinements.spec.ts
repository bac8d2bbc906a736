import { expect, test } from "@playwright/test";
import { E2E_KEYS } from "../playwright.config";
import { signIn, snapshot, snapshotOf } from "./helpers";
import { CHECKED_REFINEMENTS, postRefinements, seedRefinementExperiment, UNCHECKED_REFINEMENTS } from "./seed";

const KEY = "refine-e2e";

test("a researcher browses refinement samples, labels one from the keyboard, reads its diff and finds samples beside the metrics", async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const admin = { authorization: `Bearer ${E2E_KEYS.admin}` };
  const users = await seedRefinementExperiment(request, KEY);
  const suggestionIds = await postRefinements(request, KEY, users, UNCHECKED_REFINEMENTS);
  // The server's pipeline turns refined events into samples every 2 s: wait until every one is listed.
  await expect(async () => {
    const answer = await (await request.get(`/api/v1/refinements?experimentKey=${KEY}&limit=200`, { headers: admin })).json();
    expect(answer.items.length).toBe(suggestionIds.length);
  }).toPass({ timeout: 30_000 });
  const outcomes = await (await request.get(`/api/v1/refinements/outcomes?experimentKey=${KEY}`, { headers: admin })).json();
  const count = (outcome: string) => outcomes.outcomes.find((o: any) => o.outcome === outcome).count as number;
  expect(count("kept")).toBeGreaterThan(0);

  await signIn(page);
  await page.getByRole("link", { name: "Refinements", exact: true }).click();
  await expect(page).toHaveURL(/\/refinements$/);
  await page.goto(`/refinements?experimentKey=${KEY}`);
  const rows = page.getByTestId("sample-row");
  await expect(rows.first()).toBeVisible();
  await expect(page.getByTestId("outcome-chip-all")).toHaveText(new RegExp(`^All\\s*${suggestionIds.length}$`));
  await expect(page.getByTestId("outcome-chip-kept")).toHaveText(new RegExp(`^kept\\s*${count("kept")}$`));
  await expect(page.getByTestId("keyboard-hints")).toContainText("good");

  // The first sample is selected and open in the detail pane; j and k move the selection.
  const first = (await rows.nth(0).getAttribute("data-suggestion-id"))!;
  const second = (await rows.nth(1).getAttribute("data-suggestion-id"))!;
  await expect(rows.nth(0)).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("sample-detail")).toHaveAttribute("data-suggestion-id", first);
  await snapshot(page, "refinements-browser");
  await page.keyboard.press("j");
  await expect(rows.nth(1)).toHaveAttribute("aria-selected", "true");
  await expect(rows.nth(0)).toHaveAttribute("aria-selected", "false");
  await expect(page.getByTestId("sample-detail")).toHaveAttribute("data-suggestion-id", second);
  await expect(page).toHaveURL(new RegExp(`sample=${second}`));
  await page.keyboard.press("k");
  await expect(rows.nth(0)).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("j");
  await expect(page.getByTestId("sample-detail")).toHaveAttribute("data-suggestion-id", second);

  // 1 labels the selected sample good: the page shows it, and the API has it.
  await page.keyboard.press("1");
  await expect(page.getByTestId("current-label")).toHaveText("Good");
  await expect(page.getByTestId("sample-label")).toContainText("admin@e2e.local");
  await expect(rows.nth(1).getByTestId("row-label")).toHaveText("Good");
  await expect(async () => {
    const sample = await (await request.get(`/api/v1/refinements/${second}`, { headers: admin })).json();
    expect(sample.label).toBe("good");
    expect(sample.labeledBy).toBe("admin@e2e.local");
  }).toPass({ timeout: 10_000 });
  // The buttons do the same, with a note.
  await page.getByLabel("Note for the label").fill("needs a second look at the timeout");
  await page.getByTestId("label-needs_review").click();
  await expect(page.getByTestId("current-label")).toHaveText("Needs review");
  await expect(page.getByTestId("sample-label")).toContainText("needs a second look at the timeout");
  await page.getByTestId("label-good").click();
  await expect(page.getByTestId("current-label")).toHaveText("Good");

  // Filtered by outcome through the URL: only kept samples, the chip pressed; open one and read its diff.
  await page.goto(`/refinements?experimentKey=${KEY}&outcome=kept&sort=most_edited`);
  await expect(page.getByTestId("outcome-chip-kept")).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("target")).toBeVisible();
  for (const row of await rows.all()) await expect(row.locator(".badge").first()).toHaveText("kept");
  await expect(page.getByRole("tab", { name: "Most edited" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("target").locator(".ctx").first()).toBeVisible();
  await page.keyboard.press("o");
  await expect(page.getByTestId("sample-list")).toHaveCount(0);
  await page.getByRole("tab", { name: "Unified diff" }).click();
  const diff = page.getByTestId("diff-view");
  await expect(diff).toBeVisible();
  await expect(diff.locator(".diff-add").first()).toBeVisible();
  await expect(diff.locator(".diff-del").first()).toBeVisible();
  await expect(diff.locator(".token.keyword").first()).toBeVisible();
  await expect(page.getByTestId("sample-measures")).toContainText("Edit ratio");
  await snapshot(page, "refinements-diff");
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("sample-list")).toBeVisible();

  // The current filter saved as a dataset: its manifest, then its download, one line per kept sample.
  await page.getByTestId("save-dataset").click();
  await expect(page).toHaveURL(/\/datasets\?new=1&/);
  const form = page.getByRole("form", { name: "Create a dataset" });
  await expect(form.getByTestId("dataset-selects")).toHaveText(`${count("kept")} samples`);
  await form.getByLabel("Name").fill(`${KEY}-kept`);
  await form.getByRole("button", { name: "Create dataset" }).click();
  await expect(page).toHaveURL(/\/datasets\/[^/?]+$/);
  await expect(page.getByTestId("dataset-samples")).toHaveText(String(count("kept")));
  await expect(page.getByTestId("manifest")).toContainText(`${KEY}`);
  await snapshot(page, "dataset-manifest");
  const download = await page.request.get((await page.getByTestId("download-all").getAttribute("href"))!);
  expect(download.status()).toBe(200);
  expect(download.headers()["x-echo-content-hash"]).toBe(await page.getByTestId("content-hash").textContent());
  const lines = (await download.text())
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(lines.length).toBe(count("kept"));
  for (const line of lines) {
    expect(line.metadata.outcome).toBe("kept");
    expect(line.metadata.experimentKey).toBe(KEY);
    expect(typeof line.prompt).toBe("string");
    expect(typeof line.completion).toBe("string");
  }

  // From the page: the download streams with its progress, then is saved as a file.
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-all").click()]);
  expect(file.suggestedFilename()).toMatch(/\.jsonl$/);
  await expect(page.getByRole("status").filter({ hasText: "saved" })).toHaveText(`saved, ${count("kept")} lines`);

  // A filter that matches nothing says so, and how samples come about.
  await page.goto(`/refinements?experimentKey=${KEY}&q=no-such-code-anywhere`);
  await expect(page.getByTestId("samples-empty")).toContainText("No samples match these filters.");
  await expect(page.getByTestId("samples-empty")).toContainText("refined");

  // Beside the metrics: per variant, typical and most edited samples linking into the browser.
  await page.goto(`/experiments/${KEY}`);
  const strip = page.getByTestId("sample-strip");
  await expect(strip).toBeVisible();
  for (const variant of ["control", "treatment"]) {
    const part = page.getByTestId(`sample-strip-${variant}`);
    await expect(part.getByTestId("strip-sample").first()).toBeVisible();
    await expect(part.getByTestId(`browse-samples-${variant}`)).toHaveAttribute(
      "href",
      `/refinements?experimentKey=${KEY}&variantKey=${variant}`,
    );
  }
  await snapshotOf(strip, "experiment-sample-strip");
  await page.getByTestId("browse-samples-treatment").click();
  await expect(page).toHaveURL(new RegExp(`/refinements\\?experimentKey=${KEY}&variantKey=treatment`));
  await expect(rows.first()).toBeVisible();
  for (const row of await rows.all()) await expect(row).toContainText(`${KEY}/treatment`);

  // Model versions: each version's samples and its lineage.
  await page.getByRole("link", { name: "Model versions", exact: true }).click();
  await expect(page.getByTestId(`samples-${KEY}-base`)).toContainText("samples");
  await expect(page.getByTestId(`lineage-${KEY}-base`)).toContainText("starcoder2-7b");
  await page.getByTestId(`samples-${KEY}-new`).click();
  await expect(page).toHaveURL(new RegExp(`/refinements\\?modelVersion=${KEY}-new`));
  await expect(rows.first()).toBeVisible();
});

test("the server's pipeline checks the syntax of Python, TypeScript and Go samples", async ({ request }) => {
  const key = "refine-e2e-syntax";
  const admin = { authorization: `Bearer ${E2E_KEYS.admin}` };
  const users = await seedRefinementExperiment(request, key, 2);
  const suggestionIds = await postRefinements(request, key, users, CHECKED_REFINEMENTS);
  await expect(async () => {
    const answer = await (await request.get(`/api/v1/refinements?experimentKey=${key}&limit=200`, { headers: admin })).json();
    expect(answer.items.length).toBe(suggestionIds.length);
  }).toPass({ timeout: 30_000 });
  const outcomes = await (await request.get(`/api/v1/refinements/outcomes?experimentKey=${key}`, { headers: admin })).json();
  const count = (outcome: string) => outcomes.outcomes.find((o: any) => o.outcome === outcome).count as number;
  expect(count("syntax_error")).toBeGreaterThan(0);
  expect(count("kept")).toBeGreaterThan(0);
  const kept = await (await request.get(`/api/v1/refinements?experimentKey=${key}&outcome=kept&limit=1`, { headers: admin })).json();
  const sample = await (await request.get(`/api/v1/refinements/${kept.items[0].suggestionId}`, { headers: admin })).json();
  expect(sample.syntax).toBe("ok");
});

test("planted secrets reach no page and no export", async ({ page, request }) => {
  test.setTimeout(90_000);
  const key = "refine-e2e-secrets";
  const admin = { authorization: `Bearer ${E2E_KEYS.admin}` };
  const planted = ["AKIAZ7QJ4LWX2NBV5KD3", "ghp_Zq8wL2vN4xR7tY1uK9sD3fG6hJ0aB5cE2mP8", "hunter2-e2e-db-password"];
  const secretRefinements = [
    () => ({
      language: "python",
      prefix: `import boto3\nGITHUB_TOKEN = "${planted[1]}"\n\n`,
      proposal: "client = boto3.client('s3')\n",
      final: `client = boto3.client('s3', aws_access_key_id='${planted[0]}')\nDB_PASSWORD=${planted[2]}\n`,
    }),
  ];
  const users = await seedRefinementExperiment(request, key, 2);
  const suggestionIds = await postRefinements(request, key, users, secretRefinements, 1);
  await expect(async () => {
    const answer = await (await request.get(`/api/v1/refinements?experimentKey=${key}&outcome=secret`, { headers: admin })).json();
    expect(answer.items.length).toBe(suggestionIds.length);
  }).toPass({ timeout: 30_000 });

  await signIn(page);
  await page.goto(`/refinements?experimentKey=${key}&outcome=secret`);
  await expect(page.getByTestId("sample-detail")).toBeVisible();
  await expect(page.getByTestId("sample-detail")).toContainText("REDACTED");
  for (const view of ["side", "diff"]) {
    if (view === "diff") await page.keyboard.press("d");
    const html = await page.content();
    for (const secret of planted) expect(html, `${secret} on the page (${view})`).not.toContain(secret);
  }
  await snapshot(page, "refinements-secret-redacted");

  const created = await request.post("/api/v1/datasets", {
    headers: admin,
    data: { name: "secrets-e2e", filter: { experimentKey: key, outcome: ["secret"] }, format: "chat" },
  });
  expect(created.status()).toBe(201);
  const download = await request.get(`/api/v1/datasets/${(await created.json()).id}/download`, { headers: admin });
  const text = await download.text();
  expect(text.trim().split("\n")).toHaveLength(suggestionIds.length);
  expect(text).toContain("[REDACTED:");
  for (const secret of planted) expect(text, `${secret} in the export`).not.toContain(secret);
});
