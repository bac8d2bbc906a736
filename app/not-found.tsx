import Link from "next/link";
import { NotFoundPanel } from "@/app/components/NotFoundPanel";
import { signedInUser } from "@/lib/api/session";
import { describePrincipal } from "@/lib/auth/describe";
import { Shell } from "./(dashboard)/shell";

// Unmatched addresses (/anything) land here, outside the dashboard's layout: a signed-in user still gets
// the shell and its navigation; a visitor gets the way to sign in.
export default async function NotFound() {
  const user = await signedInUser();
  if (user) {
    return (
      <Shell me={describePrincipal(user)}>
        <NotFoundPanel />
      </Shell>
    );
  }
  return (
    <div className="login-page">
      <section className="card login-card" data-testid="not-found">
        <div className="brand large">
          <span className="brand-mark">◉</span> Echo
        </div>
        <h1>This page does not exist</h1>
        <Link className="button primary" href="/login">
          Sign in
        </Link>
      </section>
    </div>
  );
}
