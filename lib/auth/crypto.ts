import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const scryptOnPool = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

// scrypt runs on libuv's small thread pool (4 threads), which the ingestion log's file writes share:
// one hash at a time, however many sign-ins arrive, so hashing never takes the pool from ingestion.
let queue: Promise<unknown> = Promise.resolve();
const hashing = { now: 0, most: 0 };
function scrypt(password: string, salt: Buffer, keylen: number, options: object): Promise<Buffer> {
  const run = queue.then(async () => {
    hashing.most = Math.max(hashing.most, ++hashing.now);
    try {
      return await scryptOnPool(password, salt, keylen, options);
    } finally {
      hashing.now--;
    }
  });
  queue = run.catch(() => undefined);
  return run;
}

/** The most password hashes that ever ran at once in this process (one, by design). */
export function mostConcurrentHashes(): number {
  return hashing.most;
}

// scrypt parameters (N=2^15, r=8, p=1): the OWASP minimum for interactive logins, ~50 ms per hash here.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

/** `scrypt$N$r$p$salt$hash`, all parameters stored so they can be raised later without breaking logins. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, KEY_LENGTH, SCRYPT);
  return ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = await scrypt(password, Buffer.from(salt, "base64url"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** API keys and session tokens are 256-bit random strings: a fast hash is enough to store them. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function newToken(prefix: string): string {
  return `${prefix}${randomBytes(24).toString("base64url")}`;
}

export const API_KEY_PREFIX = { ingest: "echo_ingest_", admin: "echo_admin_" } as const;
