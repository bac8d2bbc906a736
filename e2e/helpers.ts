import { expect, type Locator, type Page } from "@playwright/test";
import { E2E_ADMIN } from "../playwright.config";

export const ARTIFACTS = "e2e/artifacts";

export async function signIn(page: Page, account = E2E_ADMIN) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("link", { name: "Overview" })).toBeVisible();
}

/** Full-page screenshot kept as a test artifact (e2e/artifacts), to be looked at. */
export async function snapshot(page: Page, name: string) {
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

/** Screenshot of one part of a page (e2e/artifacts), when the whole page would bury it. */
export async function snapshotOf(locator: Locator, name: string) {
  await locator.scrollIntoViewIfNeeded();
  await locator.screenshot({ path: `${ARTIFACTS}/${name}.png` });
}
