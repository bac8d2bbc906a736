import { createHmac, timingSafeEqual } from "node:crypto";

// The webhook signature, Stripe-style: `Echo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where the
// HMAC (key: the webhook secret) covers `<t>.<raw JSON body>`. The timestamp is signed with the body, so a
// receiver that refuses old timestamps also refuses replays. Pure; README.md shows a receiver's check.

export const SIGNATURE_HEADER = "echo-signature";
export const DEFAULT_TOLERANCE_SECONDS = 300;

function hmac(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

export function signatureHeader(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

/** Whether `header` signs `body` with `secret` at a time within `toleranceSeconds` of `now` (seconds). */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  now = Math.floor(Date.now() / 1000),
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  const parts = Object.fromEntries(header.split(",").map((part) => part.trim().split("=", 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !parts.v1 || Math.abs(now - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmac(secret, timestamp, body), "hex");
  const given = Buffer.from(parts.v1, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
