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
  await snapshot(page, "settings");
});
