"use client";

import { useState, type FormEvent } from "react";
import { ErrorNote } from "@/app/components/ErrorNote";
import { dateTime } from "@/app/components/format";
import {
  useDeleteWebhook,
  useRotateWebhookSecret,
  useSaveWebhook,
  useSendTestEvent,
  useWebhook,
  useWebhookDeliveries,
  type DeliveryView,
} from "@/lib/client/admin";

const deliveryBadge: Record<DeliveryView["status"], string> = { delivered: "good", pending: "warn", failed: "bad" };

function Deliveries() {
  const deliveries = useWebhookDeliveries(true);
  const items = deliveries.data?.items ?? [];
  return (
    <>
      <h4>Recent deliveries</h4>
      <ErrorNote error={deliveries.error} />
      {deliveries.data && !items.length ? (
        <p className="empty">No events sent yet. Promotions, guardrail failures and rollbacks appear here.</p>
      ) : null}
      {items.length ? (
        <table className="table" data-testid="webhook-deliveries">
          <thead>
            <tr>
              <th>Event</th>
              <th>Status</th>
              <th className="num">Attempts</th>
              <th>Last answer</th>
              <th>Queued</th>
              <th>Next attempt</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id}>
                <td>
                  <code>{d.event}</code>
                </td>
                <td>
                  <span className={`badge ${deliveryBadge[d.status]}`}>{d.status}</span>
                </td>
                <td className="num">{d.attempts}</td>
                <td className="small">{d.lastError ?? (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : "—")}</td>
                <td className="muted">{dateTime(d.createdAt)}</td>
                <td className="muted">{dateTime(d.nextAttemptAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

/** The project's webhook: URL, on/off, the signing secret (shown once), a test event and the delivery log. */
export function WebhookSettings() {
  const webhook = useWebhook();
  const save = useSaveWebhook();
  const rotate = useRotateWebhookSecret();
  const remove = useDeleteWebhook();
  const test = useSendTestEvent();
  const [secret, setSecret] = useState<string | null>(null);
  const current = webhook.data?.webhook;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate(
      { url: String(form.get("url")).trim(), enabled: form.get("enabled") === "on" },
      { onSuccess: (answer) => setSecret(answer.secret ?? null) },
    );
  };

  return (
    <section className="card" data-testid="webhook">
      <h3>Webhook</h3>
      <p className="muted small">
        Echo POSTs a signed JSON event to this URL when a promotion starts, advances, pauses or completes, when a guardrail fails and on a
        rollback. Failed deliveries are retried with growing waits (30 s doubling up to 1 h, 10 attempts). The README shows how to verify
        the <code>Echo-Signature</code> header.
      </p>
      <form
        key={current?.updatedAt ?? "none"}
        className="row"
        onSubmit={submit}
        aria-label="Webhook"
        style={{ gap: 12, alignItems: "flex-end" }}
      >
        <label className="grow" style={{ flex: 1 }}>
          URL
          <input
            name="url"
            type="url"
            required
            defaultValue={current?.url}
            placeholder="https://ci.example.com/hooks/echo"
            style={{ width: "100%" }}
          />
        </label>
        <label>
          <input name="enabled" type="checkbox" defaultChecked={current?.enabled ?? true} /> On
        </label>
        <button className="button primary" type="submit" disabled={save.isPending}>
          {current ? "Save" : "Add webhook"}
        </button>
      </form>
      {secret ? (
        <div className="banner good" role="status">
          Signing secret: copy it into the receiver now, it will not be shown again.
          <div className="secret-box">
            <code data-testid="webhook-secret">{secret}</code>
            <button className="button" type="button" onClick={() => navigator.clipboard.writeText(secret)}>
              Copy
            </button>
          </div>
        </div>
      ) : null}
      <ErrorNote error={webhook.error ?? save.error ?? rotate.error ?? remove.error ?? test.error} />
      {current ? (
        <>
          <p className="small">
            Secret <code>{current.secretPrefix}…</code> ·{" "}
            <span className={`badge ${current.enabled ? "good" : "warn"}`}>{current.enabled ? "on" : "off"}</span>{" "}
            <button className="button" onClick={() => test.mutate()} disabled={test.isPending || !current.enabled}>
              Send test event
            </button>{" "}
            <button
              className="button"
              onClick={() =>
                window.confirm("Make a new signing secret? The receiver must be given the new one.") &&
                rotate.mutate(undefined, { onSuccess: (answer) => setSecret(answer.secret) })
              }
            >
              New secret
            </button>{" "}
            <button className="button danger" onClick={() => window.confirm("Remove the webhook and its delivery log?") && remove.mutate()}>
              Remove
            </button>
          </p>
          <Deliveries />
        </>
      ) : null}
    </section>
  );
}
