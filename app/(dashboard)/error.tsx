"use client";

import Link from "next/link";
import { useEffect } from "react";

// A page that failed to render stays inside the shell: what happened, a retry, and the way back.
export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div className="page">
      <section className="card notice-panel" role="alert" data-testid="page-error">
        <p className="notice-code">Error</p>
        <h1>This page could not be shown</h1>
        <p className="muted">
          {error.digest
            ? `The server failed while preparing it (reference ${error.digest}, in the server's log).`
            : `It failed in the browser: ${error.message}`}
        </p>
        <div className="row">
          <button className="button primary" onClick={reset}>
            Try again
          </button>
          <Link className="button" href="/">
            Back to the overview
          </Link>
        </div>
      </section>
    </div>
  );
}
