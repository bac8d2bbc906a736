/**
 * Syntax checks of refinement targets with real parsers: tree-sitter grammars compiled to WebAssembly.
 *
 * Runtime: `web-tree-sitter` (tree-sitter's own WebAssembly binding). Grammars: the prebuilt .wasm files of
 * `@vscode/tree-sitter-wasm` (the grammars VS Code ships, built with tree-sitter 0.25, ABI 14–15, which
 * this runtime loads; the older `tree-sitter-wasms` builds do not load in current runtimes). Both are found
 * with a `require` created at run time from the application's root (`process.cwd()`, as the migrations
 * are read), so this works wherever Node resolves packages (tests, the server, and inside the Next.js
 * bundle, which would otherwise compile a `require.resolve` of a computed name into a stub that
 * throws), not in a browser. Nothing is loaded at import time: the runtime on the first check, each
 * grammar on the first check of its language, each cached for the process (a failed load is not cached, so
 * a later check retries it, and it throws: a missing grammar is a deployment error, not a syntax verdict).
 *
 * What "does not parse" means. Samples are cut from files: the prefix may start inside a function and the
 * suffix end inside another, so the context alone often fails to parse, and tree-sitter's error recovery
 * then moves and merges error nodes depending on the text in between. A target is therefore judged by
 * whether it parses at least as well as the proposal did in the same place, in this order:
 *
 *   1. `prefix + target + suffix` has no error (ERROR or MISSING node): "ok".
 *   2. The target equals the proposal: "ok" (it introduces nothing). `prefix + proposal + suffix` has no
 *      error (but the target's text has): "error".
 *   3. Narrower contexts, the last 8 then 2 lines of the prefix (the cursor's line counting as one) and as
 *      many of the suffix: in the first window where the proposal's text parses cleanly, the verdict is
 *      whether the target's text in the same window does ("ok") or not ("error"). This isolates the target
 *      from errors of a context cut off further away.
 *   4. Otherwise (the context is broken close to the cursor): "error" when the target's text has an error
 *      touching the target (an ERROR node overlapping it, or a MISSING node at or inside its edges) while
 *      the proposal's text has none touching the proposal, or when it has more error nodes in all;
 *      "ok" otherwise.
 *
 * Before these rules, the target is parsed in its enclosing top-level construct alone (`topLevelWindow`):
 * from the last line before the cursor that starts at column 0 (a declaration, not a closing bracket) to
 * the next such line after it, searched within TOP_LEVEL_SEARCH_LINES lines each side. When the target's
 * text there has no error, the verdict is "ok" without parsing the rest of the file: tree-sitter costs
 * about 200 ns per character in WebAssembly, so a sample sent with 5 KB of its file took a millisecond to
 * check, most of it on code the refinement cannot reach. Anything the target leaves open (a bracket, a
 * string, a block) runs to the window's end and is an error there, and then the rules above decide on the
 * whole context, as before. (What the window cannot see: a column-0 line inside a multi-line string or
 * comment taken for a declaration, where the target's text would have to parse cleanly from inside it.)
 *
 * "unchecked" is the status for a language without a grammar here.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { Language, Node, Parser } from "web-tree-sitter";

export type SyntaxStatus = "ok" | "error" | "unchecked";

/** Grammars shipped by `@vscode/tree-sitter-wasm` that we check, by their .wasm file. */
const GRAMMARS = {
  typescript: "tree-sitter-typescript.wasm",
  tsx: "tree-sitter-tsx.wasm",
  javascript: "tree-sitter-javascript.wasm",
  python: "tree-sitter-python.wasm",
  go: "tree-sitter-go.wasm",
  java: "tree-sitter-java.wasm",
  rust: "tree-sitter-rust.wasm",
  ruby: "tree-sitter-ruby.wasm",
  csharp: "tree-sitter-c-sharp.wasm",
  cpp: "tree-sitter-cpp.wasm",
  bash: "tree-sitter-bash.wasm",
  css: "tree-sitter-css.wasm",
} as const;

export type Grammar = keyof typeof GRAMMARS;

export const SYNTAX_LANGUAGES: readonly Grammar[] = Object.keys(GRAMMARS) as Grammar[];

/** Other names of a language (VS Code language ids, file extensions) → its grammar. */
const ALIASES: Record<string, Grammar> = {
  ts: "typescript",
  mts: "typescript",
  cts: "typescript",
  typescriptreact: "tsx",
  js: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  jsx: "javascript",
  javascriptreact: "javascript",
  py: "python",
  python3: "python",
  golang: "go",
  rs: "rust",
  rb: "ruby",
  "c#": "csharp",
  cs: "csharp",
  c_sharp: "csharp",
  "c++": "cpp",
  cc: "cpp",
  cxx: "cpp",
  hpp: "cpp",
  sh: "bash",
  shell: "bash",
  shellscript: "bash",
};

/** The grammar for a language label (case-insensitive; ids such as `typescriptreact` or `py` too), or null. */
export function syntaxGrammar(language: string | null | undefined): Grammar | null {
  const key = (language ?? "").trim().toLowerCase();
  if (key in GRAMMARS) return key as Grammar;
  return ALIASES[key] ?? null;
}

// ---------------------------------------------------------------------------------------------------
// Lazy loading
// ---------------------------------------------------------------------------------------------------

type TreeSitter = typeof import("web-tree-sitter");

/**
 * How long a failed load is answered with its error before it is tried again. A grammar that cannot load
 * is a deployment error (a missing package, a server started outside the app's directory): tried again on
 * every sample, each attempt resolving and reading files, building 20,000 samples took about four times
 * as long as with the grammar loaded. Tried again later rather than never, so a fixed deployment recovers
 * without a restart.
 */
export const SYNTAX_LOAD_RETRY_MS = 60_000;

/**
 * `load` per key, started once and its promise shared; a failure is forgotten with its promise but
 * remembered for SYNTAX_LOAD_RETRY_MS, during which calls reject with it without trying again.
 */
function loaderRetryingLater<K, T>(load: (key: K) => Promise<T>): (key: K) => Promise<T> {
  const loads = new Map<K, Promise<T>>();
  const failures = new Map<K, { error: unknown; retryAt: number }>();
  return (key) => {
    const loaded = loads.get(key);
    if (loaded) return loaded;
    const failed = failures.get(key);
    if (failed && Date.now() < failed.retryAt) return Promise.reject(failed.error);
    const loading = load(key).catch((error: unknown) => {
      loads.delete(key);
      failures.set(key, { error, retryAt: Date.now() + SYNTAX_LOAD_RETRY_MS });
      throw error;
    });
    loads.set(key, loading);
    return loading;
  };
}

function resolvePackageFile(specifier: string): string {
  const fromRoot = createRequire(path.join(process.cwd(), "package.json"));
  return fromRoot.resolve(specifier);
}

/** The runtime and its .wasm (one, under a single key), loaded by the first call and shared by later ones. */
const loadRuntimeOnce = loaderRetryingLater<"runtime", TreeSitter>(async () => {
  const treeSitter = await import("web-tree-sitter");
  await treeSitter.Parser.init({ wasmBinary: await readFile(resolvePackageFile("web-tree-sitter/web-tree-sitter.wasm")) });
  return treeSitter;
});
const loadRuntime = () => loadRuntimeOnce("runtime");

/** A parser for the grammar, created on first use and cached (parsing is synchronous: one per grammar suffices). */
const loadParser = loaderRetryingLater(async (grammar: Grammar): Promise<Parser> => {
  const treeSitter = await loadRuntime();
  const bytes = await readFile(resolvePackageFile(`@vscode/tree-sitter-wasm/wasm/${GRAMMARS[grammar]}`));
  const language: Language = await treeSitter.Language.load(bytes);
  return new treeSitter.Parser().setLanguage(language);
});

// ---------------------------------------------------------------------------------------------------
// Errors and their places
// ---------------------------------------------------------------------------------------------------

/** One tree-sitter error: an ERROR node (unparseable text) or a MISSING node (a token the parser inserted). */
export interface SyntaxErrorSite {
  kind: string;
  /** [start, end) in UTF-16 code units of the parsed text (a MISSING node is empty). */
  start: number;
  end: number;
}

/** The ERROR and MISSING nodes of a tree, outermost only (an ERROR node's insides are not searched). */
function errorSites(root: Node): SyntaxErrorSite[] {
  const sites: SyntaxErrorSite[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.isMissing) sites.push({ kind: `MISSING ${node.type}`, start: node.startIndex, end: node.endIndex });
    else if (node.isError) sites.push({ kind: "ERROR", start: node.startIndex, end: node.endIndex });
    else if (node.hasError) for (const child of node.children) if (child) stack.push(child);
  }
  return sites.sort((a, b) => a.start - b.start || a.end - b.end || a.kind.localeCompare(b.kind));
}

/** Parses `code` and returns its error sites, or null for a language without a grammar. */
export async function syntaxErrors(language: string | null | undefined, code: string): Promise<SyntaxErrorSite[] | null> {
  const grammar = syntaxGrammar(language);
  if (!grammar) return null;
  const parser = await loadParser(grammar);
  const tree = parser.parse(code);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${grammar}`);
  try {
    return tree.rootNode.hasError ? errorSites(tree.rootNode) : [];
  } finally {
    tree.delete();
  }
}

/** Whether a whole snippet parses: "ok" without any error, "error" with one, "unchecked" without a grammar. */
export async function checkSyntax(language: string | null | undefined, code: string): Promise<SyntaxStatus> {
  const errors = await syntaxErrors(language, code);
  return errors === null ? "unchecked" : errors.length > 0 ? "error" : "ok";
}

/** Whether an error overlaps `[start, end)`, a MISSING (empty) node counting when it lies in `[start, end]`. */
export function errorTouches(site: SyntaxErrorSite, start: number, end: number): boolean {
  return site.start === site.end ? site.start >= start && site.start <= end : site.start < end && site.end > start;
}

/**
 * Rule 4 above: the target introduces an error when its text has one touching the target while the
 * proposal's has none touching the proposal, or when its text has more error nodes than the proposal's.
 */
export function introducesErrors(
  proposalErrors: readonly SyntaxErrorSite[],
  targetErrors: readonly SyntaxErrorSite[],
  lengths: { prefix: number; proposal: number; target: number },
): boolean {
  const touchesTarget = targetErrors.some((site) => errorTouches(site, lengths.prefix, lengths.prefix + lengths.target));
  const touchesProposal = proposalErrors.some((site) => errorTouches(site, lengths.prefix, lengths.prefix + lengths.proposal));
  return (touchesTarget && !touchesProposal) || targetErrors.length > proposalErrors.length;
}

/** The last `lines` lines of `text`, its unfinished last line (the cursor's) counting as one. */
export function lastLines(text: string, lines: number): string {
  let at = text.length;
  for (let i = 0; i < lines; i++) {
    const newline = at > 0 ? text.lastIndexOf("\n", at - 1) : -1;
    if (newline === -1) return text;
    at = newline;
  }
  return text.slice(at + 1);
}

/** The first `lines` lines of `text`, its first line (the rest of the cursor's) counting as one. */
export function firstLines(text: string, lines: number): string {
  let at = -1;
  for (let i = 0; i < lines; i++) {
    const newline = text.indexOf("\n", at + 1);
    if (newline === -1) return text;
    at = newline;
  }
  return text.slice(0, Math.max(at, 0));
}

export interface RefinementSyntaxInput {
  prefix?: string;
  suffix?: string;
  proposal: string;
  target: string;
}

/** Lines searched before and after the cursor for the edges of the enclosing top-level construct. */
export const TOP_LEVEL_SEARCH_LINES = 400;

/** Whether the line starting at `at` begins a top-level construct: at column 0, and not a closing bracket or `end`. */
function startsTopLevel(text: string, at: number): boolean {
  const first = text[at];
  if (first === undefined || first === " " || first === "\t" || first === "\n" || first === "\r") return false;
  if (first === "}" || first === ")" || first === "]") return false;
  return !(text.startsWith("end", at) && !/[\w$]/.test(text[at + 3] ?? ""));
}

/**
 * The part of the context around the cursor that belongs to the construct enclosing it: the prefix from
 * its last line that starts a top-level construct (the cursor's own line included), the suffix up to the
 * next such line after the cursor's. A side without such a line within TOP_LEVEL_SEARCH_LINES is kept whole.
 */
export function topLevelWindow(prefix: string, suffix: string): { prefix: string; suffix: string } {
  let start = 0;
  let at = prefix.length;
  for (let lines = 0; lines <= TOP_LEVEL_SEARCH_LINES; lines++) {
    const lineStart = at > 0 ? prefix.lastIndexOf("\n", at - 1) + 1 : 0;
    if (startsTopLevel(prefix, lineStart)) {
      start = lineStart;
      break;
    }
    if (lineStart === 0) break;
    at = lineStart - 1;
  }
  let end = suffix.length;
  let newline = suffix.indexOf("\n");
  for (let lines = 0; newline !== -1 && lines < TOP_LEVEL_SEARCH_LINES; lines++) {
    if (startsTopLevel(suffix, newline + 1)) {
      end = newline + 1;
      break;
    }
    newline = suffix.indexOf("\n", newline + 1);
  }
  return { prefix: prefix.slice(start), suffix: suffix.slice(0, end) };
}

/** Context windows of rule 3, in lines on each side. */
const WINDOWS = [8, 2];

/** Whether the target, in its context, parses at least as well as the proposal did there (rules above). */
export async function checkRefinementSyntax(language: string | null | undefined, input: RefinementSyntaxInput): Promise<SyntaxStatus> {
  const { prefix = "", suffix = "", proposal, target } = input;
  if (syntaxGrammar(language) === null) return "unchecked";
  // A plain accept introduces nothing: no parse needed (a large share of samples).
  if (proposal === target) return "ok";
  const window = topLevelWindow(prefix, suffix);
  if (window.prefix.length < prefix.length || window.suffix.length < suffix.length) {
    if ((await syntaxErrors(language, window.prefix + target + window.suffix))?.length === 0) return "ok";
  }
  return checkRefinementSyntaxInContext(language, input);
}

/** The rules above on the whole context, without the top-level window first. */
export async function checkRefinementSyntaxInContext(
  language: string | null | undefined,
  input: RefinementSyntaxInput,
): Promise<SyntaxStatus> {
  const { prefix = "", suffix = "", proposal, target } = input;
  if (syntaxGrammar(language) === null) return "unchecked";
  if (proposal === target) return "ok";
  const targetErrors = await syntaxErrors(language, prefix + target + suffix);
  if (targetErrors === null) return "unchecked";
  if (targetErrors.length === 0) return "ok";
  const proposalErrors = (await syntaxErrors(language, prefix + proposal + suffix)) ?? [];
  if (proposalErrors.length === 0) return "error";
  for (const lines of WINDOWS) {
    const before = lastLines(prefix, lines);
    const after = firstLines(suffix, lines);
    if (before.length === prefix.length && after.length === suffix.length) continue;
    if ((await syntaxErrors(language, before + proposal + after))?.length === 0) {
      return (await syntaxErrors(language, before + target + after))?.length === 0 ? "ok" : "error";
    }
  }
  const lengths = { prefix: prefix.length, proposal: proposal.length, target: target.length };
  return introducesErrors(proposalErrors, targetErrors, lengths) ? "error" : "ok";
}
