import { randomBytes } from "node:crypto";
import { insertApiKey } from "../apiKeys/store";
import { createUser } from "../auth/service";
import type { Role } from "../auth/permissions";
import { demoEnabled, initSettings } from "../settings";
import type { Db } from "../db";
import { hashToken } from "../auth/crypto";

// Documented in README.md for the demo; never used when ECHO_DEMO=0.
export const DEMO_ACCOUNTS: { email: string; password: string; role: Role }[] = [
  { email: "admin@echo.local", password: "echo-demo-admin", role: "admin" },
  { email: "release@echo.local", password: "echo-demo-release", role: "release_manager" },
  { email: "research@echo.local", password: "echo-demo-research", role: "researcher" },
  { email: "viewer@echo.local", password: "echo-demo-viewer", role: "viewer" },
];
export const DEMO_KEYS = { ingest: "echo_ingest_demo_key_0000000000000000", admin: "echo_admin_demo_key_00000000000000000" };

/**
 * First-start initialization of an empty store, in the spirit of Langfuse's LANGFUSE_INIT_*: a default
 * project, the admin user and API keys from ECHO_INIT_* (exactly those values), or documented demo
 * accounts when demo data is on, or a generated admin password printed once when it is off.
 */
export async function initializeStore(client: Db): Promise<void> {
  const init = initSettings();
  const project =
    (await client.project.findFirst({ orderBy: { createdAt: "asc" } })) ??
    (await client.project.create({ data: { slug: "default", name: "Default project" } }));

  const lines: string[] = [];
  if ((await client.user.count()) === 0) {
    if (init.adminEmail) {
      const password = init.adminPassword ?? randomBytes(12).toString("base64url");
      await createUser(client, { email: init.adminEmail, password, role: "admin", name: "Admin" });
      lines.push(`admin user: ${init.adminEmail}${init.adminPassword ? " (password from ECHO_INIT_ADMIN_PASSWORD)" : ` / ${password}`}`);
    } else if (demoEnabled()) {
      for (const account of DEMO_ACCOUNTS) await createUser(client, { ...account, name: account.role });
      lines.push(...DEMO_ACCOUNTS.map((a) => `${a.role} user: ${a.email} / ${a.password}`));
    } else {
      const password = randomBytes(12).toString("base64url");
      await createUser(client, { email: "admin@echo.local", password, role: "admin", name: "Admin" });
      lines.push(`admin user: admin@echo.local / ${password}  (shown once: change it or set ECHO_INIT_ADMIN_*)`);
    }
  }

  const wanted: { scope: "ingest" | "admin"; key?: string; name: string }[] = [
    { scope: "admin", key: init.adminApiKey, name: "Initial admin key" },
    { scope: "ingest", key: init.ingestApiKey, name: "Initial ingest key" },
  ];
  const noKeysYet = (await client.apiKey.count()) === 0;
  for (const { scope, key, name } of wanted) {
    const value = key ?? (noKeysYet && demoEnabled() ? DEMO_KEYS[scope] : undefined);
    if (!value) continue;
    if (await client.apiKey.findUnique({ where: { secretHash: hashToken(value) } })) continue;
    await insertApiKey(client, { projectId: project.id, name: key ? name : `Demo ${scope} key`, scope, key: value });
    lines.push(`${scope} API key: ${key ? `${value.slice(0, 12)}… (from ECHO_INIT_${scope.toUpperCase()}_API_KEY)` : value}`);
  }
  if (lines.length) console.log(`[echo] initialized the store:\n  ${lines.join("\n  ")}`);
}
