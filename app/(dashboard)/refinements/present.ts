import type { Sample } from "@/lib/client/hooks";

// How outcomes, labels and syntax statuses read in the dashboard (the refinements browser and the experiment's strips).

export type Outcome = Sample["outcome"];
export type Label = NonNullable<Sample["label"]>;

export const OUTCOME_ORDER: Outcome[] = ["kept", "unchanged", "duplicate", "syntax_error", "noise", "secret", "opted_out"];

export const OUTCOMES: Record<Outcome, { label: string; tone: string; help: string }> = {
  kept: { label: "kept", tone: "good", help: "A refinement worth learning from" },
  unchanged: { label: "unchanged", tone: "", help: "The user kept the proposal as it was" },
  duplicate: { label: "duplicate", tone: "", help: "Same context and target as an earlier sample" },
  syntax_error: { label: "syntax error", tone: "bad", help: "The target introduces a syntax error in its context" },
  noise: { label: "noise", tone: "warn", help: "Rewritten, emptied or pasted over: not a refinement" },
  secret: { label: "secret", tone: "bad", help: "A secret was found and redacted" },
  opted_out: { label: "opted out", tone: "", help: "The user opted out: their code is not kept" },
};

export const LABELS: { key: Label; text: string; tone: string; shortcut: string }[] = [
  { key: "good", text: "Good", tone: "good", shortcut: "1" },
  { key: "bad", text: "Bad", tone: "bad", shortcut: "2" },
  { key: "needs_review", text: "Needs review", tone: "warn", shortcut: "3" },
];

export const labelText = (label: Label) => LABELS.find((l) => l.key === label)?.text ?? label;
export const labelTone = (label: Label) => LABELS.find((l) => l.key === label)?.tone ?? "";

export const SYNTAX: Record<string, { text: string; tone: string }> = {
  ok: { text: "parses", tone: "good" },
  error: { text: "syntax error", tone: "bad" },
  unchecked: { text: "not checked", tone: "" },
};

/** The first line of code that says something (not blank), for one-line previews. */
export function firstLine(code: string): string {
  return (
    code
      .split("\n")
      .find((line) => line.trim())
      ?.trim() ?? ""
  );
}

/** "3 min ago", "yesterday"-style age for list rows; exact time in the title. */
export function age(iso: string): string {
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** The first line where the proposal and the target differ (or their first lines), for a two-line "− / +" preview. */
export function changedLine(proposal: string, target: string): { removed: string; added: string } {
  const before = proposal.split("\n");
  const after = target.split("\n");
  const at = before.findIndex((line, i) => line !== after[i]);
  const index = at < 0 ? 0 : at;
  return { removed: (before[index] ?? "").trim(), added: (after[index] ?? "").trim() };
}

/** The browser's address for a filter (and optionally a sample to open). */
export function browserHref(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1]));
  return `/refinements${search.size ? `?${search}` : ""}`;
}
