"use client";

import { useRouter } from "next/navigation";
import { useState, useSyncExternalStore, type FormEvent } from "react";
import { apiFetch, ApiRequestError } from "@/lib/client/api";
import { MIN_PASSWORD_LENGTH } from "@/lib/users/schemas";

// Where a one-time sign-in link lands: the token is in the URL's fragment (never sent to a server or
// kept in its logs); the user chooses a password, which redeems the token and signs them in.

const subscribe = (onChange: () => void) => {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
};
const tokenFromHash = () => new URLSearchParams(window.location.hash.slice(1)).get("token");

export default function WelcomePage() {
  const router = useRouter();
  const token = useSyncExternalStore(subscribe, tokenFromHash, () => null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("password"));
    if (password !== String(form.get("confirm"))) {
      setError("The two passwords differ");
      return;
    }
    setPending(true);
    setError(null);
    try {
      await apiFetch("/api/auth/sign-in-link", { method: "POST", json: { token, password } });
      // The token is spent: drop it from the address bar and history before moving on.
      window.history.replaceState(null, "", "/welcome");
      router.push("/");
      router.refresh();
    } catch (e) {
      setError(e instanceof ApiRequestError ? e.message : "Could not reach the server");
      setPending(false);
    }
  };

  return (
    <div className="login-page">
      <form className="card login-card" onSubmit={submit}>
        <div className="brand large">
          <span className="brand-mark">◉</span> Echo
        </div>
        <h2>Welcome</h2>
        {token ? (
          <>
            <p className="muted">Choose a password (at least {MIN_PASSWORD_LENGTH} characters) to finish signing in.</p>
            <label>
              New password
              <input name="password" type="password" autoComplete="new-password" minLength={MIN_PASSWORD_LENGTH} required autoFocus />
            </label>
            <label>
              Repeat it
              <input name="confirm" type="password" autoComplete="new-password" minLength={MIN_PASSWORD_LENGTH} required />
            </label>
            {error ? (
              <p className="error-text" role="alert">
                {error}
              </p>
            ) : null}
            <button className="button primary" type="submit" disabled={pending}>
              {pending ? "Signing in…" : "Set password and sign in"}
            </button>
          </>
        ) : (
          <p className="muted" role="alert">
            This page needs the one-time sign-in link an admin sent you. If you have an account already, <a href="/login">sign in</a>.
          </p>
        )}
      </form>
    </div>
  );
}
