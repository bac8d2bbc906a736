import { expect, test } from "@playwright/test";
import { signIn, snapshot } from "./helpers";

test("an anonymous visitor is sent to sign-in, and a bad password is refused", async ({ page }) => {
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/login\?next=%2Fsettings/);
  await page.getByLabel("Email").fill("admin@e2e.local");
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "wrong" })).toHaveText("Email or password is wrong");
  await snapshot(page, "login-error");
});

test("the admin signs in and sees both stores healthy", async ({ page }) => {
  await signIn(page);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("store-event-store")).toHaveAttribute("data-state", "ok");
  await expect(page.getByTestId("store-metadata-database")).toHaveAttribute("data-state", "ok");
  await expect(page.getByTestId("store-event-store")).toContainText("Embedded chDB");
  await snapshot(page, "overview-health");
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByText("admin@e2e.local").first()).toBeVisible();

  // An admin creates an ingest key, sees it once, and the key works against the API.
  page.on("dialog", (dialog) => dialog.accept());
  const form = page.getByRole("form", { name: "Create an API key" });
  await form.getByLabel("Name").fill("e2e plugin");
  await form.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-key").textContent())!;
  expect(key).toMatch(/^echo_ingest_/);
  const me = await page.request.get("/api/auth/me", { headers: { authorization: `Bearer ${key}` } });
  expect((await me.json()).scope).toBe("ingest");
  await expect(page.getByTestId("api-key-e2e plugin")).toContainText("ingest");
  await snapshot(page, "settings");
  await page.getByTestId("api-key-e2e plugin").getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("api-key-e2e plugin")).toContainText("revoked");
});
