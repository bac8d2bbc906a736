"use client";

// The root layout itself failed: nothing of the app can render, so this page brings its own html.
export default function GlobalError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", padding: 40 }}>
        <h1>Echo could not start this page</h1>
        <p>Reload in a moment; if it persists, the server&apos;s log says why.</p>
        <button onClick={reset}>Try again</button>
      </body>
    </html>
  );
}
