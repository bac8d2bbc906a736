"use client";

import { useEffect, useRef, useState, type FormEvent } from "react";
import { ErrorNote } from "@/app/components/ErrorNote";
import { dateTime } from "@/app/components/format";
import { roles } from "@/lib/auth/permissions";
import { useInviteUser, useNewSignInLink, useUpdateUser, useUsers, type InvitedUser, type UserView } from "@/lib/client/admin";
import { useCan, useMe } from "@/lib/client/hooks";

const roleLabel = (role: string) => role.replace("_", " ");
const statusBadge: Record<UserView["status"], string> = { active: "good", invited: "warn", disabled: "bad" };

/** A one-time sign-in link, shown once, with a copy button. */
function SignInLink({ invited }: { invited: InvitedUser }) {
  const [copied, setCopied] = useState(false);
  const url = `${window.location.origin}${invited.signIn.path}`;
  const copy = async () => {
    await navigator.clipboard.writeText(url);
    setCopied(true);
  };
  return (
    <div className="banner good" role="status" data-testid="sign-in-link">
      Send this one-time sign-in link to <strong>{invited.email}</strong>. It is shown only now, works once, and expires{" "}
      {dateTime(invited.signIn.expiresAt)}.
      <div className="secret-box">
        <code data-testid="sign-in-url">{url}</code>
        <button className="button" type="button" onClick={copy}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}

function InviteDialog({ onClose }: { onClose: () => void }) {
  const invite = useInviteUser();
  const dialog = useRef<HTMLDialogElement>(null);
  // Modal: the page behind cannot be used until the dialog is closed (Escape closes it too).
  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    invite.mutate({ email: String(form.get("email")), role: String(form.get("role")) });
  };
  return (
    <dialog className="dialog" ref={dialog} onClose={onClose} aria-labelledby="invite-title">
      <h3 id="invite-title">Invite a user</h3>
      {invite.data ? (
        <>
          <SignInLink invited={invite.data} />
          <button className="button primary" type="button" onClick={onClose}>
            Done
          </button>
        </>
      ) : (
        <form onSubmit={submit}>
          <label>
            Email
            <input name="email" type="email" required autoFocus placeholder="name@company.com" />
          </label>
          <label>
            Role
            <select name="role" defaultValue="viewer">
              {roles.map((role) => (
                <option key={role} value={role}>
                  {roleLabel(role)}
                </option>
              ))}
            </select>
          </label>
          <ErrorNote error={invite.error} />
          <div className="row" style={{ gap: 8 }}>
            <button className="button primary" type="submit" disabled={invite.isPending}>
              {invite.isPending ? "Inviting…" : "Invite"}
            </button>
            <button className="button" type="button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}

function UserTable({ items, myEmail }: { items: UserView[]; myEmail: string | null }) {
  const update = useUpdateUser();
  const newLink = useNewSignInLink();
  return (
    <>
      <ErrorNote error={update.error ?? newLink.error} />
      {newLink.data ? <SignInLink invited={newLink.data} /> : null}
      <table className="table" data-testid="users">
        <thead>
          <tr>
            <th>Email</th>
            <th>Role</th>
            <th>Status</th>
            <th>Added</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((user) => (
            <tr key={user.id} data-testid={`user-${user.email}`}>
              <td>
                {user.email}
                {user.email === myEmail ? <span className="muted small"> (you)</span> : null}
              </td>
              <td>
                <select
                  aria-label={`Role of ${user.email}`}
                  value={user.role}
                  disabled={update.isPending && update.variables?.id === user.id}
                  onChange={(e) => update.mutate({ id: user.id, role: e.target.value })}
                >
                  {roles.map((role) => (
                    <option key={role} value={role}>
                      {roleLabel(role)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <span className={`badge ${statusBadge[user.status]}`}>{user.status}</span>
              </td>
              <td className="muted">{dateTime(user.createdAt)}</td>
              <td>
                <div className="row" style={{ gap: 8, justifyContent: "flex-end" }}>
                  {user.status === "invited" ? (
                    <button className="button" onClick={() => newLink.mutate(user.id)} disabled={newLink.isPending}>
                      New sign-in link
                    </button>
                  ) : null}
                  {/* Deactivating yourself would sign you out on the spot: another admin does it. */}
                  {user.email === myEmail ? null : user.status === "disabled" ? (
                    <button className="button" onClick={() => update.mutate({ id: user.id, disabled: false })}>
                      Reactivate
                    </button>
                  ) : (
                    <button
                      className="button danger"
                      onClick={() =>
                        window.confirm(`Deactivate ${user.email}? They are signed out at once and cannot sign in until reactivated.`) &&
                        update.mutate({ id: user.id, disabled: true })
                      }
                    >
                      Deactivate
                    </button>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export default function UsersPage() {
  const isAdmin = useCan("admin");
  const me = useMe();
  const users = useUsers();
  const [inviting, setInviting] = useState(false);
  if (me.data && !isAdmin) {
    return (
      <div className="page">
        <h1>Users</h1>
        <p className="banner warn">Only admins manage users. Ask an admin to change your role.</p>
      </div>
    );
  }
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Users</h1>
          <p className="muted">
            Who can sign in, and with which role (what each role may do is on the Settings page). Invited users set their password through a
            one-time link. Every change is in the audit log.
          </p>
        </div>
        <button className="button primary" onClick={() => setInviting(true)}>
          Invite user
        </button>
      </header>
      {inviting ? <InviteDialog onClose={() => setInviting(false)} /> : null}
      <section className="card">
        <ErrorNote error={users.error} />
        {users.isLoading ? <p className="muted">Loading…</p> : null}
        {users.data ? <UserTable items={users.data.items} myEmail={me.data?.email ?? null} /> : null}
      </section>
    </div>
  );
}
