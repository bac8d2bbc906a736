import type { Db, Tx } from "../db";
import { DAY_MS } from "../time";
import { hashPassword, hashToken, newToken, verifyPassword } from "./crypto";
import { rateLimited } from "../errors";
import { ExpiringCache } from "./expiringCache";
import { ACCOUNT_POLICY, ADDRESS_POLICY, SignInThrottle } from "./throttle";
import type { Principal, Role } from "./permissions";

export * from "./permissions";

export const SESSION_COOKIE = "echo_session";
const SESSION_DAYS = 14;

// Ingestion authenticates every request: remembering a key for a short while keeps the metadata store
// out of the hot path. A revoked key stops working within this time. Unknown keys are remembered too
// (a client with a wrong key retries a lot), within a bound: random tokens cannot grow the process.
const KEY_CACHE_MS = 30_000;
export const KEY_CACHE_ENTRIES = 10_000;
// On globalThis so that every copy of this module in the process (server.ts and Next's bundle) shares it.
const globalForKeys = globalThis as unknown as { __echoKeyCache?: ExpiringCache<Principal | null> };
const keyCache = (globalForKeys.__echoKeyCache ??= new ExpiringCache<Principal | null>(KEY_CACHE_MS, KEY_CACHE_ENTRIES));

export function clearKeyCache() {
  keyCache.clear();
}

type HeaderSource = { get(name: string): string | null };

export function bearerToken(headers: HeaderSource): string | undefined {
  const header = headers.get("authorization");
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

export function sessionToken(headers: HeaderSource): string | undefined {
  const cookies = headers.get("cookie");
  if (!cookies) return undefined;
  for (const part of cookies.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === SESSION_COOKIE) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

async function defaultProjectId(client: Db): Promise<string> {
  const project = await client.project.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true } });
  if (!project) throw new Error("No project: the store has not been initialized");
  return project.id;
}

export async function principalFromApiKey(client: Db, key: string): Promise<Principal | null> {
  const secretHash = hashToken(key);
  const cached = keyCache.get(secretHash);
  if (cached) return cached.value;
  const row = await client.apiKey.findUnique({ where: { secretHash } });
  const principal: Principal | null =
    row && !row.revokedAt ? { kind: "apiKey", keyId: row.id, scope: row.scope, projectId: row.projectId } : null;
  keyCache.set(secretHash, principal);
  if (row && principal) {
    void client.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
  }
  return principal;
}

export async function principalFromSession(client: Db, token: string): Promise<Principal | null> {
  const session = await client.session.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: true } });
  // A disabled user's sessions are deleted when it is disabled; checked here too, so no session outlives it.
  if (!session || session.expiresAt < new Date() || session.user.disabledAt) return null;
  return {
    kind: "user",
    userId: session.user.id,
    email: session.user.email,
    role: session.user.role as Role,
    projectId: await defaultProjectId(client),
  };
}

/** The caller of a request: an API key (Authorization header) wins over the session cookie. */
export async function authenticate(client: Db, headers: HeaderSource): Promise<Principal | null> {
  const key = bearerToken(headers);
  if (key) return principalFromApiKey(client, key);
  const token = sessionToken(headers);
  return token ? principalFromSession(client, token) : null;
}

// On globalThis so that every copy of this module in the process shares the counts.
const globalForThrottle = globalThis as unknown as { __echoSignInThrottle?: { accounts: SignInThrottle; addresses: SignInThrottle } };
const throttle = (globalForThrottle.__echoSignInThrottle ??= {
  accounts: new SignInThrottle(ACCOUNT_POLICY),
  addresses: new SignInThrottle(ADDRESS_POLICY),
});

/**
 * A session for the right password. Throttled per account and per client address (when a proxy
 * reports one): past a few failures each attempt waits a doubling delay, refused (429) without
 * checking the password.
 */
export async function signIn(
  client: Db,
  email: string,
  password: string,
  address?: string,
): Promise<{ token: string; expiresAt: Date } | null> {
  const account = email.trim().toLowerCase();
  const wait = Math.max(throttle.accounts.waitFor(account), address ? throttle.addresses.waitFor(address) : 0);
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    throw rateLimited(`Too many failed sign-ins; try again in ${seconds} s`, seconds);
  }
  const user = await client.user.findUnique({ where: { email: account } });
  // Verify against a dummy hash for unknown emails too, so timing does not reveal which emails exist.
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  // A disabled user is answered as a wrong password: the answer does not reveal the account exists.
  if (!user || !ok || user.disabledAt) {
    throttle.accounts.failure(account);
    if (address) throttle.addresses.failure(address);
    return null;
  }
  throttle.accounts.success(account);
  return startSession(client, user.id);
}

/** A new session for a user who proved who they are (a password, a one-time sign-in link). */
export async function startSession(client: Db | Tx, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken("echo_session_");
  const expiresAt = new Date(Date.now() + SESSION_DAYS * DAY_MS);
  await client.session.create({ data: { tokenHash: hashToken(token), userId, expiresAt } });
  return { token, expiresAt };
}

export async function signOut(client: Db, token: string): Promise<void> {
  await client.session.deleteMany({ where: { tokenHash: hashToken(token) } });
}

export function sessionCookie(token: string, expiresAt: Date): string {
  const secure = process.env.ECHO_SECURE_COOKIES === "1" ? "; Secure" : "";
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax; Expires=${expiresAt.toUTCString()}${secure}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}

const DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

export async function createUser(client: Db, input: { email: string; password: string; role: Role; name?: string }) {
  return client.user.create({
    data: { email: input.email.toLowerCase(), name: input.name, role: input.role, passwordHash: await hashPassword(input.password) },
  });
}
