import { createHmac } from "node:crypto";

// The webhook signature, Stripe-style: `Echo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where the
// HMAC (key: the webhook secret) covers `<t>.<raw JSON body>`. The timestamp is signed with the body, so a
// receiver that refuses old timestamps also refuses replays. README.md shows the receiver's check, and
// tests/integration/webhooks.test.ts runs that check against real deliveries.

export const SIGNATURE_HEADER = "echo-signature";

export function signatureHeader(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}
