import Link from "next/link";

/** What a page that does not exist says, inside the app shell, with the ways back. */
export function NotFoundPanel() {
  return (
    <div className="page">
      <section className="card notice-panel" data-testid="not-found">
        <p className="notice-code">404</p>
        <h1>This page does not exist</h1>
        <p className="muted">The address may be mistyped, or what it named (an experiment, a dataset, a sample) was never created here.</p>
        <div className="row">
          <Link className="button primary" href="/">
            Back to the overview
          </Link>
          <Link className="button" href="/experiments">
            Experiments
          </Link>
          <Link className="button" href="/model-versions">
            Model versions
          </Link>
        </div>
      </section>
    </div>
  );
}
