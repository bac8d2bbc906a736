"use client";

import { useState, type MouseEvent, type ReactNode } from "react";
import { integer } from "@/app/components/format";

type State = { kind: "idle" } | { kind: "loading"; lines: number } | { kind: "done"; lines: number } | { kind: "failed"; message: string };

/** The file name a download's Content-Disposition gives, else a fallback. */
function fileNameOf(header: string | null, fallback: string): string {
  return header?.match(/filename="([^"]+)"/)?.[1] ?? fallback;
}

/**
 * A dataset download with its progress: the lines arrive as a stream, counted against the lines the
 * answer announces (x-echo-sample-count), then saved as a file. The link still works on its own (open
 * in a new tab, save as).
 */
export function DownloadLink(props: { href: string; lines: number; primary?: boolean; testId?: string; children: ReactNode }) {
  const [state, setState] = useState<State>({ kind: "idle" });
  const start = async (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    if (state.kind === "loading") return;
    try {
      setState({ kind: "loading", lines: 0 });
      const response = await fetch(props.href);
      if (!response.ok || !response.body) throw new Error(`the download answered ${response.status}`);
      const reader = response.body.getReader();
      const chunks: Uint8Array[] = [];
      let lines = 0;
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        chunks.push(next.value);
        for (const byte of next.value) if (byte === 10) lines++;
        setState({ kind: "loading", lines });
      }
      const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: "application/x-ndjson" }));
      const anchor = document.createElement("a");
      anchor.href = url;
      anchor.download = fileNameOf(response.headers.get("content-disposition"), "dataset.jsonl");
      anchor.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState({ kind: "done", lines });
    } catch (error) {
      setState({ kind: "failed", message: (error as Error).message });
    }
  };
  const total = Number(props.lines) || 1;
  return (
    <span className="download">
      <a className={`button${props.primary ? " primary" : ""}`} href={props.href} data-testid={props.testId} download onClick={start}>
        {props.children}
      </a>
      {state.kind === "loading" ? (
        <span className="muted small" role="status">
          <progress max={total} value={Math.min(state.lines, total)} /> {integer(state.lines)} of {integer(props.lines)} lines
        </span>
      ) : null}
      {state.kind === "done" ? (
        <span className="muted small" role="status">
          saved, {integer(state.lines)} lines
        </span>
      ) : null}
      {state.kind === "failed" ? (
        <span className="small bad-text" role="alert">
          {state.message}
        </span>
      ) : null}
    </span>
  );
}
