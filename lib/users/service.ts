import { audit } from "../audit/store";
import { hashPassword } from "../auth/crypto";
import type { Principal, Role } from "../auth/permissions";
import { startSession } from "../auth/service";
import type { Db } from "../db";
import { conflict, invalid, notFound } from "../errors";
import { DAY_MS } from "../time";
import type { InvitedUser, UserView } from "./schemas";
import { consumeSignInToken, findUsers, issueSignInToken, lockActiveAdmins, NO_PASSWORD, type UserRow } from "./store";

// People: admins invite users (a one-time sign-in link), change their role, disable and re-enable them.
// Every change is audited with before and after. A disabled user cannot sign in and loses its sessions at
// once; the last enabled admin can be neither demoted nor disabled, so the project is never locked out.

const SIGN_IN_LINK_DAYS = 3;

export function presentUser(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.disabledAt ? "disabled" : row.passwordHash === NO_PASSWORD ? "invited" : "active",
    createdAt: row.createdAt.toISOString(),
    disabledAt: row.disabledAt?.toISOString() ?? null,
  };
}

const signInLink = (link: { token: string; expiresAt: Date }) => ({
  token: link.token,
  path: `/welcome#token=${encodeURIComponent(link.token)}`,
  expiresAt: link.expiresAt.toISOString(),
});

export async function listUsers(client: Db): Promise<UserView[]> {
  return (await findUsers(client)).map(presentUser);
}

/** Creates the user without a password and answers a one-time sign-in link (its token shown only here). */
export async function inviteUser(client: Db, principal: Principal, input: { email: string; role: Role }): Promise<InvitedUser> {
  return client.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: input.email } });
    if (existing) throw conflict(`A user with email '${input.email}' exists already`, [{ path: "email", message: "must be unique" }]);
    const row = await tx.user.create({ data: { email: input.email, role: input.role, passwordHash: NO_PASSWORD } });
    const link = await issueSignInToken(tx, row.id, SIGN_IN_LINK_DAYS * DAY_MS);
    const user = presentUser(row);
    await audit(tx, principal, { action: "user.invite", target: `user:${row.email}`, after: user });
    return { ...user, signIn: signInLink(link) };
  });
}

/** A fresh one-time sign-in link (an expired invitation, a forgotten password); earlier links stop working. */
export async function newSignInLink(client: Db, principal: Principal, id: string): Promise<InvitedUser> {
  return client.$transaction(async (tx) => {
    const row = await tx.user.findUnique({ where: { id } });
    if (!row) throw notFound(`No user with id '${id}'`);
    if (row.disabledAt) throw conflict(`'${row.email}' is disabled: re-enable the user first`);
    const link = await issueSignInToken(tx, row.id, SIGN_IN_LINK_DAYS * DAY_MS);
    const user = presentUser(row);
    await audit(tx, principal, {
      action: "user.sign_in_link",
      target: `user:${row.email}`,
      after: { expiresAt: link.expiresAt.toISOString() },
    });
    return { ...user, signIn: signInLink(link) };
  });
}

export async function updateUser(
  client: Db,
  principal: Principal,
  id: string,
  change: { role?: Role; disabled?: boolean },
): Promise<UserView> {
  return client.$transaction(async (tx) => {
    const activeAdmins = await lockActiveAdmins(tx);
    const row = await tx.user.findUnique({ where: { id } });
    if (!row) throw notFound(`No user with id '${id}'`);
    const role = change.role ?? row.role;
    const disabled = change.disabled ?? !!row.disabledAt;
    const staysActiveAdmin = role === "admin" && !disabled;
    if (activeAdmins.includes(id) && !staysActiveAdmin && activeAdmins.length === 1) {
      throw conflict(`'${row.email}' is the last active admin: make another user admin first`, [
        { path: change.disabled ? "disabled" : "role", message: "would leave the project without an active admin" },
      ]);
    }
    const before = presentUser(row);
    const updated = await tx.user.update({
      where: { id },
      data: { role, disabledAt: disabled ? (row.disabledAt ?? new Date()) : null },
    });
    if (disabled) {
      // Ends the user's sessions now, and any sign-in link not yet used.
      await tx.session.deleteMany({ where: { userId: id } });
      await tx.signInToken.deleteMany({ where: { userId: id, usedAt: null } });
    }
    const after = presentUser(updated);
    const target = `user:${row.email}`;
    if (role !== row.role) await audit(tx, principal, { action: "user.role", target, before, after });
    if (disabled !== !!row.disabledAt)
      await audit(tx, principal, { action: disabled ? "user.disable" : "user.enable", target, before, after });
    return after;
  });
}

/**
 * Redeems a one-time sign-in link: sets the user's password and starts a session. The token works once,
 * before it expires, for a user who is not disabled.
 */
export async function redeemSignInLink(
  client: Db,
  input: { token: string; password: string },
): Promise<{ token: string; expiresAt: Date }> {
  const passwordHash = await hashPassword(input.password);
  return client.$transaction(async (tx) => {
    const userId = await consumeSignInToken(tx, input.token);
    const user = userId ? await tx.user.findUnique({ where: { id: userId } }) : null;
    if (!user || user.disabledAt) {
      throw invalid("This sign-in link is not valid: it was used already, has expired or was replaced; ask an admin for a new one", [
        { path: "token", message: "is not a valid sign-in link" },
      ]);
    }
    const before = presentUser(user);
    const updated = await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    const project = await tx.project.findFirstOrThrow({ orderBy: { createdAt: "asc" }, select: { id: true } });
    const self: Principal = { kind: "user", userId: user.id, email: user.email, role: user.role, projectId: project.id };
    await audit(tx, self, {
      action: "user.password_set",
      target: `user:${user.email}`,
      before,
      after: presentUser(updated),
      reason: "one-time sign-in link",
    });
    return startSession(tx, user.id);
  });
}
