import { expect, test } from "@playwright/test";
import { E2E_KEYS } from "../playwright.config";
import { signIn, snapshot } from "./helpers";

test("a release manager's flow: register versions, create and start an experiment, see an API assignment counted", async ({
  page,
  request,
}) => {
  page.on("dialog", (dialog) => dialog.accept());
  await signIn(page);

  await page.getByRole("navigation").getByRole("link", { name: "Model versions" }).click();
  const form = page.getByRole("form", { name: "Register a model version" });
  for (const [key, name] of [
    ["e2e-base", "Production model"],
    ["e2e-refined", "Refinement-trained"],
  ]) {
    await form.getByLabel("Key").fill(key);
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Base model").fill("starcoder2-3b");
    await form.getByRole("button", { name: "Register" }).click();
    await expect(page.getByTestId(`model-version-${key}`)).toBeVisible();
  }
  // The first production version: a one-step promotion straight to 100%.
  await page.getByTestId("promote-e2e-base").click();
  const promote = page.getByRole("form", { name: "Promote e2e-base" });
  for (let i = 0; i < 3; i++) await promote.getByRole("button", { name: "remove" }).first().click();
  await expect(promote.getByLabel("Step 1 percent")).toHaveValue("100");
  await promote.getByLabel("Reason to promote").fill("first production model");
  await promote.getByRole("button", { name: "Start ramp" }).click();
  await expect(page.getByTestId("model-version-e2e-base").getByTestId("status")).toHaveText("production");
  await snapshot(page, "model-versions");

  await page.getByRole("link", { name: "Experiments" }).click();
  await page.getByRole("link", { name: "New experiment" }).click();
  await page.getByLabel("Key", { exact: true }).fill("e2e-exp");
  await page.getByLabel("Name", { exact: true }).fill("Refined model vs production");
  await page.getByLabel("Hypothesis").fill("Training on refinements lifts acceptance.");
  await page.getByLabel("Variant 1 model version").selectOption("e2e-base");
  await page.getByLabel("Variant 2 model version").selectOption("e2e-refined");
  await page.getByLabel(/Target effect/).fill("5");
  await snapshot(page, "experiment-new");
  await page.getByRole("button", { name: "Create experiment" }).click();

  await expect(page).toHaveURL(/\/experiments\/e2e-exp$/);
  expect((await (await page.request.get("/api/v1/experiments/e2e-exp")).json()).targetEffect).toBe(0.05);
  await expect(page.getByTestId("status")).toHaveText("draft");
  await page.getByRole("button", { name: "Start experiment" }).click();
  await expect(page.getByTestId("status")).toHaveText("running");
  await expect(page.getByTestId("exposed-users")).toHaveText("0");

  // The IDE plugin's call, with the ingest key.
  const answer = await request.post("/api/v1/assign", {
    headers: { authorization: `Bearer ${E2E_KEYS.ingest}` },
    data: { userId: "e2e-user-1", attributes: { language: "python" } },
  });
  expect(answer.status()).toBe(200);
  const assignment = await answer.json();
  const variant = assignment.assignments[0].variantKey as string;
  expect(["control", "treatment"]).toContain(variant);
  expect(assignment.modelVersion).toBe(variant === "control" ? "e2e-base" : "e2e-refined");

  await expect(page.getByTestId("exposed-users")).toHaveText("1", { timeout: 20_000 });
  await expect(page.getByTestId(`exposed-${variant}`)).toHaveText("1");
  await snapshot(page, "experiment-detail");

  await page.getByRole("link", { name: "Experiments" }).click();
  await expect(page.getByTestId("experiment-e2e-exp")).toContainText("running");
  await snapshot(page, "experiments-list");
});

test("an ingest key cannot read experiments", async ({ request }) => {
  const response = await request.get("/api/v1/experiments", { headers: { authorization: `Bearer ${E2E_KEYS.ingest}` } });
  expect(response.status()).toBe(403);
  expect((await response.json()).error.code).toBe("forbidden");
});
