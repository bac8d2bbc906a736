import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { database } from "@/lib/runtime/database";
import { deliverDue, notifyWebhooks, startWebhookDeliveries, stopWebhookDeliveries } from "@/lib/webhooks/service";
import { ADMIN_KEY, INGEST_KEY, call } from "./http";

// Webhooks end to end: configured through the API, queued by notifyWebhooks, delivered by the real
// delivery pass over real HTTP to a local receiver that fails the first attempts, retried with backoff,
// and verified on the receiving side the way README.md tells receivers to (not with our own helper).

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

const received: Received[] = [];
let failuresLeft = 0;
let server: http.Server;
let receiverUrl: string;
let secret: string;

type Handler = Parameters<typeof call>[0];
let webhookRoute: { GET: Handler; PUT: Handler; DELETE: Handler };
let deliveriesRoute: { GET: Handler };

/** The receiver's check, as README.md documents it. */
function verify(rawBody: string, header: string, key: string, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2)));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac("sha256", key).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1 ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

beforeAll(async () => {
  // The receiver listens on this machine: a loopback destination, allowed here (refused by default, see the last test).
  process.env.ECHO_WEBHOOK_ALLOW_PRIVATE = "1";
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ headers: request.headers, body });
      if (failuresLeft > 0) {
        failuresLeft--;
        response.writeHead(503).end("busy");
        return;
      }
      const ok = verify(body, String(request.headers["echo-signature"] ?? ""), secret);
      response.writeHead(ok ? 200 : 401).end(ok ? "ok" : "bad signature");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/echo`;
  webhookRoute = await import("@/app/api/v1/webhook/route");
  deliveriesRoute = await import("@/app/api/v1/webhook/deliveries/route");
});

afterAll(async () => {
  await stopWebhookDeliveries();
  await new Promise((resolve) => server.close(resolve));
});

const deliveries = async () => (await call(deliveriesRoute.GET, "GET", "/api/v1/webhook/deliveries", { key: ADMIN_KEY })).body.items;

describe("webhooks", () => {
  it("is configured by admins only, with the secret answered once and stored encrypted", async () => {
    expect((await call(webhookRoute.GET, "GET", "/api/v1/webhook", { key: ADMIN_KEY })).body).toEqual({ webhook: null });
    const refused = await call(webhookRoute.PUT, "PUT", "/api/v1/webhook", { key: INGEST_KEY, body: { url: receiverUrl } });
    expect(refused.status).toBe(403);
    const badUrl = await call(webhookRoute.PUT, "PUT", "/api/v1/webhook", { key: ADMIN_KEY, body: { url: "ftp://example.com/x" } });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.error.details[0].path).toBe("url");
    for (const url of ["not a url", "http://user:pw@example.com/x", "javascript:alert(1)"]) {
      const refusedUrl = await call(webhookRoute.PUT, "PUT", "/api/v1/webhook", { key: ADMIN_KEY, body: { url } });
      expect(refusedUrl.status, url).toBe(400);
      expect(refusedUrl.body.error.details[0].path).toBe("url");
    }

    const created = await call(webhookRoute.PUT, "PUT", "/api/v1/webhook", { key: ADMIN_KEY, body: { url: receiverUrl } });
    expect(created.status).toBe(200);
    expect(created.body.secret).toMatch(/^whsec_[\w-]{43}$/);
    secret = created.body.secret;
    expect(created.body.secretPrefix).toBe(secret.slice(0, 12));
    const stored = await (await database()).webhook.findFirstOrThrow();
    expect(stored.encryptedSecret).not.toContain(secret.slice(6));
    // Read back or updated, it never shows the secret again.
    const read = await call(webhookRoute.GET, "GET", "/api/v1/webhook", { key: ADMIN_KEY });
    expect(JSON.stringify(read.body)).not.toContain(secret);
    const updated = await call(webhookRoute.PUT, "PUT", "/api/v1/webhook", { key: ADMIN_KEY, body: { url: receiverUrl, enabled: true } });
    expect(updated.body.secret).toBeUndefined();
    const audit = await (await database()).auditLog.findMany({ where: { target: "webhook" }, orderBy: { at: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["webhook.create", "webhook.update"]);
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it("delivers a signed event after retrying failed attempts with exponential backoff", async () => {
    const db = await database();
    const projectId = (await db.project.findFirstOrThrow()).id;
    failuresLeft = 2;
    received.length = 0;
    await notifyWebhooks(projectId, "rollback", { from: "v2", to: "v1", reason: "latency" });
    const [queued] = await deliveries();
    expect(queued).toMatchObject({ event: "rollback", status: "pending", attempts: 0 });

    const t0 = new Date();
    expect(await deliverDue(db, t0)).toBe(1);
    let [row] = await deliveries();
    expect(row).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 503, lastError: "the receiver answered 503" });
    expect(Date.parse(row.nextAttemptAt) - t0.getTime()).toBe(30_000);
    // Not due yet: nothing is sent.
    expect(await deliverDue(db, new Date(t0.getTime() + 29_000))).toBe(0);
    expect(await deliverDue(db, new Date(t0.getTime() + 30_000))).toBe(1);
    [row] = await deliveries();
    expect(row).toMatchObject({ status: "pending", attempts: 2, lastStatusCode: 503 });
    expect(Date.parse(row.nextAttemptAt) - (t0.getTime() + 30_000)).toBe(60_000);
    expect(await deliverDue(db, new Date(t0.getTime() + 90_000))).toBe(1);
    [row] = await deliveries();
    expect(row).toMatchObject({ status: "delivered", attempts: 3, lastStatusCode: 200, lastError: null, nextAttemptAt: null });

    expect(received).toHaveLength(3);
    const last = received[2];
    expect(verify(last.body, String(last.headers["echo-signature"]), secret)).toBe(true);
    expect(verify(last.body, String(last.headers["echo-signature"]), "whsec_wrong")).toBe(false);
    expect(verify(last.body.replace("latency", "latencY"), String(last.headers["echo-signature"]), secret)).toBe(false);
    expect(last.headers["content-type"]).toBe("application/json");
    expect(last.headers["echo-event"]).toBe("rollback");
    expect(last.headers["echo-delivery"]).toBe(row.id);
    // Every attempt sends the same bytes, which the log shows.
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect(last.body).toBe(row.body);
    expect(JSON.parse(last.body)).toMatchObject({
      id: row.id,
      event: "rollback",
      projectId,
      data: { from: "v2", to: "v1", reason: "latency" },
    });
    expect(await deliverDue(db, new Date(t0.getTime() + 10 * 3_600_000))).toBe(0);
  });

  it("gives a delivery up as failed after the last attempt, and records unreachable receivers", async () => {
    const db = await database();
    const projectId = (await db.project.findFirstOrThrow()).id;
    failuresLeft = 1_000;
    await notifyWebhooks(projectId, "guardrail.failed", { check: "latency_p95" });
    let now = Date.now();
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 10; attempt++) {
      expect(await deliverDue(db, new Date(now))).toBe(1);
      const [row] = await deliveries();
      if (row.nextAttemptAt) waits.push(Date.parse(row.nextAttemptAt) - now);
      now = row.nextAttemptAt ? Date.parse(row.nextAttemptAt) : now;
    }
    expect(waits.map((w) => w / 1000)).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    const [failed] = await deliveries();
    expect(failed).toMatchObject({ status: "failed", attempts: 10, nextAttemptAt: null });
    expect(
      (await call(deliveriesRoute.GET, "GET", "/api/v1/webhook/deliveries", { key: ADMIN_KEY, query: { status: "failed" } })).body.items,
    ).toHaveLength(1);

    // A receiver that is not listening: the error names why.
    failuresLeft = 0;
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await call(webhookRoute.PUT, "PUT", "/api/v1/webhook", { key: ADMIN_KEY, body: { url: `http://127.0.0.1:${closedPort}/nobody` } });
    await notifyWebhooks(projectId, "promotion.started", { promotionId: "p" });
    await deliverDue(db);
    const [unreachable] = await deliveries();
    expect(unreachable).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: null });
    expect(unreachable.lastError).toMatch(/ECONNREFUSED/);
    await call(webhookRoute.PUT, "PUT", "/api/v1/webhook", { key: ADMIN_KEY, body: { url: receiverUrl } });
  });

  it("queues nothing for a webhook that is off, and never throws", async () => {
    const db = await database();
    const projectId = (await db.project.findFirstOrThrow()).id;
    await call(webhookRoute.PUT, "PUT", "/api/v1/webhook", { key: ADMIN_KEY, body: { url: receiverUrl, enabled: false } });
    const before = await db.webhookDelivery.count();
    await notifyWebhooks(projectId, "promotion.paused", { promotionId: "p" });
    await expect(notifyWebhooks("no-such-project", "rollback", { circular: BigInt(1) })).resolves.toBeUndefined();
    expect(await db.webhookDelivery.count()).toBe(before);
    await call(webhookRoute.PUT, "PUT", "/api/v1/webhook", { key: ADMIN_KEY, body: { url: receiverUrl, enabled: true } });
  });

  it("delivers queued rows from the background job, with a rotated secret", async () => {
    const db = await database();
    const projectId = (await db.project.findFirstOrThrow()).id;
    const { POST: rotate } = await import("@/app/api/v1/webhook/secret/route");
    const rotated = await call(rotate, "POST", "/api/v1/webhook/secret", { key: ADMIN_KEY });
    expect(rotated.status).toBe(201);
    expect(rotated.body.secret).not.toBe(secret);
    secret = rotated.body.secret;
    // Rows queued while no job runs (as before a restart) are delivered once the job starts.
    await db.webhookDelivery.updateMany({ where: { status: "pending" }, data: { status: "failed" } });
    received.length = 0;
    await notifyWebhooks(projectId, "promotion.completed", { promotionId: "p-done" });
    startWebhookDeliveries(db, 100);
    const deadline = Date.now() + 10_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await stopWebhookDeliveries();
    expect(received).toHaveLength(1);
    expect(verify(received[0].body, String(received[0].headers["echo-signature"]), secret)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    const [row] = await deliveries();
    expect(row).toMatchObject({ event: "promotion.completed", status: "delivered", attempts: 1 });
  });

  it("removes the webhook and its log", async () => {
    const removed = await call(webhookRoute.DELETE, "DELETE", "/api/v1/webhook", { key: ADMIN_KEY });
    expect(removed.status).toBe(200);
    expect(await (await database()).webhookDelivery.count()).toBe(0);
    expect((await call(webhookRoute.DELETE, "DELETE", "/api/v1/webhook", { key: ADMIN_KEY })).status).toBe(404);
  });
  it("refuses loopback, private and link-local destinations unless allowed, after resolving the name, posting nothing", async () => {
    const db = await database();
    const projectId = (await db.project.findFirstOrThrow()).id;
    delete process.env.ECHO_WEBHOOK_ALLOW_PRIVATE;
    try {
      const port = (server.address() as AddressInfo).port;
      for (const [url, address] of [
        [receiverUrl, "127.0.0.1"],
        [`http://localhost:${port}/hooks/echo`, "(127.0.0.1|::1)"], // a name is judged by what it resolves to
        ["http://169.254.169.254/latest/meta-data/", "169.254.169.254"],
        ["http://[::ffff:10.0.0.1]/x", "::ffff:a00:1"],
      ]) {
        await call(webhookRoute.PUT, "PUT", "/api/v1/webhook", { key: ADMIN_KEY, body: { url, enabled: true } });
        await db.webhookDelivery.updateMany({ where: { status: "pending" }, data: { status: "failed" } });
        received.length = 0;
        await notifyWebhooks(projectId, "rollback", { url });
        expect(await deliverDue(db)).toBe(1);
        const [row] = await deliveries();
        expect(row, url).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: null });
        expect(row.lastError, url).toMatch(new RegExp(`^refused: .* is ${address}, not a public address`));
        expect(received, url).toHaveLength(0);
      }
    } finally {
      process.env.ECHO_WEBHOOK_ALLOW_PRIVATE = "1";
      await call(webhookRoute.PUT, "PUT", "/api/v1/webhook", { key: ADMIN_KEY, body: { url: receiverUrl, enabled: true } });
    }
  });
});
