"use client";

import { parsePatch } from "diff";
import { normalizeTokens, Prism, type Token } from "prism-react-renderer";
import { memo, type ReactNode } from "react";

// Code as the browser shows it: highlighted by language (Prism's grammars as prism-react-renderer ships
// them), the sample's context dimmed around it, secrets' redaction markers set apart, and the unified diff.

const GRAMMARS: Record<string, string> = {
  python: "python",
  py: "python",
  typescript: "typescript",
  ts: "typescript",
  typescriptreact: "tsx",
  tsx: "tsx",
  javascript: "javascript",
  js: "javascript",
  javascriptreact: "jsx",
  jsx: "jsx",
  go: "go",
  golang: "go",
  rust: "rust",
  c: "c",
  cpp: "cpp",
  "c++": "cpp",
  kotlin: "kotlin",
  swift: "swift",
  sql: "sql",
  json: "json",
  yaml: "yaml",
  markdown: "markdown",
  css: "css",
  html: "markup",
  objectivec: "objectivec",
};

/** Lines of tokens; plain text (one token a line) for a language without a grammar. */
export function highlight(code: string, language: string): Token[][] {
  const grammar = Prism.languages[GRAMMARS[language.toLowerCase()] ?? ""];
  return normalizeTokens(grammar ? Prism.tokenize(code, grammar) : [code]);
}

interface Region {
  start: number;
  end: number;
  className: string;
}

const REDACTED = /\[REDACTED:[\w-]+\]/g;

/** Highlighted lines of `text`, each token split where a region starts or ends and given the regions' classes. */
function renderLines(text: string, language: string, regions: Region[]): { pieces: ReactNode[]; classes: Set<string> }[] {
  for (const match of text.matchAll(REDACTED))
    regions.push({ start: match.index, end: match.index + match[0].length, className: "redacted" });
  const cuts = [...new Set(regions.flatMap((r) => [r.start, r.end]))].sort((a, b) => a - b);
  const classesAt = (at: number) =>
    regions
      .filter((r) => r.start <= at && at < r.end)
      .map((r) => r.className)
      .join(" ");
  let offset = 0;
  return highlight(text, language).map((line) => {
    const pieces: ReactNode[] = [];
    const classes = new Set<string>();
    for (const token of line) {
      const end = offset + token.content.length;
      const bounds = [offset, ...cuts.filter((c) => c > offset && c < end), end];
      for (let i = 0; i + 1 < bounds.length; i++) {
        const extra = classesAt(bounds[i]);
        for (const name of extra.split(" ")) if (name) classes.add(name);
        pieces.push(
          <span key={bounds[i]} className={`token ${token.types.join(" ")} ${extra}`}>
            {token.content.slice(bounds[i] - offset, bounds[i + 1] - offset)}
          </span>,
        );
      }
      offset = end;
    }
    offset += 1; // the newline the lines were split on
    return { pieces, classes };
  });
}

/** The last `count` lines of the text before the cursor (the cursor's own line in full) and how many were left out. */
function lastLines(text: string, count: number): { text: string; hidden: number } {
  const lines = text.split("\n");
  const kept = lines.slice(-(count + 1));
  return { text: kept.join("\n"), hidden: lines.length - kept.length };
}

function firstLines(text: string, count: number): { text: string; hidden: number } {
  const lines = text.split("\n");
  const kept = lines.slice(0, count + 1);
  return { text: kept.join("\n"), hidden: text.endsWith("\n") ? lines.length - kept.length - 1 : lines.length - kept.length };
}

/** A text inserted at the cursor, with up to `contextLines` lines of the prefix above and of the suffix below, dimmed. */
export const CodeBlock = memo(function CodeBlock({
  code,
  language,
  prefix = "",
  suffix = "",
  contextLines = 8,
  testId,
}: {
  code: string;
  language: string;
  prefix?: string;
  suffix?: string;
  contextLines?: number;
  testId?: string;
}) {
  const before = lastLines(prefix, contextLines);
  const after = firstLines(suffix, contextLines);
  const text = before.text + code + after.text;
  const start = before.text.length;
  const end = start + code.length;
  const lines = renderLines(text, language, [
    { start: 0, end: start, className: "ctx" },
    { start, end, className: "focus" },
    { start: end, end: text.length, className: "ctx" },
  ]);
  // A trailing newline leaves an empty last line: not worth a row.
  if (lines.length > 1 && text.endsWith("\n")) lines.pop();
  return (
    <pre className="code" data-testid={testId}>
      {before.hidden > 0 ? <div className="code-more">⋯ {before.hidden} lines above</div> : null}
      {lines.map((line, i) => (
        <div key={i} className={line.classes.has("focus") ? "code-line in-focus" : "code-line"}>
          {line.pieces}
        </div>
      ))}
      {!code ? <div className="code-more">(empty at the cursor)</div> : null}
      {after.hidden > 0 ? <div className="code-more">⋯ {after.hidden} lines below</div> : null}
    </pre>
  );
});

/** One line of code highlighted on its own (when the whole text's tokens do not line up with the diff's line). */
function lineTokens(tokensOfText: Token[][], lineNo: number, content: string, language: string): Token[] {
  const line = tokensOfText[lineNo - 1];
  if (line && line.map((t) => t.content).join("") === content) return line;
  return highlight(content, language)[0] ?? [];
}

/** The sample's unified diff (proposal → target), each side highlighted as a whole so strings and comments stay right. */
export const UnifiedDiff = memo(function UnifiedDiff({
  diff,
  proposal,
  target,
  language,
}: {
  diff: string;
  proposal: string;
  target: string;
  language: string;
}) {
  const [patch] = diff ? parsePatch(diff) : [];
  if (!patch?.hunks.length) {
    return <p className="muted">No line changed: the user kept the proposal as it was.</p>;
  }
  const oldTokens = highlight(proposal, language);
  const newTokens = highlight(target, language);
  const rows: ReactNode[] = [];
  for (const [h, hunk] of patch.hunks.entries()) {
    rows.push(
      <tr key={`h${h}`} className="diff-hunk">
        <td colSpan={4}>
          @@ −{hunk.oldStart},{hunk.oldLines} +{hunk.newStart},{hunk.newLines} @@
        </td>
      </tr>,
    );
    let oldNo = hunk.oldStart;
    let newNo = hunk.newStart;
    for (const [i, line] of hunk.lines.entries()) {
      const sign = line[0];
      const content = line.slice(1);
      if (sign === "\\") {
        rows.push(
          <tr key={`h${h}-${i}`} className="diff-meta">
            <td colSpan={4}>{line}</td>
          </tr>,
        );
        continue;
      }
      const tokens = sign === "+" ? lineTokens(newTokens, newNo, content, language) : lineTokens(oldTokens, oldNo, content, language);
      const kind = sign === "+" ? "add" : sign === "-" ? "del" : "same";
      rows.push(
        <tr key={`h${h}-${i}`} className={`diff-${kind}`}>
          <td className="diff-no">{sign !== "+" ? oldNo : ""}</td>
          <td className="diff-no">{sign !== "-" ? newNo : ""}</td>
          <td className="diff-sign">{sign === " " ? "" : sign === "-" ? "−" : "+"}</td>
          <td className="diff-code">
            {tokens.map((t, k) => (
              <span key={k} className={`token ${t.types.join(" ")}`}>
                {t.content}
              </span>
            ))}
          </td>
        </tr>,
      );
      if (sign !== "+") oldNo++;
      if (sign !== "-") newNo++;
    }
  }
  return (
    <table className="diff" data-testid="diff-view">
      <tbody>{rows}</tbody>
    </table>
  );
});
