import { retainedChars } from "../refinements/measures";
import type { Rng } from "./rng";

// The code the demo's synthetic users complete and then refine: per language, a library of completions
// as the model proposed them and as the user left them a minute later, each in its context (the lines of
// the file before the cursor, and after it). Every kind of refinement the pipeline tells apart occurs:
// plain accepts, renames, added error handling, bug fixes, small rewrites, added types and docs, complete
// rewrites (noise), edits that break the syntax, and, rarely, a secret pasted in (redacted at ingestion).
//
// Templates have slots, filled per suggestion from small vocabularies so that the same completion in a
// different codebase is a different sample (the pipeline deduplicates on the context and the target):
//   $entity$ $Entity$ $entities$ $Entities$   a domain noun (order, Order, orders, Orders)
//   $module$                                  the package or module the code lives in
//   $n$                                       a small number (a limit, a timeout, a page size)

export type RefinementKind =
  "accept" | "rename" | "error_handling" | "bug_fix" | "rewrite" | "types" | "docs" | "noise" | "syntax_error" | "secret";

export interface TemplateSource {
  kind: RefinementKind;
  /** The file before the cursor (a few lines of the surrounding function or file). */
  prefix: string;
  /** What the model proposed at the cursor. */
  proposal: string;
  /** What the user left a minute later; absent for a plain accept (the proposal, unchanged). */
  final?: string;
  /** The file after the cursor. */
  suffix?: string;
}

/** One refinement as a user's editor reports it. */
export interface Refinement {
  kind: RefinementKind;
  prefix: string;
  proposal: string;
  final: string;
  suffix: string;
  /** Characters of the proposal still in the final (as the editor computes it). */
  retainedChars: number;
}

/** Lines of code, each ending with a newline. */
const code = (...lines: string[]) => lines.join("\n") + "\n";

// Fabricated credentials in the shapes real ones have, so redaction has something to find. None of them
// is, or was, a real secret; ingestion replaces them with [REDACTED:<rule>] markers before storage.
export const DEMO_SECRETS = {
  awsAccessKeyId: "AKIAW3DEMOQ7NKX4PZ2R",
  awsSecretAccessKey: "q8Zt3VwYk2Fh+Rm9XbLc7DnE5sJp0GuTa4WyHx1N",
  githubToken: "ghp_R7kXw2Lp9QzV4mNc8TbY3HsJ6dFg1aEu0KoD",
  slackToken: "xoxb-5820193746-7719203845561-Hq4Lr8ZcN2xV7pWk3TyB9mDs",
  databasePassword: "Tr0ub4dor-and-3",
  dotenvPassword: "Wint3r-is-c0ming-42",
} as const;

const S = DEMO_SECRETS;

export const TEMPLATES: Record<string, TemplateSource[]> = {
  python: [
    {
      kind: "accept",
      prefix: code(
        "from app.$module$.db import session",
        "from app.$module$.models import $Entity$",
        "",
        "",
        "def get_$entity$($entity$_id: int) -> $Entity$ | None:",
      ),
      proposal: code("    return session.get($Entity$, $entity$_id)"),
      suffix: code(
        "",
        "",
        "def list_$entities$(limit: int = $n$) -> list[$Entity$]:",
        "    return session.query($Entity$).limit(limit).all()",
      ),
    },
    {
      kind: "accept",
      prefix: code(
        "import logging",
        "",
        'logger = logging.getLogger("app.$module$")',
        "",
        "",
        "def archive_$entities$(repository, ids):",
        "    archived = 0",
      ),
      proposal: code(
        "    for $entity$_id in ids:",
        "        if repository.archive($entity$_id):",
        "            archived += 1",
        '    logger.info("archived %d $entities$", archived)',
        "    return archived",
      ),
      suffix: code("", "", "def purge_archived_$entities$(repository, days=$n$):", "    return repository.purge(older_than_days=days)"),
    },
    {
      kind: "accept",
      prefix: code(
        '"""Filters of the $module$ API\'s $entity$ listings."""',
        "",
        "from dataclasses import dataclass, field",
        "",
        "DEFAULT_PAGE_SIZE = $n$",
        "",
        "",
        "@dataclass",
        "class $Entity$Filter:",
      ),
      proposal: code(
        "    status: str | None = None",
        "    owner_id: int | None = None",
        "    tags: list[str] = field(default_factory=list)",
        "    page_size: int = DEFAULT_PAGE_SIZE",
      ),
      suffix: code("", "    def is_empty(self) -> bool:", "        return self.status is None and self.owner_id is None and not self.tags"),
    },
    {
      kind: "rename",
      prefix: code("import json", "", "RELOAD_MINUTES = $n$", "", "", "def load_$module$_settings(path):"),
      proposal: code("    with open(path) as f:", "        data = json.load(f)", "    return data"),
      final: code('    with open(path, encoding="utf-8") as f:', "        settings = json.load(f)", "    return settings"),
      suffix: code("", "", "def main():", '    settings = load_$module$_settings("$entities$.json")'),
    },
    {
      kind: "error_handling",
      prefix: code("import requests", "", 'API_URL = "https://api.example.com/$module$"', "", "", "def fetch_$entity$($entity$_id):"),
      proposal: code('    response = requests.get(f"{API_URL}/$entities$/{$entity$_id}")', "    return response.json()"),
      final: code(
        "    try:",
        '        response = requests.get(f"{API_URL}/$entities$/{$entity$_id}", timeout=$n$)',
        "        response.raise_for_status()",
        "    except requests.RequestException as exc:",
        "        raise $Entity$Unavailable($entity$_id) from exc",
        "    return response.json()",
      ),
      suffix: code("", "", "def fetch_$entities$(ids):", "    return [fetch_$entity$(i) for i in ids]"),
    },
    {
      kind: "bug_fix",
      prefix: code(
        "from app.$module$.models import $Entity$",
        "",
        "",
        "def paginate($entities$, page, per_page=$n$):",
        '    """One page of $entities$; pages start at 1."""',
      ),
      proposal: code("    start = page * per_page", "    return $entities$[start:start + per_page]"),
      final: code("    start = (page - 1) * per_page", "    return $entities$[start:start + per_page]"),
      suffix: code("", "", "def page_count(total, per_page=$n$):", "    return (total + per_page - 1) // per_page"),
    },
    {
      kind: "rewrite",
      prefix: code("from app.$module$.models import $Entity$", "", "", "def total_price($entities$):"),
      proposal: code("    total = 0", "    for i in range(len($entities$)):", "        total += $entities$[i].price", "    return total"),
      final: code(
        "    total = 0",
        "    for $entity$ in $entities$:",
        "        total += $entity$.price * $entity$.quantity",
        "    return total",
      ),
      suffix: code("", "", "def apply_discount(total, percent=$n$):", "    return total * (100 - percent) / 100"),
    },
    {
      kind: "types",
      prefix: code("from collections import defaultdict", "", "from app.$module$.models import $Entity$", "", ""),
      proposal: code(
        "def group_by_status($entities$):",
        "    groups = defaultdict(list)",
        "    for $entity$ in $entities$:",
        "        groups[$entity$.status].append($entity$)",
        "    return groups",
      ),
      final: code(
        "def group_by_status($entities$: list[$Entity$]) -> dict[str, list[$Entity$]]:",
        "    groups: dict[str, list[$Entity$]] = defaultdict(list)",
        "    for $entity$ in $entities$:",
        "        groups[$entity$.status].append($entity$)",
        "    return groups",
      ),
      suffix: code(
        "",
        "",
        "def largest_groups(groups, top=$n$):",
        "    return sorted(groups.items(), key=lambda kv: len(kv[1]), reverse=True)[:top]",
      ),
    },
    {
      kind: "docs",
      prefix: code("import hashlib", "", ""),
      proposal: code(
        "def fingerprint($entity$):",
        '    payload = f"{$entity$.id}:{$entity$.updated_at.isoformat()}"',
        "    return hashlib.sha256(payload.encode()).hexdigest()[:$n$]",
      ),
      final: code(
        "def fingerprint($entity$):",
        '    """A short, stable hash of the $entity$ and its last update, used as a cache key."""',
        '    payload = f"{$entity$.id}:{$entity$.updated_at.isoformat()}"',
        "    return hashlib.sha256(payload.encode()).hexdigest()[:$n$]",
      ),
      suffix: code("", "", "def cache_key($entity$):", '    return f"$module$:{fingerprint($entity$)}"'),
    },
    {
      kind: "noise",
      prefix: code("from app.$module$.utils import unique_by_email", "", "", "def dedupe_$entities$($entities$):"),
      proposal: code(
        "    seen = set()",
        "    result = []",
        "    for $entity$ in $entities$:",
        '        key = ($entity$.email or "").strip().lower()',
        "        if key and key not in seen:",
        "            seen.add(key)",
        "            result.append($entity$)",
        "    return result",
      ),
      final: code("    return unique_by_email($entities$)"),
      suffix: code("", "", "def recent_$entities$($entities$, days=$n$):", "    return [x for x in $entities$ if x.age_days <= days]"),
    },
    {
      kind: "syntax_error",
      prefix: code('"""Retry policy of the $module$ $entity$ sync."""', "", "", "def retry_delays(attempts=$n$):"),
      proposal: code(
        "    delays = []",
        "    for attempt in range(attempts):",
        "        delays.append(min(2 ** attempt, 60))",
        "    return delays",
      ),
      final: code("    delays = [min(2 ** attempt, 60) for attempt in range(attempts)", "    return delays"),
      suffix: code("", "", "def total_delay(attempts=$n$):", "    return sum(retry_delays(attempts))"),
    },
    {
      kind: "secret",
      prefix: code("import boto3", "", "", "def list_$module$_exports():"),
      proposal: code(
        '    s3 = boto3.client("s3")',
        '    return s3.list_objects_v2(Bucket="$module$-exports", Prefix="$entities$/", MaxKeys=$n$)',
      ),
      final: code(
        "    s3 = boto3.client(",
        '        "s3",',
        `        aws_access_key_id="${S.awsAccessKeyId}",`,
        `        aws_secret_access_key="${S.awsSecretAccessKey}",`,
        "    )",
        '    return s3.list_objects_v2(Bucket="$module$-exports", Prefix="$entities$/", MaxKeys=$n$)',
      ),
    },
    {
      kind: "secret",
      prefix: code("from pathlib import Path", "", "", "def write_local_env(root: Path) -> None:"),
      proposal: code(
        '    env = """\\',
        "DB_HOST=localhost",
        "DB_NAME=$entities$",
        "DB_USER=$module$_app",
        "DB_POOL_SIZE=$n$",
        '"""',
        '    (root / ".env").write_text(env)',
      ),
      final: code(
        '    env = """\\',
        "DB_HOST=localhost",
        "DB_NAME=$entities$",
        "DB_USER=$module$_app",
        `DB_PASSWORD=${S.dotenvPassword}`,
        "DB_POOL_SIZE=$n$",
        '"""',
        '    (root / ".env").write_text(env)',
      ),
    },
  ],
  typescript: [
    {
      kind: "accept",
      prefix: code(
        'import { db } from "@/lib/$module$/db";',
        'import type { $Entity$ } from "@/lib/$module$/types";',
        "",
        "export async function find$Entity$(id: string): Promise<$Entity$ | null> {",
      ),
      proposal: code("  return db.$entity$.findUnique({ where: { id } });"),
      suffix: code(
        "}",
        "",
        "export async function list$Entities$(take = $n$): Promise<$Entity$[]> {",
        '  return db.$entity$.findMany({ take, orderBy: { createdAt: "desc" } });',
        "}",
      ),
    },
    {
      kind: "accept",
      prefix: code(
        'import type { $Entity$ } from "@/lib/$module$/types";',
        "",
        "export function chunk<T>(items: T[], size = $n$): T[][] {",
      ),
      proposal: code(
        "  const chunks: T[][] = [];",
        "  for (let i = 0; i < items.length; i += size) {",
        "    chunks.push(items.slice(i, i + size));",
        "  }",
        "  return chunks;",
      ),
      suffix: code("}", "", "export const batches = ($entities$: $Entity$[]) => chunk($entities$);"),
    },
    {
      kind: "accept",
      prefix: code(
        'import { z } from "zod";',
        'import { idSchema } from "@/lib/$module$/ids";',
        "",
        "export const $entity$Schema = z.object({",
      ),
      proposal: code("  id: idSchema,", "  name: z.string().min(1).max($n$0),", "  createdAt: z.coerce.date(),"),
      suffix: code("});", "", "export type $Entity$ = z.infer<typeof $entity$Schema>;"),
    },
    {
      kind: "error_handling",
      prefix: code(
        'import type { $Entity$ } from "@/lib/$module$/types";',
        "",
        "export async function get$Entity$(id: string): Promise<$Entity$> {",
      ),
      proposal: code("  const res = await fetch(`/api/$module$/$entities$/${id}`);", "  return res.json();"),
      final: code(
        "  const res = await fetch(`/api/$module$/$entities$/${id}`);",
        "  if (!res.ok) throw new Error(`Failed to load $entity$ ${id}: ${res.status}`);",
        "  return (await res.json()) as $Entity$;",
      ),
      suffix: code("}", "", "export const $entity$PageSize = $n$;"),
    },
    {
      kind: "rename",
      prefix: code(
        'import type { $Entity$ } from "@/lib/$module$/types";',
        "",
        "export function countActive($entities$: $Entity$[]): number {",
      ),
      proposal: code("  const data = $entities$.filter((x) => x.active);", "  return data.length;"),
      final: code("  const active$Entities$ = $entities$.filter(($entity$) => $entity$.active);", "  return active$Entities$.length;"),
      suffix: code(
        "}",
        "",
        "export function hasMany($entities$: $Entity$[], threshold = $n$): boolean {",
        "  return countActive($entities$) >= threshold;",
        "}",
      ),
    },
    {
      kind: "bug_fix",
      prefix: code(
        'import { db } from "@/lib/$module$/db";',
        "",
        "export async function close$Entity$(id: string) {",
        "  const $entity$ = await db.$entity$.findUniqueOrThrow({ where: { id } });",
      ),
      proposal: code("  db.$entity$.update({ where: { id }, data: { closedAt: new Date() } });", "  return $entity$;"),
      final: code("  await db.$entity$.update({ where: { id }, data: { closedAt: new Date() } });", "  return $entity$;"),
      suffix: code("}", "", "export const STALE_AFTER_DAYS = $n$;"),
    },
    {
      kind: "bug_fix",
      prefix: code(
        'import { truncate } from "@/lib/$module$/text";',
        "",
        "export function displayName($entity$: { name?: string | null; email: string }): string {",
      ),
      proposal: code("  return $entity$.name.trim() || $entity$.email;"),
      final: code("  return $entity$.name?.trim() || $entity$.email;"),
      suffix: code(
        "}",
        "",
        "export const shortName = ($entity$: { name?: string | null; email: string }) => truncate(displayName($entity$), $n$);",
      ),
    },
    {
      kind: "types",
      prefix: code('import type { $Entity$ } from "@/lib/$module$/types";', ""),
      proposal: code(
        'export function sortByDate(items, direction = "desc") {',
        '  const sign = direction === "asc" ? 1 : -1;',
        "  return [...items].sort((a, b) => sign * (a.createdAt.getTime() - b.createdAt.getTime()));",
        "}",
      ),
      final: code(
        'export function sortByDate(items: $Entity$[], direction: "asc" | "desc" = "desc"): $Entity$[] {',
        '  const sign = direction === "asc" ? 1 : -1;',
        "  return [...items].sort((a, b) => sign * (a.createdAt.getTime() - b.createdAt.getTime()));",
        "}",
      ),
      suffix: code("", "export const latest = (items: $Entity$[]) => sortByDate(items).slice(0, $n$);"),
    },
    {
      kind: "docs",
      prefix: code('import { fetch$Entities$ } from "@/lib/$module$/client";', "", "const RETRY_LIMIT = $n$;", ""),
      proposal: code(
        "export async function withRetry<T>(fn: () => Promise<T>, attempts = RETRY_LIMIT): Promise<T> {",
        "  let lastError: unknown;",
        "  for (let i = 0; i < attempts; i++) {",
        "    try {",
        "      return await fn();",
        "    } catch (error) {",
        "      lastError = error;",
        "    }",
        "  }",
        "  throw lastError;",
        "}",
      ),
      final: code(
        "/** Calls `fn` until it resolves, at most `attempts` times; rethrows the last error. */",
        "export async function withRetry<T>(fn: () => Promise<T>, attempts = RETRY_LIMIT): Promise<T> {",
        "  let lastError: unknown;",
        "  for (let i = 0; i < attempts; i++) {",
        "    try {",
        "      return await fn();",
        "    } catch (error) {",
        "      lastError = error;",
        "    }",
        "  }",
        "  throw lastError;",
        "}",
      ),
      suffix: code("", "export const load$Entities$ = () => withRetry(fetch$Entities$);"),
    },
    {
      kind: "rewrite",
      prefix: code(
        'import type { $Entity$ } from "@/lib/$module$/types";',
        "",
        'export function formatPrice(cents: number, currency = "EUR") {',
      ),
      proposal: code('  return (cents / 100).toFixed(2) + " " + currency;'),
      final: code('  return new Intl.NumberFormat("en", { style: "currency", currency }).format(cents / 100);'),
      suffix: code(
        "}",
        "",
        "export const priceOf = ($entity$: $Entity$) => formatPrice($entity$.priceCents, $entity$.currency);",
        "export const MIN_ORDER_CENTS = $n$00;",
      ),
    },
    {
      kind: "noise",
      prefix: code(
        'import { countBy } from "@/lib/$module$/collections";',
        'import type { $Entity$ } from "@/lib/$module$/types";',
        "",
        "export function countByStatus($entities$: $Entity$[]): Record<string, number> {",
      ),
      proposal: code(
        "  const result: Record<string, number> = {};",
        "  for (const $entity$ of $entities$) {",
        "    result[$entity$.status] = (result[$entity$.status] ?? 0) + 1;",
        "  }",
        "  return result;",
      ),
      final: code('  return countBy($entities$, "status");'),
      suffix: code("}", "", "export const TOP_STATUSES = $n$;"),
    },
    {
      kind: "syntax_error",
      prefix: code(
        'import { addDays } from "@/lib/$module$/dates";',
        "",
        "export const GRACE_DAYS = $n$;",
        "",
        "export function isOverdue($entity$: { dueAt: Date; paidAt?: Date }, now = new Date()): boolean {",
      ),
      proposal: code("  return !$entity$.paidAt && addDays($entity$.dueAt, GRACE_DAYS) < now;"),
      final: code("  return (!$entity$.paidAt && addDays($entity$.dueAt, GRACE_DAYS) < now;"),
      suffix: code("}"),
    },
    {
      kind: "secret",
      prefix: code('import { Octokit } from "@octokit/rest";', ""),
      proposal: code("const octokit = new Octokit({ auth: process.env.GITHUB_TOKEN });"),
      final: code(`const octokit = new Octokit({ auth: "${S.githubToken}" });`),
      suffix: code("", 'export const repo = { owner: "acme", repo: "$module$-$entities$" };', "export const PER_PAGE = $n$;"),
    },
    {
      kind: "secret",
      prefix: code('import { WebClient } from "@slack/web-api";', "", "const MAX_MESSAGES_PER_MINUTE = $n$;"),
      proposal: code("const slack = new WebClient(process.env.SLACK_BOT_TOKEN);"),
      final: code(`const slack = new WebClient("${S.slackToken}");`),
      suffix: code(
        "",
        "export async function announce(text: string) {",
        '  await slack.chat.postMessage({ channel: "#$module$-$entities$", text });',
        "}",
      ),
    },
  ],
  go: [
    {
      kind: "accept",
      prefix: code("package $module$", "", 'import "context"', "", "func (s *$Entity$Store) Count(ctx context.Context) (int, error) {"),
      proposal: code("\tvar n int", '\terr := s.db.QueryRowContext(ctx, "SELECT count(*) FROM $entities$").Scan(&n)', "\treturn n, err"),
      suffix: code("}", "", "const $entity$PageSize = $n$"),
    },
    {
      kind: "accept",
      prefix: code("package $module$", "", 'import "github.com/go-chi/chi/v5"', "", "func (h *$Entity$Handler) Routes(r chi.Router) {"),
      proposal: code('\tr.Get("/$entities$", h.list)', '\tr.Post("/$entities$", h.create)', '\tr.Get("/$entities$/{id}", h.get)'),
      suffix: code("}", "", "const maxPageSize = $n$"),
    },
    {
      kind: "error_handling",
      prefix: code(
        "package $module$",
        "",
        "// LoadConfig reads the $entity$ service's settings (reloaded every $n$ minutes).",
        "func LoadConfig(path string) (*Config, error) {",
        "\tbuf, err := os.ReadFile(path)",
      ),
      proposal: code("\tif err != nil {", "\t\treturn nil, err", "\t}"),
      final: code("\tif err != nil {", '\t\treturn nil, fmt.Errorf("read $module$ config %s: %w", path, err)', "\t}"),
      suffix: code("\tvar cfg Config", "\treturn &cfg, json.Unmarshal(buf, &cfg)", "}"),
    },
    {
      kind: "error_handling",
      prefix: code("package $module$", "", "func (s *$Entity$Store) Delete(ctx context.Context, id int64) error {"),
      proposal: code('\t_, err := s.db.ExecContext(ctx, "DELETE FROM $entities$ WHERE id = $1", id)', "\treturn err"),
      final: code(
        '\t_, err := s.db.ExecContext(ctx, "DELETE FROM $entities$ WHERE id = $1", id)',
        "\tif err != nil {",
        '\t\treturn fmt.Errorf("delete $entity$ %d: %w", id, err)',
        "\t}",
        "\treturn nil",
      ),
      suffix: code("}", "", "const deleteBatch = $n$"),
    },
    {
      kind: "bug_fix",
      prefix: code(
        "package $module$",
        "",
        "// CountLines counts the lines of a $entity$ export (at most $n$ MB).",
        "func CountLines(path string) (int, error) {",
      ),
      proposal: code("\tf, err := os.Open(path)", "\tif err != nil {", "\t\treturn 0, err", "\t}", "\tscanner := bufio.NewScanner(f)"),
      final: code(
        "\tf, err := os.Open(path)",
        "\tif err != nil {",
        "\t\treturn 0, err",
        "\t}",
        "\tdefer f.Close()",
        "\tscanner := bufio.NewScanner(f)",
      ),
      suffix: code("\tn := 0", "\tfor scanner.Scan() {", "\t\tn++", "\t}", "\treturn n, scanner.Err()", "}"),
    },
    {
      kind: "bug_fix",
      prefix: code(
        "package $module$",
        "",
        "// Last returns the n most recent $entities$.",
        "func Last($entities$ []$Entity$, n int) []$Entity$ {",
        "\tif n > len($entities$) {",
        "\t\tn = len($entities$)",
        "\t}",
      ),
      proposal: code("\treturn $entities$[len($entities$)-n-1:]"),
      final: code("\treturn $entities$[len($entities$)-n:]"),
      suffix: code("}", "", "const recentCount = $n$"),
    },
    {
      kind: "rename",
      prefix: code("package $module$", "", "func Total$Entities$(items []$Entity$) float64 {"),
      proposal: code("\tt := 0.0", "\tfor _, x := range items {", "\t\tt += x.Amount", "\t}", "\treturn t"),
      final: code("\ttotal := 0.0", "\tfor _, $entity$ := range items {", "\t\ttotal += $entity$.Amount", "\t}", "\treturn total"),
      suffix: code("}", "", "const minTotal = $n$.0"),
    },
    {
      kind: "docs",
      prefix: code("package $module$", "", 'import "time"', ""),
      proposal: code(
        "func Backoff(attempt int) time.Duration {",
        "\td := time.Duration(1<<attempt) * 100 * time.Millisecond",
        "\tif d > $n$*time.Second {",
        "\t\treturn $n$ * time.Second",
        "\t}",
        "\treturn d",
        "}",
      ),
      final: code(
        "// Backoff is the delay before retry number attempt: doubling from 100 ms, at most $n$ s.",
        "func Backoff(attempt int) time.Duration {",
        "\td := time.Duration(1<<attempt) * 100 * time.Millisecond",
        "\tif d > $n$*time.Second {",
        "\t\treturn $n$ * time.Second",
        "\t}",
        "\treturn d",
        "}",
      ),
      suffix: code("", "func wait$Entity$Sync(attempt int) { time.Sleep(Backoff(attempt)) }"),
    },
    {
      kind: "noise",
      prefix: code("package $module$", "", 'import "slices"', "", "func Has$Entity$(ids []int64, id int64) bool {"),
      proposal: code("\tfor _, v := range ids {", "\t\tif v == id {", "\t\t\treturn true", "\t\t}", "\t}", "\treturn false"),
      final: code("\treturn slices.Contains(ids, id)"),
      suffix: code("}", "", "const maxIDs = $n$"),
    },
    {
      kind: "syntax_error",
      prefix: code(
        "package $module$",
        "",
        "func (h *$Entity$Handler) get(w http.ResponseWriter, r *http.Request) {",
        '\tid := chi.URLParam(r, "id")',
      ),
      proposal: code(
        "\t$entity$, err := h.store.Get(r.Context(), id)",
        "\tif err != nil {",
        "\t\thttp.Error(w, err.Error(), http.StatusNotFound)",
        "\t\treturn",
        "\t}",
        "\tjson.NewEncoder(w).Encode($entity$)",
      ),
      final: code(
        "\t$entity$, err := h.store.Get(r.Context(), id)",
        "\tif err != nil {",
        "\t\thttp.Error(w, err.Error(), http.StatusNotFound)",
        "\t\treturn",
        "\tjson.NewEncoder(w).Encode($entity$)",
      ),
      suffix: code("}", "", "const defaultLimit = $n$"),
    },
    {
      kind: "secret",
      prefix: code(
        "package $module$",
        "",
        "import (",
        '\t"database/sql"',
        "",
        '\t_ "github.com/lib/pq"',
        ")",
        "",
        "const maxOpenConns = $n$",
        "",
        "// Open connects to the $entities$ database.",
        "func Open() (*sql.DB, error) {",
      ),
      proposal: code('\treturn sql.Open("postgres", os.Getenv("DATABASE_URL"))'),
      final: code(
        `\treturn sql.Open("postgres", "postgres://$module$_app:${S.databasePassword}@db.internal:5432/$entities$?sslmode=disable")`,
      ),
      suffix: code("}"),
    },
  ],
  java: [
    {
      kind: "accept",
      prefix: code(
        "package com.acme.$module$;",
        "",
        "public class $Entity$Service {",
        "    private static final int DEFAULT_LIMIT = $n$;",
        "    private final $Entity$Repository repository;",
        "",
        "    public List<$Entity$> findRecent(int limit) {",
      ),
      proposal: code(
        "        return repository.findAll().stream()",
        "                .sorted(Comparator.comparing($Entity$::getCreatedAt).reversed())",
        "                .limit(limit)",
        "                .collect(Collectors.toList());",
      ),
      suffix: code("    }", "}"),
    },
    {
      kind: "accept",
      prefix: code(
        "package com.acme.$module$;",
        "",
        "public class $Entity$Service {",
        "    private static final Duration TIMEOUT = Duration.ofSeconds($n$);",
        "    private final $Entity$Repository repository;",
        "    private final Clock clock;",
        "",
      ),
      proposal: code(
        "    public $Entity$Service($Entity$Repository repository, Clock clock) {",
        "        this.repository = repository;",
        "        this.clock = clock;",
        "    }",
      ),
      suffix: code("}"),
    },
    {
      kind: "rename",
      prefix: code(
        "package com.acme.$module$;",
        "",
        "public class $Entity$Report {",
        "    private static final int LIMIT = $n$;",
        "",
        "    public List<String> activeNames(List<$Entity$> $entities$) {",
      ),
      proposal: code(
        "        List<String> result = new ArrayList<>();",
        "        for ($Entity$ e : $entities$) {",
        "            result.add(e.getName());",
        "        }",
        "        return result;",
      ),
      final: code(
        "        List<String> names = new ArrayList<>();",
        "        for ($Entity$ $entity$ : $entities$) {",
        "            if ($entity$.isActive()) {",
        "                names.add($entity$.getName());",
        "            }",
        "        }",
        "        return names;",
      ),
      suffix: code("    }", "}"),
    },
    {
      kind: "error_handling",
      prefix: code(
        "package com.acme.$module$;",
        "",
        "public class $Entity$Service {",
        "    private static final Duration CACHE_TTL = Duration.ofMinutes($n$);",
        "",
        "    public $Entity$ find$Entity$(long id) {",
      ),
      proposal: code("        $Entity$ $entity$ = repository.findById(id);", "        return $entity$;"),
      final: code("        return repository.findById(id)", '                .orElseThrow(() -> new NotFoundException("$entity$ " + id));'),
      suffix: code("    }", "}"),
    },
    {
      kind: "error_handling",
      prefix: code(
        "package com.acme.$module$;",
        "",
        "public class $Entity$Templates {",
        "    private static final int MAX_TEMPLATE_KB = $n$;",
        "",
        "    public String render(Path path, Map<String, Object> model) {",
      ),
      proposal: code("        String template = Files.readString(path);", "        return engine.render(template, model);"),
      final: code(
        "        try {",
        "            String template = Files.readString(path);",
        "            return engine.render(template, model);",
        "        } catch (IOException e) {",
        '            throw new UncheckedIOException("cannot read " + path, e);',
        "        }",
      ),
      suffix: code("    }", "}"),
    },
    {
      kind: "bug_fix",
      prefix: code(
        "package com.acme.$module$;",
        "",
        "public class $Entity$Access {",
        "    private static final int MAX_SHARED_OWNERS = $n$;",
        "",
        "    public boolean isOwner($Entity$ $entity$, User user) {",
      ),
      proposal: code("        return $entity$.getOwnerId() == user.getId();"),
      final: code("        return Objects.equals($entity$.getOwnerId(), user.getId());"),
      suffix: code("    }", "}"),
    },
    {
      kind: "types",
      prefix: code(
        "package com.acme.$module$;",
        "",
        "public class $Entity$Export {",
        "    private static final int BATCH_SIZE = $n$;",
        "",
        "    public List<$Entity$> pending(List<$Entity$> $entities$) {",
      ),
      proposal: code(
        "        List result = new ArrayList();",
        "        for ($Entity$ $entity$ : $entities$) {",
        "            if ($entity$.isPending()) result.add($entity$);",
        "        }",
        "        return result;",
      ),
      final: code(
        "        List<$Entity$> result = new ArrayList<>();",
        "        for ($Entity$ $entity$ : $entities$) {",
        "            if ($entity$.isPending()) result.add($entity$);",
        "        }",
        "        return result;",
      ),
      suffix: code("    }", "}"),
    },
    {
      kind: "docs",
      prefix: code(
        "package com.acme.$module$;",
        "",
        "public class $Entity$Service {",
        "    private static final int MAX_PAGE_SIZE = $n$;",
        "",
      ),
      proposal: code(
        "    public Page<$Entity$> page(int number, int size) {",
        "        int bounded = Math.min(size, MAX_PAGE_SIZE);",
        "        return repository.findAll(PageRequest.of(number, bounded));",
        "    }",
      ),
      final: code(
        "    /** One page of $entities$; the page size is capped at {@link #MAX_PAGE_SIZE}. */",
        "    public Page<$Entity$> page(int number, int size) {",
        "        int bounded = Math.min(size, MAX_PAGE_SIZE);",
        "        return repository.findAll(PageRequest.of(number, bounded));",
        "    }",
      ),
      suffix: code("}"),
    },
    {
      kind: "noise",
      prefix: code(
        "package com.acme.$module$;",
        "",
        "public class $Entity$Stats {",
        "    private static final int TOP = $n$;",
        "",
        "    public Map<String, List<$Entity$>> byStatus(List<$Entity$> $entities$) {",
      ),
      proposal: code(
        "        Map<String, List<$Entity$>> byStatus = new HashMap<>();",
        "        for ($Entity$ $entity$ : $entities$) {",
        "            byStatus.computeIfAbsent($entity$.getStatus(), k -> new ArrayList<>()).add($entity$);",
        "        }",
        "        return byStatus;",
      ),
      final: code("        return index.group($entities$);"),
      suffix: code("    }", "}"),
    },
    {
      kind: "syntax_error",
      prefix: code(
        "package com.acme.$module$;",
        "",
        "public class $Entity$Service {",
        "    private static final int CACHE_SECONDS = $n$;",
        "",
        "    public long countByStatus(String status) {",
      ),
      proposal: code("        return repository.countByStatus(status);"),
      final: code("        return repository.countByStatus(status.toUpperCase();"),
      suffix: code("    }", "}"),
    },
    {
      kind: "secret",
      prefix: code(
        "package com.acme.$module$;",
        "",
        "public class $Entity$Notifier {",
        "    private static final Slack SLACK = Slack.getInstance();",
        "    private static final int RETRIES = $n$;",
        "",
        "    public void notifyChannel(String text) throws Exception {",
      ),
      proposal: code(
        '        String token = System.getenv("SLACK_BOT_TOKEN");',
        '        SLACK.methods(token).chatPostMessage(r -> r.channel("#$module$").text(text));',
      ),
      final: code(
        `        String token = "${S.slackToken}";`,
        '        SLACK.methods(token).chatPostMessage(r -> r.channel("#$module$").text(text));',
      ),
      suffix: code("    }", "}"),
    },
  ],
  rust: [
    {
      kind: "accept",
      prefix: code(
        "use std::collections::HashMap;",
        "",
        "use crate::$module$::$Entity$;",
        "",
        "pub fn index_by_id($entities$: Vec<$Entity$>) -> HashMap<u64, $Entity$> {",
      ),
      proposal: code("    $entities$.into_iter().map(|$entity$| ($entity$.id, $entity$)).collect()"),
      suffix: code("}", "", "pub const BATCH_SIZE: usize = $n$;"),
    },
    {
      kind: "accept",
      prefix: code(
        "//! Identifiers of the $module$ service.",
        "",
        "#[derive(Debug, Clone, Copy, PartialEq, Eq)]",
        "pub struct $Entity$Id(u64);",
        "",
        "impl std::fmt::Display for $Entity$Id {",
      ),
      proposal: code(
        "    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {",
        '        write!(f, "$entity$-{}", self.0)',
        "    }",
      ),
      suffix: code("}", "", "pub const ID_CACHE_SIZE: usize = $n$;"),
    },
    {
      kind: "error_handling",
      prefix: code(
        "use std::{fs, path::Path};",
        "",
        "use crate::$module$::{$Entity$Config as Config, Error};",
        "",
        "pub fn read_config(path: &Path) -> Result<Config, Error> {",
      ),
      proposal: code(
        "    let text = fs::read_to_string(path).unwrap();",
        "    let config = toml::from_str(&text).unwrap();",
        "    Ok(config)",
      ),
      final: code("    let text = fs::read_to_string(path)?;", "    let config = toml::from_str(&text)?;", "    Ok(config)"),
      suffix: code("}", "", "pub const RELOAD_SECONDS: u64 = $n$;"),
    },
    {
      kind: "error_handling",
      prefix: code(
        "//! Settings of the $module$ $entity$ worker.",
        "",
        "use anyhow::{Context, Result};",
        "",
        "pub fn parse_port(value: &str) -> Result<u16> {",
      ),
      proposal: code("    let port = value.parse::<u16>().unwrap();", "    Ok(port)"),
      final: code('    let port = value.parse::<u16>().with_context(|| format!("invalid port: {value}"))?;', "    Ok(port)"),
      suffix: code("}", "", "pub const DEFAULT_WORKERS: usize = $n$;"),
    },
    {
      kind: "bug_fix",
      prefix: code("use crate::$module$::$Entity$;", "", "pub fn mean_amount($entities$: &[$Entity$]) -> f64 {"),
      proposal: code("    let s: f64 = $entities$.iter().map(|e| e.amount).sum();", "    s / $entities$.len() as f64"),
      final: code(
        "    if $entities$.is_empty() {",
        "        return 0.0;",
        "    }",
        "    let sum: f64 = $entities$.iter().map(|e| e.amount).sum();",
        "    sum / $entities$.len() as f64",
      ),
      suffix: code("}", "", "pub const MIN_SAMPLE: usize = $n$;"),
    },
    {
      kind: "rename",
      prefix: code("use crate::$module$::$Entity$;", "", "pub fn active_$entities$(all: &[$Entity$]) -> Vec<&$Entity$> {"),
      proposal: code("    let v: Vec<&$Entity$> = all.iter().filter(|x| x.active).collect();", "    v"),
      final: code("    let active: Vec<&$Entity$> = all.iter().filter(|$entity$| $entity$.active).collect();", "    active"),
      suffix: code("}", "", "pub const MAX_ACTIVE: usize = $n$;"),
    },
    {
      kind: "types",
      prefix: code("use crate::$module$::$Entity$;", "", "pub fn names($entities$: &[$Entity$]) -> String {"),
      proposal: code("    let names = $entities$.iter().map(|e| e.name.clone()).collect();", '    names.join(", ")'),
      final: code("    let names: Vec<String> = $entities$.iter().map(|e| e.name.clone()).collect();", '    names.join(", ")'),
      suffix: code("}", "", "pub const MAX_NAMES: usize = $n$;"),
    },
    {
      kind: "docs",
      prefix: code("//! Retries of the $module$ sync.", "", "use std::time::Duration;", ""),
      proposal: code(
        "pub fn backoff(attempt: u32) -> Duration {",
        "    let millis = 100u64.saturating_mul(1 << attempt.min(10));",
        "    Duration::from_millis(millis.min($n$_000))",
        "}",
      ),
      final: code(
        "/// Delay before retry number `attempt`: doubling from 100 ms, at most $n$ s.",
        "pub fn backoff(attempt: u32) -> Duration {",
        "    let millis = 100u64.saturating_mul(1 << attempt.min(10));",
        "    Duration::from_millis(millis.min($n$_000))",
        "}",
      ),
      suffix: code("", "pub async fn retry_$entity$_sync(attempt: u32) {", "    tokio::time::sleep(backoff(attempt)).await;", "}"),
    },
    {
      kind: "noise",
      prefix: code("use crate::$module$::{stats, $Entity$};", "", "pub fn count_active($entities$: &[$Entity$]) -> usize {"),
      proposal: code(
        "    let mut count = 0;",
        "    for $entity$ in $entities$ {",
        "        if $entity$.active {",
        "            count += 1;",
        "        }",
        "    }",
        "    count",
      ),
      final: code("    stats::active($entities$)"),
      suffix: code("}", "", "pub const REPORT_EVERY: usize = $n$;"),
    },
    {
      kind: "syntax_error",
      prefix: code("use crate::$module$::$Entity$;", "", "pub fn total($entities$: &[$Entity$]) -> u64 {"),
      proposal: code("    let total: u64 = $entities$.iter().map(|e| e.amount).sum();", "    total"),
      final: code("    let total: u64 = $entities$.iter().map(|e| e.amount.sum();", "    total"),
      suffix: code("}", "", "pub const MAX_ITEMS: usize = $n$;"),
    },
    {
      kind: "secret",
      prefix: code("use sqlx::postgres::{PgPool, PgPoolOptions};", "", "pub async fn connect() -> Result<PgPool, sqlx::Error> {"),
      proposal: code(
        '    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");',
        "    PgPoolOptions::new().max_connections($n$).connect(&url).await",
      ),
      final: code(
        "    PgPoolOptions::new()",
        "        .max_connections($n$)",
        `        .connect("postgres://$module$:${S.databasePassword}@localhost:5432/$entities$")`,
        "        .await",
      ),
      suffix: code("}"),
    },
  ],
};

/**
 * How often each kind of refinement follows an accepted completion, per model. The refinement-trained
 * model's completions need fewer edits: more are kept as they are, fewer are rewritten or fixed. Within
 * a language, a kind's weight is shared by its templates (kinds a language lacks drop out).
 */
export const EDIT_MIX = {
  production: {
    accept: 0.3,
    rename: 0.12,
    error_handling: 0.13,
    bug_fix: 0.1,
    rewrite: 0.08,
    types: 0.08,
    docs: 0.08,
    noise: 0.05,
    syntax_error: 0.045,
    secret: 0.015,
  },
  refined: {
    accept: 0.43,
    rename: 0.11,
    error_handling: 0.1,
    bug_fix: 0.07,
    rewrite: 0.07,
    types: 0.07,
    docs: 0.07,
    noise: 0.03,
    syntax_error: 0.035,
    secret: 0.015,
  },
} as const satisfies Record<string, Record<RefinementKind, number>>;

export type EditMix = keyof typeof EDIT_MIX;

const ENTITIES = [
  ["user", "users"],
  ["order", "orders"],
  ["invoice", "invoices"],
  ["project", "projects"],
  ["account", "accounts"],
  ["customer", "customers"],
  ["product", "products"],
  ["ticket", "tickets"],
  ["payment", "payments"],
  ["report", "reports"],
  ["shipment", "shipments"],
  ["subscription", "subscriptions"],
  ["device", "devices"],
  ["article", "articles"],
  ["team", "teams"],
  ["booking", "bookings"],
  ["member", "members"],
  ["vendor", "vendors"],
  ["campaign", "campaigns"],
  ["document", "documents"],
] as const;
const MODULES = [
  "billing",
  "accounts",
  "catalog",
  "inventory",
  "orders",
  "reporting",
  "support",
  "shipping",
  "notifications",
  "analytics",
  "payments",
  "identity",
];
const NUMBERS = [5, 10, 15, 20, 25, 30, 50, 60];

const capitalize = (word: string) => word[0].toUpperCase() + word.slice(1);
const SLOT = /\$(entity|Entity|entities|Entities|module|n)\$/g;

/** A template's text with its slots filled. */
export function fillSlots(text: string, slots: { entity: number; module: number; n: number }): string {
  const [singular, plural] = ENTITIES[slots.entity];
  const values: Record<string, string> = {
    entity: singular,
    Entity: capitalize(singular),
    entities: plural,
    Entities: capitalize(plural),
    module: MODULES[slots.module],
    n: String(NUMBERS[slots.n]),
  };
  return text.replace(SLOT, (_, name: string) => values[name]);
}

/** Each language's templates with their weights, per edit mix. */
const WEIGHTED = new Map<string, (readonly [TemplateSource, number])[]>();
function weighted(language: string, mix: EditMix): (readonly [TemplateSource, number])[] {
  const key = `${mix}:${language}`;
  let list = WEIGHTED.get(key);
  if (!list) {
    const templates = TEMPLATES[language] ?? [];
    const perKind = new Map<RefinementKind, number>();
    for (const t of templates) perKind.set(t.kind, (perKind.get(t.kind) ?? 0) + 1);
    list = templates.map((t) => [t, EDIT_MIX[mix][t.kind] / perKind.get(t.kind)!] as const);
    WEIGHTED.set(key, list);
  }
  return list;
}

/**
 * A refinement in the user's language, its kind drawn from the model's edit mix and its slots from the
 * vocabularies. Always draws four numbers from the generator, so a seed gives the same refinements.
 */
export function pickRefinement(rng: Rng, language: string, mix: EditMix): Refinement {
  const template = rng.pick(weighted(language, mix));
  const slots = { entity: rng.int(0, ENTITIES.length - 1), module: rng.int(0, MODULES.length - 1), n: rng.int(0, NUMBERS.length - 1) };
  const proposal = fillSlots(template.proposal, slots);
  const final = template.final === undefined ? proposal : fillSlots(template.final, slots);
  return {
    kind: template.kind,
    prefix: fillSlots(template.prefix, slots),
    proposal,
    final,
    suffix: fillSlots(template.suffix ?? "", slots),
    retainedChars: retainedChars(proposal, final).retainedChars,
  };
}
