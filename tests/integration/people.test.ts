import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { audit } from "@/lib/audit/store";
import { database } from "@/lib/runtime/database";
import { ADMIN_KEY, call, signInCookie } from "./http";

// Users (invite with a one-time link, role change, disable, last admin) and the audit log (filters,
// paging, CSV, append-only), through the real routes, wrapper and PGlite (or PostgreSQL in npm test).

type Handler = Parameters<typeof call>[0];
let users: { GET: Handler; POST: Handler };
let userById: { PATCH: Handler };
let redeem: { POST: Handler };
let me: { GET: Handler };
let auditRoute: { GET: Handler };
let adminCookie: string;

beforeAll(async () => {
  users = await import("@/app/api/v1/users/route");
  userById = await import("@/app/api/v1/users/[id]/route");
  redeem = await import("@/app/api/auth/sign-in-link/route");
  me = await import("@/app/api/auth/me/route");
  auditRoute = await import("@/app/api/v1/audit/route");
  adminCookie = await signInCookie("admin@test.local", "admin-password-1");
});

async function invite(email: string, role: string) {
  const answer = await call(users.POST, "POST", "/api/v1/users", { cookie: adminCookie, body: { email, role } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { id: string; email: string; status: string; signIn: { token: string; path: string; expiresAt: string } };
}

async function redeemLink(token: string, password: string) {
  return call(redeem.POST, "POST", "/api/auth/sign-in-link", { body: { token, password } });
}

/** An invited user who has set a password: its id and a session cookie. */
async function member(email: string, role: string) {
  const invited = await invite(email, role);
  const answer = await redeemLink(invited.signIn.token, `${role}-password-1`);
  expect(answer.status).toBe(200);
  return { id: invited.id, cookie: answer.headers.get("set-cookie")!.split(";")[0] };
}

const patch = (id: string, body: unknown, cookie = adminCookie) =>
  call(userById.PATCH, "PATCH", `/api/v1/users/${id}`, { cookie, params: { id }, body });
const patchWithKey = (id: string, body: unknown) =>
  call(userById.PATCH, "PATCH", `/api/v1/users/${id}`, { key: ADMIN_KEY, params: { id }, body });

async function auditEntries(query: Record<string, string>) {
  const answer = await call(auditRoute.GET, "GET", "/api/v1/audit", { key: ADMIN_KEY, query });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as {
    items: { at: string; actor: string; action: string; target: string; before: any; after: any; reason: string | null }[];
    nextCursor: string | null;
  };
}

describe("users", () => {
  it("invites with a one-time link stored as a hash, which sets a password and signs in once", async () => {
    const invited = await invite("Dana@Test.local", "researcher");
    expect(invited).toMatchObject({ email: "dana@test.local", status: "invited" });
    expect(invited.signIn.path).toBe(`/welcome#token=${encodeURIComponent(invited.signIn.token)}`);
    expect(Date.parse(invited.signIn.expiresAt) - Date.now()).toBeGreaterThan(2.9 * 86_400_000);
    const stored = await (await database()).signInToken.findMany({ where: { userId: invited.id } });
    expect(stored.map((t) => t.tokenHash)).toEqual([createHash("sha256").update(invited.signIn.token).digest("hex")]);
    // Without a password nothing signs the invited user in.
    await expect(signInCookie("dana@test.local", "unset")).rejects.toThrow();

    const weak = await redeemLink(invited.signIn.token, "short");
    expect(weak.status).toBe(400);
    expect(weak.body.error.details[0].path).toBe("password");
    const ok = await redeemLink(invited.signIn.token, "dana-password-1");
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ email: "dana@test.local", role: "researcher" });
    const cookie = ok.headers.get("set-cookie")!.split(";")[0];
    expect((await call(me.GET, "GET", "/api/auth/me", { cookie })).body.email).toBe("dana@test.local");
    // Used once: a second time is refused, and the password chosen works for sign-in.
    const again = await redeemLink(invited.signIn.token, "another-password-2");
    expect(again.status).toBe(400);
    expect(again.body.error.details[0].path).toBe("token");
    await signInCookie("dana@test.local", "dana-password-1");

    const list = (await call(users.GET, "GET", "/api/v1/users", { cookie: adminCookie })).body.items;
    expect(list.find((u: { email: string }) => u.email === "dana@test.local").status).toBe("active");
    const entries = await auditEntries({ target: "user:dana@test.local" });
    expect(entries.items.map((e) => e.action)).toEqual(["user.password_set", "user.invite"]);
    expect(JSON.stringify(entries.items)).not.toContain(invited.signIn.token);
  });

  it("refuses an expired link and a second invitation of the same email", async () => {
    const invited = await invite("late@test.local", "viewer");
    await (await database()).signInToken.updateMany({ where: { userId: invited.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await redeemLink(invited.signIn.token, "late-password-1")).status).toBe(400);
    const duplicate = await call(users.POST, "POST", "/api/v1/users", {
      cookie: adminCookie,
      body: { email: "late@test.local", role: "admin" },
    });
    expect(duplicate.status).toBe(409);
    const badRole = await call(users.POST, "POST", "/api/v1/users", {
      cookie: adminCookie,
      body: { email: "x@test.local", role: "owner" },
    });
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.details[0].path).toBe("role");
  });

  it("changes a role with effect on the user's next request, audited with before and after", async () => {
    const rm = await member("rm@test.local", "viewer");
    expect((await call(me.GET, "GET", "/api/auth/me", { cookie: rm.cookie })).body.permissions).not.toContain("promote");
    const changed = await patch(rm.id, { role: "release_manager" });
    expect(changed.status).toBe(200);
    expect(changed.body.role).toBe("release_manager");
    expect((await call(me.GET, "GET", "/api/auth/me", { cookie: rm.cookie })).body.permissions).toContain("promote");
    const [entry] = (await auditEntries({ action: "user.role", target: "user:rm@test.local" })).items;
    expect(entry).toMatchObject({ actor: "admin@test.local", before: { role: "viewer" }, after: { role: "release_manager" } });
  });

  it("ends a disabled user's sessions at once and refuses its sign-in until it is re-enabled", async () => {
    const user = await member("leaver@test.local", "researcher");
    expect((await call(me.GET, "GET", "/api/auth/me", { cookie: user.cookie })).status).toBe(200);
    expect((await patch(user.id, { disabled: true })).body).toMatchObject({ status: "disabled" });
    expect((await call(me.GET, "GET", "/api/auth/me", { cookie: user.cookie })).status).toBe(401);
    expect(await (await database()).session.count({ where: { userId: user.id } })).toBe(0);
    await expect(signInCookie("leaver@test.local", "researcher-password-1")).rejects.toThrow(/invalid_credentials/);
    expect((await patch(user.id, { disabled: false })).body).toMatchObject({ status: "active", disabledAt: null });
    await signInCookie("leaver@test.local", "researcher-password-1");
    const actions = (await auditEntries({ target: "user:leaver@test.local", action: "user" })).items.map((e) => e.action);
    expect(actions.slice(0, 2)).toEqual(["user.enable", "user.disable"]);
  });

  it("never leaves the project without an active admin, also when two admins demote each other at once", async () => {
    const db = await database();
    const root = await db.user.findUniqueOrThrow({ where: { email: "admin@test.local" } });
    // Other tests' admins are out of the way: admin@test.local is the only active admin here.
    await db.user.updateMany({ where: { role: "admin", NOT: { id: root.id } }, data: { role: "viewer" } });
    const selfDemotion = await patch(root.id, { role: "viewer" });
    expect(selfDemotion.status).toBe(409);
    expect(selfDemotion.body.error.details[0].path).toBe("role");
    const selfDisable = await patch(root.id, { disabled: true });
    expect(selfDisable.status).toBe(409);
    expect(selfDisable.body.error.details[0].path).toBe("disabled");

    // Two admins left, and two requests (an admin key's, so neither loses its permission midway) demote
    // one each at the same moment: exactly one may succeed, every round.
    const second = await member("second-admin@test.local", "admin");
    for (let round = 0; round < 8; round++) {
      await db.user.updateMany({ where: { id: { in: [root.id, second.id] } }, data: { role: "admin" } });
      const answers = await Promise.all([root.id, second.id].map((id) => patchWithKey(id, { role: "viewer" })));
      expect(answers.map((a) => a.status).sort(), `round ${round}`).toEqual([200, 409]);
      expect(await db.user.count({ where: { role: "admin", disabledAt: null } })).toBe(1);
    }
    await db.user.update({ where: { id: root.id }, data: { role: "admin" } });
  });

  it("answers 404 for an unknown user and 400 for an empty change", async () => {
    expect((await patch("no-such-user", { role: "viewer" })).status).toBe(404);
    const empty = await patch("no-such-user", {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.details[0].path).toBe("role");
  });
});

describe("audit log", () => {
  let projectId: string;
  const principal = (email: string) => ({ kind: "user" as const, userId: email, email, role: "admin" as const, projectId });

  beforeAll(async () => {
    const db = await database();
    projectId = (await db.project.findFirstOrThrow()).id;
    const rows: [string, string, string, string | null][] = [
      ["ana@corp.test", "experiment.start", "experiment:filters-a", null],
      ["ana@corp.test", "experiment.stop", "experiment:filters-a", "Shipped"],
      ["bo@corp.test", "experiment.start", "experiment:filters-b", null],
      ["bo@corp.test", "api_key.create", "api-key:filters", null],
    ];
    for (const [actor, action, target, reason] of rows) {
      await audit(db, principal(actor), { action, target, before: { n: 1 }, after: { n: 2 }, reason });
    }
  });

  it("filters by actor, action family, target and time, newest first", async () => {
    const byAna = await auditEntries({ actor: "ANA@corp" });
    expect(byAna.items.map((e) => e.action)).toEqual(["experiment.stop", "experiment.start"]);
    expect(byAna.items[0]).toMatchObject({ target: "experiment:filters-a", before: { n: 1 }, after: { n: 2 }, reason: "Shipped" });
    const starts = await auditEntries({ action: "experiment.start", actor: "corp.test" });
    expect(starts.items.map((e) => e.target)).toEqual(["experiment:filters-b", "experiment:filters-a"]);
    const family = await auditEntries({ action: "experiment", actor: "corp.test" });
    expect(family.items).toHaveLength(3);
    const target = await auditEntries({ target: "experiment:filters-a" });
    expect(target.items).toHaveLength(2);
    const kind = await auditEntries({ target: "api-key", actor: "bo@" });
    expect(kind.items.map((e) => e.target)).toEqual(["api-key:filters"]);
    const future = await auditEntries({ from: new Date(Date.now() + 60_000).toISOString() });
    expect(future.items).toEqual([]);
    const past = await auditEntries({ to: "2000-01-01", actor: "corp.test" });
    expect(past.items).toEqual([]);
    const window = await auditEntries({
      from: byAna.items[1].at,
      to: new Date(Date.parse(byAna.items[0].at) + 1).toISOString(),
      actor: "ana",
    });
    expect(window.items).toHaveLength(2);
  });

  it("pages with a cursor through every row exactly once", async () => {
    const all = await auditEntries({ limit: "500" });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await auditEntries({ limit: "3", ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((e) => JSON.stringify(e)));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((e) => JSON.stringify(e)));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("names the field of a bad filter or cursor", async () => {
    for (const [query, field] of [
      [{ from: "yesterday" }, "from"],
      [{ limit: "0" }, "limit"],
      [{ cursor: "garbage" }, "cursor"],
      [{ format: "xml" }, "format"],
      [{ actor: "a\u0000b" }, "actor"],
      [{ from: "2026-02-01", to: "2026-01-01" }, "from"],
    ] as const) {
      const answer = await call(auditRoute.GET, "GET", "/api/v1/audit", { key: ADMIN_KEY, query });
      expect(answer.status, JSON.stringify(query)).toBe(400);
      expect(answer.body.error.details[0].path).toBe(`query.${field}`);
    }
  });

  it("exports the filtered log as CSV with quoting and formula-safe cells", async () => {
    const db = await database();
    await audit(db, principal("=cmd@corp.test"), {
      action: "experiment.stop",
      target: "experiment:csv",
      before: { note: 'say "hi", then\nleave' },
      reason: "+1 because, well",
    });
    await audit(db, principal("plain@corp.test"), { action: "experiment.start", target: "experiment:csv", reason: "-2" });
    const response = await auditRoute.GET(
      new Request("http://localhost/api/v1/audit?format=csv&target=experiment:csv", { headers: { authorization: `Bearer ${ADMIN_KEY}` } }),
      {
        params: Promise.resolve({}),
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="echo-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await response.text()).split("\r\n");
    expect(lines[0]).toBe("at,actor,action,target,before,after,reason");
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z,plain@corp\.test,experiment\.start,experiment:csv,,,'-2$/);
    // The JSON cell holds a quote, a comma and an escaped line break: quoted, quotes doubled.
    expect(lines[2]).toMatch(
      /,'=cmd@corp\.test,experiment\.stop,experiment:csv,"\{""note"":""say \\""hi\\"", then\\nleave""\}",,"'\+1 because, well"$/,
    );
    expect(lines[3]).toBe("");
    expect(lines).toHaveLength(4);
  });

  it("streams a CSV larger than one read page", async () => {
    const db = await database();
    await db.auditLog.createMany({
      data: Array.from({ length: 2_500 }, (_, i) => ({ projectId, actor: "bulk@corp.test", action: "bulk.row", target: `bulk:${i}` })),
    });
    const response = await auditRoute.GET(
      new Request("http://localhost/api/v1/audit?format=csv&action=bulk", { headers: { authorization: `Bearer ${ADMIN_KEY}` } }),
      {
        params: Promise.resolve({}),
      },
    );
    const rows = (await response.text()).trim().split("\r\n").slice(1);
    expect(rows).toHaveLength(2_500);
    expect(new Set(rows.map((r) => r.split(",")[3])).size).toBe(2_500);
  });

  it("cannot be changed or deleted: no route does it, and the database refuses it from any client", async () => {
    const db = await database();
    const row = await db.auditLog.findFirstOrThrow({ where: { target: "experiment:filters-a", action: "experiment.stop" } });
    await expect(db.auditLog.update({ where: { id: row.id }, data: { reason: "rewritten" } })).rejects.toThrow(
      /audit log rows cannot be changed or deleted/,
    );
    await expect(db.auditLog.delete({ where: { id: row.id } })).rejects.toThrow(/audit log rows cannot be changed or deleted/);
    const count = await db.auditLog.count();
    // Raw SQL too (the embedded driver reports these failures without the message).
    for (const sql of [`DELETE FROM "AuditLog"`, `UPDATE "AuditLog" SET "actor" = 'someone else'`, `TRUNCATE "AuditLog"`]) {
      await expect(db.$executeRawUnsafe(sql), sql).rejects.toThrow();
    }
    expect(await db.auditLog.count()).toBe(count);
    expect(await db.auditLog.count({ where: { actor: "someone else" } })).toBe(0);
    expect(await db.auditLog.findUniqueOrThrow({ where: { id: row.id } })).toEqual(row);
    // The audit route answers GET only, and no other route file lives under it.
    expect(Object.keys(auditRoute).filter((name) => /^[A-Z]+$/.test(name))).toEqual(["GET"]);
    expect(fs.readdirSync(path.resolve("app/api/v1/audit"))).toEqual(["route.ts"]);
  });

  it("records key, settings and experiment changes with before and after", async () => {
    const { POST: createKey } = await import("@/app/api/v1/api-keys/route");
    const { POST: revokeKey } = await import("@/app/api/v1/api-keys/[id]/revoke/route");
    const { PATCH: settings } = await import("@/app/api/v1/settings/route");
    const key = await call(createKey, "POST", "/api/v1/api-keys", { cookie: adminCookie, body: { name: "audited", scope: "ingest" } });
    await call(revokeKey, "POST", `/api/v1/api-keys/${key.body.id}/revoke`, { cookie: adminCookie, params: { id: key.body.id } });
    await call(settings, "PATCH", "/api/v1/settings", { cookie: adminCookie, body: { collectSamples: false } });
    const keyEntries = (await auditEntries({ target: `api-key:${key.body.id}` })).items;
    expect(keyEntries.map((e) => [e.action, e.before?.revokedAt ?? null, !!e.after?.revokedAt])).toEqual([
      ["api_key.revoke", null, true],
      ["api_key.create", null, false],
    ]);
    expect(JSON.stringify(keyEntries)).not.toContain(key.body.key);
    const [setting] = (await auditEntries({ action: "project.settings" })).items;
    expect(setting).toMatchObject({ before: { collectSamples: true }, after: { collectSamples: false } });

    const { POST: createVersion } = await import("@/app/api/v1/model-versions/route");
    const { POST: createExperiment } = await import("@/app/api/v1/experiments/route");
    const { POST: start } = await import("@/app/api/v1/experiments/[key]/start/route");
    for (const key of ["audit-base", "audit-next"]) {
      expect((await call(createVersion, "POST", "/api/v1/model-versions", { key: ADMIN_KEY, body: { key, name: key } })).status).toBe(201);
    }
    const experiment = {
      key: "audit-exp",
      name: "Audited",
      variants: [
        { key: "control", modelVersion: "audit-base", weight: 0.5 },
        { key: "treatment", modelVersion: "audit-next", weight: 0.5 },
      ],
    };
    expect((await call(createExperiment, "POST", "/api/v1/experiments", { key: ADMIN_KEY, body: experiment })).status).toBe(201);
    expect(
      (await call(start, "POST", "/api/v1/experiments/audit-exp/start", { key: ADMIN_KEY, params: { key: "audit-exp" } })).status,
    ).toBe(200);
    const [started, created] = (await auditEntries({ target: "experiment:audit-exp" })).items;
    expect(created).toMatchObject({ action: "experiment.create", before: null, after: { key: "audit-exp", status: "draft" } });
    expect(started).toMatchObject({ action: "experiment.start", before: { status: "draft" }, after: { status: "running" } });
  });
});
