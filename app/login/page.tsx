"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { safeNextPath } from "@/lib/auth/redirect";
import { Suspense, useState, type FormEvent } from "react";
import { apiFetch, ApiRequestError } from "@/lib/client/api";

function SignInForm() {
  const router = useRouter();
  const next = useSearchParams().get("next") || "/";
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      await apiFetch("/api/auth/session", { method: "POST", json: { email: form.get("email"), password: form.get("password") } });
      // Only same-site paths: never bounce a user to another origin after sign-in.
      router.push(safeNextPath(next));
      router.refresh();
    } catch (e) {
      setError(e instanceof ApiRequestError ? e.message : "Could not reach the server");
      setPending(false);
    }
  };

  return (
    <form className="card login-card" onSubmit={submit}>
      <div className="brand large">
        <span className="brand-mark">◉</span> Echo
      </div>
      <p className="muted">Sign in to compare model versions and curate refinements.</p>
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required autoFocus />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
      <button className="button primary" type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}

export default function LoginPage() {
  return (
    <div className="login-page">
      <Suspense>
        <SignInForm />
      </Suspense>
    </div>
  );
}
