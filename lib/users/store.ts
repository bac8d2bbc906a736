import { hashToken, newToken } from "../auth/crypto";
import type { Db, Tx } from "../db";

// Users and their one-time sign-in tokens (Prisma).

/** The password of a user who has not chosen one: no password verifies against it (not a scrypt hash). */
export const NO_PASSWORD = "unset";

export type UserRow = NonNullable<Awaited<ReturnType<Db["user"]["findUnique"]>>>;

export function findUsers(client: Db) {
  return client.user.findMany({ orderBy: [{ createdAt: "asc" }, { email: "asc" }] });
}

/**
 * The ids of the enabled admins, their rows locked until the transaction ends (PostgreSQL): two admins
 * demoting each other at once cannot both pass the last-admin check.
 */
export async function lockActiveAdmins(tx: Tx): Promise<string[]> {
  const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
    `SELECT "id" FROM "User" WHERE "role" = 'admin' AND "disabledAt" IS NULL ORDER BY "id" FOR UPDATE`,
  );
  return rows.map((row) => row.id);
}

/** A new one-time sign-in token for the user; earlier unused ones stop working. The plain token is returned once. */
export async function issueSignInToken(tx: Tx, userId: string, validMs: number): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken("echo_signin_");
  const expiresAt = new Date(Date.now() + validMs);
  await tx.signInToken.deleteMany({ where: { userId, usedAt: null } });
  await tx.signInToken.create({ data: { tokenHash: hashToken(token), userId, expiresAt } });
  return { token, expiresAt };
}

/**
 * Marks the token used if it still can be (unused, unexpired): answers its user's id, or null. A
 * conditional update, so two requests with one token cannot both succeed.
 */
export async function consumeSignInToken(tx: Tx, token: string): Promise<string | null> {
  const row = await tx.signInToken.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!row) return null;
  const { count } = await tx.signInToken.updateMany({
    where: { id: row.id, usedAt: null, expiresAt: { gt: new Date() } },
    data: { usedAt: new Date() },
  });
  return count === 1 ? row.userId : null;
}
