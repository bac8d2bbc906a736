"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect } from "react";

// A page that failed to render stays inside the shell: what happened, a retry, and the way back.
export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const queries = useQueryClient();
  // The answers the page failed on are still cached: drop them, so the retry asks the server again.
  const retry = () => {
    queries.resetQueries();
    reset();
  };
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
          <button className="button primary" onClick={retry}>
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
