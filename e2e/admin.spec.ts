import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { signIn, snapshot, snapshotOf } from "./helpers";

// People and history: an admin invites a user, who signs in through the one-time link and sets a
// password; the admin changes the role and deactivates the user; all of it is found on the audit page,
// filtered and exported as CSV. The webhook section shows its secret once and its delivery log.

const NEWCOMER = "newcomer@e2e.local";
test.describe.configure({ mode: "serial" });

async function acceptConfirms(page: Page) {
  page.on("dialog", (dialog) => dialog.accept());
}

test("an admin invites a user who signs in with the one-time link; role change and deactivation apply at once", async ({
  page,
  browser,
  context,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await acceptConfirms(page);
  await signIn(page);
  await page.getByRole("link", { name: "Users" }).click();
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  await expect(page.getByTestId("user-admin@e2e.local")).toContainText("active");

  await page.getByRole("button", { name: "Invite user" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite a user" });
  await dialog.getByLabel("Email").fill(NEWCOMER);
  await dialog.getByLabel("Role").selectOption("researcher");
  await dialog.getByRole("button", { name: "Invite" }).click();
  const url = (await dialog.getByTestId("sign-in-url").textContent())!;
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/welcome#token=echo_signin_/);
  await dialog.getByRole("button", { name: "Copy" }).click();
  await expect(dialog.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  await snapshotOf(dialog, "users-invite-link");
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId(`user-${NEWCOMER}`)).toContainText("invited");

  // The newcomer, in a browser of their own, opens the link and chooses a password.
  const newcomerContext = await browser.newContext();
  const newcomer = await newcomerContext.newPage();
  await newcomer.goto(url);
  await newcomer.getByLabel("New password").fill("newcomer-password-1");
  await newcomer.getByLabel("Repeat it").fill("newcomer-password-1");
  await snapshot(newcomer, "welcome-set-password");
  await newcomer.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(newcomer.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(newcomer.getByText(NEWCOMER)).toBeVisible();
  await expect(newcomer.getByRole("link", { name: "Users" })).toHaveCount(0);
  // The link worked once: opened again, it is refused.
  const again = await newcomerContext.newPage();
  await again.goto(url);
  await again.getByLabel("New password").fill("another-password-2");
  await again.getByLabel("Repeat it").fill("another-password-2");
  await again.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(again.getByRole("alert").filter({ hasText: "not valid" })).toBeVisible();
  await again.close();

  await page.reload();
  await expect(page.getByTestId(`user-${NEWCOMER}`)).toContainText("active");
  await page.getByLabel(`Role of ${NEWCOMER}`).selectOption("release_manager");
  await expect.poll(async () => (await newcomer.request.get("/api/auth/me")).json().then((me) => me.role)).toBe("release_manager");

  await page.getByTestId(`user-${NEWCOMER}`).getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByTestId(`user-${NEWCOMER}`)).toContainText("disabled");
  await snapshot(page, "users");
  // Signed out at once: the newcomer's next page load goes to sign-in, and the password no longer works.
  await newcomer.reload();
  await expect(newcomer).toHaveURL(/\/login/);
  await newcomer.getByLabel("Email").fill(NEWCOMER);
  await newcomer.getByLabel("Password").fill("newcomer-password-1");
  await newcomer.getByRole("button", { name: "Sign in" }).click();
  await expect(newcomer.getByRole("alert").filter({ hasText: "wrong" })).toHaveText("Email or password is wrong");
  await newcomerContext.close();

  await page.getByTestId(`user-${NEWCOMER}`).getByRole("button", { name: "Reactivate" }).click();
  await expect(page.getByTestId(`user-${NEWCOMER}`)).toContainText("active");
});

test("the audit page shows those changes with before and after, filtered, and exports them as CSV", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await expect(page.getByTestId("audit-row").first()).toBeVisible();
  await snapshot(page, "audit");

  const filters = page.getByRole("form", { name: "Audit filters" });
  await filters.getByLabel("Action").fill("user");
  await filters.getByLabel("Target").fill(`user:${NEWCOMER}`);
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/action=user/);
  const rows = page.getByTestId("audit-row");
  await expect(rows).toHaveCount(5);
  await expect(rows.nth(0)).toContainText("user.enable");
  await expect(rows.nth(1)).toContainText("user.disable");
  await expect(rows.nth(2)).toContainText("user.role");
  await expect(rows.nth(3)).toContainText("user.password_set");
  await expect(rows.nth(4)).toContainText("user.invite");

  await rows.nth(2).click();
  const diff = page.getByTestId("audit-diff");
  const roleRow = diff.getByRole("row").filter({ hasText: "role" }).first();
  await expect(roleRow).toContainText("researcher");
  await expect(roleRow).toContainText("release_manager");
  await snapshot(page, "audit-filtered-diff");

  const downloading = page.waitForEvent("download");
  await page.getByTestId("audit-csv").click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^echo-audit-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = fs
    .readFileSync((await download.path())!, "utf8")
    .trim()
    .split("\r\n");
  expect(csv[0]).toBe("at,actor,action,target,before,after,reason");
  expect(csv.slice(1).map((line) => line.split(",")[2])).toEqual([
    "user.enable",
    "user.disable",
    "user.role",
    "user.password_set",
    "user.invite",
  ]);

  // A window in which nothing happened.
  await filters.getByLabel("From", { exact: true }).fill("2001-01-01");
  await filters.getByLabel("To", { exact: true }).fill("2001-01-31");
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("No audit entries match these filters.")).toBeVisible();
});

test("the webhook section shows the signing secret once and the delivery log", async ({ page }) => {
  await acceptConfirms(page);
  await signIn(page);
  await page.goto("/settings");
  const section = page.getByTestId("webhook");
  await section.getByLabel("URL").fill("http://127.0.0.1:9/unreachable");
  await section.getByRole("button", { name: "Add webhook" }).click();
  await expect(section.getByTestId("webhook-secret")).toHaveText(/^whsec_/);
  await section.getByRole("button", { name: "Send test event" }).click();
  await expect(section.getByTestId("webhook-deliveries")).toContainText("webhook.test");
  // The background job attempts it within seconds; a loopback destination is refused (no request is
  // made), and the delivery waits for a retry.
  await expect(section.getByTestId("webhook-deliveries")).toContainText("not a public address", { timeout: 20_000 });
  await snapshotOf(section, "settings-webhook");
  await snapshotOf(page.getByTestId("role-permissions"), "settings-role-permissions");
});
