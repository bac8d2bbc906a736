/**
 * Secret redaction for code samples (refinement proposals, finals and their context), applied before
 * anything is stored or shown. Pure, synchronous and deterministic.
 *
 * Detection follows secretlint's recommended preset (`@secretlint/secretlint-rule-preset-recommend`):
 * its token formats are ported here as patterns, each crediting the secretlint rule it comes from.
 * secretlint itself is not called, for three reasons: `lintSource` of `@secretlint/core` is async (a
 * Promise per text) while the ingestion path calls `redactSecrets` synchronously; it costs about 90 µs per
 * 200-character text without a secret and 180 µs with one (13.0.7, measured on this project's 2-core
 * machines), against a budget of ~20 µs per refined event; and the preset requires Node 22 where Echo
 * supports Node 20.19. The ported detector costs about 11 µs per typical ~200-character refined event
 * without a secret and 15 µs on a mix where one event in four has some (`redactRefinement`, same machine).
 *
 * On top of the preset, our own rules cover what it does not: unquoted `.env` lines (`DB_PASSWORD=hunter2`),
 * YAML/INI/TOML/properties values (`password: hunter2`, `aws_secret_access_key = …`), quoted assignments
 * (`password = "…"`), ADO-style connection strings (`…;Password=…;`), any `scheme://user:password@host`
 * URL including passwords that contain `@` (the password runs to the last `@` of the authority), PGP
 * private key blocks, and private keys cut off by the edge of a field (a BEGIN without END, or an END
 * without BEGIN). `redactRefinement` detects over the fields joined as the editor had them, so a secret
 * split between `prefix`, the completion and `suffix` is found as one.
 *
 * Method: every rule is a global regular expression (optionally with a capture group naming the secret
 * inside a larger match, e.g. the value of `password = "…"`, and an `accept` check on it). All matches of
 * all rules are collected on the original text, overlapping spans are merged (the merged span takes the
 * name of the earliest rule in `REDACTION_RULES` among them), and each span becomes `[REDACTED:<rule>]`.
 * Rules with `hints` run only when the lower-cased text contains one of them (a cheap pre-filter: one scan
 * of the text finds every hint of every rule).
 */

export interface RedactionRule {
  name: string;
  /** A global pattern. With `group`, the rule is compiled again with the `d` flag to find the group's range. */
  pattern: RegExp;
  /** Group to replace (0 = whole match); the rest of the match (e.g. the variable name) is kept. */
  group?: number;
  /** Lower-case substrings, one of which every match contains: the rule is skipped when none is in the text. */
  hints?: readonly string[];
  /** Last word on a candidate: the secret (the group's text) and the whole match. */
  accept?: (secret: string, match: RegExpExecArray) => boolean;
}

/** One detected secret: `[start, end)` in the scanned text and the rule that names it. */
export interface SecretSpan {
  rule: string;
  start: number;
  end: number;
}

// ---------------------------------------------------------------------------------------------------
// Key names and values of assignments
// ---------------------------------------------------------------------------------------------------

/** Last words (or last two words joined) of a key that holds a secret. */
const SECRET_KEY_WORDS = new Set([
  "password",
  "passwd",
  "passphrase",
  "pwd",
  "pass",
  "secret",
  "secrets",
  "token",
  "credential",
  "credentials",
  "apikey",
  "privatekey",
  "accesskey",
  "secretkey",
  "signingkey",
  "encryptionkey",
  "masterkey",
  "sessionkey",
  "authkey",
]);
/** Words that may follow the secret word without changing what the key holds (`SECRET_KEY_BASE`, `password_b64`). */
const KEY_QUALIFIERS = new Set(["value", "base", "b64", "base64", "raw", "plain", "str", "string", "text", "data", "hex"]);
/** Words before `token` that make it a tokenizer or paging term, not a credential (`max_token`, `eos_token`). */
const NON_SECRET_TOKEN_KINDS = new Set([
  "max",
  "min",
  "num",
  "eos",
  "bos",
  "pad",
  "unk",
  "sep",
  "cls",
  "mask",
  "special",
  "start",
  "end",
  "stop",
  "next",
  "prev",
  "page",
  "cancel",
  "cancellation",
]);

const MAY_NAME_SECRET = /pass|pwd|secret|token|key|credential/i;

/** The words of an identifier: snake_case, kebab-case, dotted and camelCase (`dbPassword`, `APIKey`) alike. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Whether a key names a secret: its last word (after dropping qualifiers such as `base` or `b64`), or its
 * last two words joined, is a secret word (`DB_PASSWORD`, `apiKey`, `aws_secret_access_key`,
 * `SECRET_KEY_BASE`), or its last word ends with one (`dbpassword`). `password_hint`, `token_count` and
 * `max_token` are not secrets.
 */
export function isSecretKey(key: string): boolean {
  if (!MAY_NAME_SECRET.test(key)) return false;
  const words = keyWords(key);
  while (words.length > 1 && KEY_QUALIFIERS.has(words[words.length - 1])) words.pop();
  const last = words[words.length - 1];
  if (!last) return false;
  const before = words.length > 1 ? words[words.length - 2] : "";
  if (last === "token" && NON_SECRET_TOKEN_KINDS.has(before)) return false;
  return (
    SECRET_KEY_WORDS.has(last) || SECRET_KEY_WORDS.has(before + last) || /(?:password|passwd|passphrase|secret|token|apikey)$/.test(last)
  );
}

const anchored = (source: string) => new RegExp(`^(?:${source})$`);
/** `${VAR}`, `$(cmd)`, `$VAR`, `{{ template }}`, `<angle>`, `%(name)s`, a marker, `****`/`xxxx`, `env.X`, `os.environ…`. */
const PLACEHOLDER = anchored(
  [
    /\$\{[^}]*\}|\$\(.*\)|\$[A-Za-z_]\w*/.source,
    /\{\{.*\}\}|<[^>]*>|%\(?\w*\)?s/.source,
    /\[REDACTED:[^\]]*\]|[*xX.•_-]+/.source,
    /(?:process\.)?env\..*|os\.environ.*/.source,
  ]
    .map((source) => `(?:${source})`)
    .join("|"),
);
const NON_SECRET_VALUES = new Set([
  "null",
  "none",
  "nil",
  "true",
  "false",
  "undefined",
  "yes",
  "no",
  "on",
  "off",
  "~",
  "string",
  "str",
  "number",
  "int",
  "integer",
  "bool",
  "boolean",
  "bytes",
  "any",
  "unknown",
  "object",
  "required",
  "optional",
  "redacted",
]);

/** A value that stands for a secret rather than being one: `${DB_PASSWORD}`, `{{ vault }}`, `<your-key>`, `****`, a marker. */
export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value) || NON_SECRET_VALUES.has(value.toLowerCase());
}

/**
 * A value that is a variable named after a secret, as in `password = new_password` or `token = token`:
 * an identifier made of several words (`new_password`, `newPassword`) that names a secret, or the key's
 * own secret word. A one-word value such as `mysecret` or `hunter2` is a literal.
 */
function isSecretVariable(value: string, key: string): boolean {
  if (!/^[A-Za-z_$][\w$]*$/.test(value)) return false;
  const words = keyWords(value);
  if (words.length > 1) return isSecretKey(value);
  const keyLast = keyWords(key).pop();
  return words[0] === keyLast;
}

/** An unquoted value that reads as code, not as a literal: a call, an index, a member path, an expression. */
function looksLikeCode(value: string): boolean {
  return (
    /[()[\]{};]|,$|\s=\s|=>|\s(?:\+|\?|\|\||&&|or|and|if|else)\s/.test(value) || /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value)
  );
}

const namedKey = (match: RegExpExecArray) => isSecretKey(match[1] ?? "");
const notPlaceholder = (secret: string) => !isPlaceholder(secret);
/** `KEY=value` lines: no spaces around `=`, so code is rare; still skip `fn(password=password,`. */
const dotenvValue = (secret: string, match: RegExpExecArray) =>
  secret.length >= 3 &&
  namedKey(match) &&
  !isPlaceholder(secret) &&
  !/[,;]$/.test(secret) &&
  !/^[\w.$]+\(.*\)$/.test(secret) &&
  !isSecretVariable(secret, match[1]);
/** `key: value` / `key = value` lines, which code also writes: skip values that read as code. */
const configValue = (secret: string, match: RegExpExecArray) =>
  secret.length >= 3 && namedKey(match) && !isPlaceholder(secret) && !looksLikeCode(secret) && !isSecretVariable(secret, match[1]);

// ---------------------------------------------------------------------------------------------------
// Rules, most specific first (the first rule of overlapping matches names the merged span)
// ---------------------------------------------------------------------------------------------------

const KEY_TYPE = "(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?";
/** An identifier with a secret word in it (case-insensitive in the rules); `isSecretKey` then decides. */
const SECRET_KEY = "(?:[A-Za-z_][\\w.-]*?)?(?:pass|pwd|secret|token|key|credential)[\\w.-]*";

const SECRET_KEY_HINTS = ["pass", "pwd", "secret", "token", "key", "credential"] as const;
const PASSWORD_HINTS = ["password", "pwd"] as const;

export const REDACTION_RULES: readonly RedactionRule[] = [
  // secretlint-rule-privatekey (RSA, DSA, EC, OPENSSH, PGP … BLOCK, ENCRYPTED), also inside string literals
  // with `\n` escapes. A block whose END lies beyond the text runs to the end of the text.
  {
    name: "private_key",
    pattern: new RegExp(`-----BEGIN ${KEY_TYPE}-----[\\s\\S]*?(?:-----END ${KEY_TYPE}-----|$)`, "g"),
    hints: ["private key"],
  },
  // The tail of a key whose BEGIN lies before the text: the key-body lines right before its END.
  {
    name: "private_key",
    pattern: new RegExp(`(?:[ \\t]*[A-Za-z0-9+/=]+[ \\t]*(?:\\r?\\n|\\\\n))*[ \\t]*[A-Za-z0-9+/=]*-----END ${KEY_TYPE}-----`, "g"),
    hints: ["-----end"],
  },
  // secretlint-rule-aws: access key ids (the preset's allow-list of AWS's documentation examples is not kept).
  { name: "aws_access_key_id", pattern: /\b(?:A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}\b/g },
  // secretlint-rule-aws: a 40-character secret access key after its name.
  {
    name: "aws_secret_access_key",
    pattern: /["']?(?:aws)?_?secret_?access_?key["']?\s*(?::|=>|=)\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    group: 1,
    hints: ["secret"],
  },
  // secretlint-rule-github: classic tokens, fine-grained PATs, app installation tokens, x-oauth-basic URLs.
  { name: "github_token", pattern: /\bgh[pousr]_[A-Za-z0-9_]{36,255}\b/g, hints: ["gh"] },
  { name: "github_pat", pattern: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g, hints: ["github_pat_"] },
  { name: "github_token", pattern: /https?:\/\/([^\s:/@]{1,256}):x-oauth-basic@/g, group: 1, hints: ["x-oauth-basic"] },
  // secretlint-rule-gitlab
  { name: "gitlab_token", pattern: /\bglpat-[A-Za-z0-9_-]{20,128}(?![A-Za-z0-9_-])/g, hints: ["glpat-"] },
  // secretlint-rule-slack: tokens and incoming webhooks.
  { name: "slack_token", pattern: /\bxox[abposr]-(?:\d-)?(?:[A-Za-z0-9]{1,40}-)+[A-Za-z0-9]{1,40}\b/g, hints: ["xox"] },
  { name: "slack_token", pattern: /\bxapp-\d-[A-Za-z0-9]{1,40}-\d+-[A-Za-z0-9]{1,80}\b/g, hints: ["xapp-"] },
  {
    name: "slack_webhook",
    pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Za-z0-9]{1,40}\/B[A-Za-z0-9]{1,40}\/[A-Za-z0-9]{1,40}/gi,
    hints: ["hooks.slack.com"],
  },
  // secretlint-rule-stripe (secret and restricted keys; publishable `pk_` keys are public) and webhook secrets.
  { name: "stripe_key", pattern: /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,99}\b/g, hints: ["k_live_", "k_test_"] },
  { name: "stripe_key", pattern: /\bwhsec_[A-Za-z0-9]{24,}\b/g, hints: ["whsec_"] },
  // secretlint-rule-anthropic (before openai: both start with `sk-`).
  { name: "anthropic_key", pattern: /\bsk-ant-(?:api|admin)0\d-[A-Za-z0-9_-]{80,128}(?![A-Za-z0-9_-])/g, hints: ["sk-ant-"] },
  // secretlint-rule-openai, widened to any `sk-` key of 20+ characters (project, service-account, legacy).
  { name: "openai_key", pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}\b/g, hints: ["sk-"] },
  // secretlint-rule-groq, -huggingface, -linear, -notion, -npm, -sendgrid, -shopify, -grafana, -1password,
  // -hashicorp-vault, -vercel, -databricks, -docker, -figma, -cloudflare, -tailscale.
  { name: "groq_key", pattern: /\bgsk_[A-Za-z0-9]{52}(?![A-Za-z0-9])/g, hints: ["gsk_"] },
  { name: "huggingface_token", pattern: /\bhf_[A-Za-z]{34}(?![A-Za-z])/g, hints: ["hf_"] },
  { name: "linear_key", pattern: /\blin_api_[A-Za-z0-9_]{32,128}(?![A-Za-z0-9_])/g, hints: ["lin_api_"] },
  { name: "notion_token", pattern: /\bntn_[0-9]{11}[A-Za-z0-9]{35}(?![A-Za-z0-9])/g, hints: ["ntn_"] },
  { name: "npm_token", pattern: /\bnpm_[A-Za-z0-9_]{36}(?![A-Za-z0-9_])/g, hints: ["npm_"] },
  { name: "npm_token", pattern: /_authToken\s*=\s*([^\s$][^\s]*)/g, group: 1, hints: ["_authtoken"], accept: notPlaceholder },
  { name: "sendgrid_key", pattern: /\bSG\.[\w-]{16,32}\.[\w-]{16,64}\b/g, hints: ["sg."] },
  { name: "shopify_token", pattern: /\b(?:shppa|shpca|shpat|shpss)_[A-Fa-f0-9]{32,64}(?![A-Za-z0-9])/g, hints: ["shp"] },
  { name: "grafana_token", pattern: /\bglc_[A-Za-z0-9+/]{32,400}={0,2}(?![A-Za-z0-9+/=])/g, hints: ["glc_"] },
  { name: "grafana_token", pattern: /\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}(?![A-Fa-f0-9])/g, hints: ["glsa_"] },
  { name: "onepassword_token", pattern: /\bops_ey[A-Za-z0-9+/=]{100,1280}(?![A-Za-z0-9+/=])/g, hints: ["ops_ey"] },
  { name: "vault_token", pattern: /\bhv[sbr]\.[A-Za-z0-9_-]{90,300}(?![A-Za-z0-9_-])/g, hints: ["hvs.", "hvb.", "hvr."] },
  { name: "vercel_token", pattern: /\b(?:vcp|vci|vca|vcr|vck)_[A-Za-z0-9]{20,60}(?![A-Za-z0-9])/g, hints: ["vc"] },
  { name: "databricks_token", pattern: /\bdapi[A-Fa-f0-9]{32}(?:-[0-9])?(?![A-Fa-f0-9])/g, hints: ["dapi"] },
  { name: "docker_token", pattern: /\bdckr_pat_[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])/g, hints: ["dckr_pat_"] },
  { name: "figma_token", pattern: /\bfigd_[A-Za-z0-9_-]{40,200}(?![A-Za-z0-9_-])/g, hints: ["figd_"] },
  { name: "cloudflare_token", pattern: /\b(?:cfk|cfut|cfat)_[A-Za-z0-9]{40}[0-9a-f]{8}(?![A-Za-z0-9])/g, hints: ["cf"] },
  { name: "tailscale_key", pattern: /\btskey-[a-z]{2,20}-[0-9A-Za-z_]{8,40}-[0-9A-Za-z_]{16,60}(?![0-9A-Za-z_])/g, hints: ["tskey-"] },
  // Ours: Google API keys and JWTs (three base64url segments, the first two JSON objects).
  { name: "google_api_key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g, hints: ["aiza"] },
  { name: "jwt", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, hints: ["eyj"] },
  // Ours: `Authorization: Basic|Bearer|Token <credentials>` headers.
  {
    name: "authorization_header",
    pattern: /\b(?:proxy-)?authorization["']?\s*[:=,]\s*["']?(?:basic|bearer|token)\s+([A-Za-z0-9._~+/=-]{8,})/gi,
    group: 1,
    hints: ["authorization"],
  },
  // Ours, covering secretlint-rule-basicauth and -database-connection-string for every scheme: the password
  // of `scheme://user:password@host` runs to the LAST `@` before the path, so `p@ss@host` is redacted whole.
  {
    name: "url_credentials",
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"`]*:)([^\s'"`/]*)@(?=[^\s'"`/@]*[A-Za-z0-9[])/gi,
    group: 2,
    hints: ["://"],
    accept: notPlaceholder,
  },
  // Ours: ADO.NET / ODBC / JDBC property connection strings: `Server=…;User Id=sa;Password=…;`.
  {
    name: "connection_string_password",
    pattern: /\b(?:password|pwd)[ \t]*=[ \t]*([^;"'\r\n]+)(?=;)/gi,
    group: 1,
    hints: PASSWORD_HINTS,
    accept: notPlaceholder,
  },
  {
    name: "connection_string_password",
    pattern: /(?<=;[ \t]*)(?:password|pwd)[ \t]*=[ \t]*([^;"'\r\n]+)/gi,
    group: 1,
    hints: PASSWORD_HINTS,
    accept: notPlaceholder,
  },
  // Ours: a quoted value assigned to a secret-named key, in any language or config format:
  // `password = "…"`, `api_key: '…'`, `"client_secret": "…"`, `Password := "…"`, `headers["X-Api-Key"] = "…"`.
  {
    name: "secret_assignment",
    pattern: new RegExp(`(?<![\\w.-])(${SECRET_KEY})["']?\\]?[ \\t]*(?::=|=>|[:=])[ \\t]*[rbuf]?["'\`]([^"'\`\\r\\n]{4,})["'\`]`, "gi"),
    group: 2,
    hints: SECRET_KEY_HINTS,
    accept: (secret, match) => namedKey(match) && !isPlaceholder(secret),
  },
  // Ours: unquoted `.env` / shell lines, `KEY=value` with no spaces around `=` (also `export KEY=…` and
  // docker-compose `- KEY=…` items). The value runs to the end of the line, less a ` # comment`.
  {
    name: "dotenv_assignment",
    pattern: new RegExp(
      `^[ \\t]*(?:-[ \\t]+)?(?:export[ \\t]+)?(${SECRET_KEY})=([^\\s"'\`#][^\\r\\n]*?)(?:[ \\t]+#[^\\r\\n]*)?[ \\t]*$`,
      "gim",
    ),
    group: 2,
    hints: SECRET_KEY_HINTS,
    accept: dotenvValue,
  },
  // Ours: unquoted YAML / INI / TOML / properties values: `password: hunter2`, `aws_secret_access_key = …`.
  {
    name: "config_assignment",
    pattern: new RegExp(
      `^[ \\t]*(?:-[ \\t]+)?(${SECRET_KEY})[ \\t]*[:=][ \\t]*([^\\s"'\`#|>&*!=[{][^\\r\\n]*?)(?:[ \\t]+#[^\\r\\n]*)?[ \\t]*$`,
      "gim",
    ),
    group: 2,
    hints: SECRET_KEY_HINTS,
    accept: configValue,
  },
];

// ---------------------------------------------------------------------------------------------------
// Detection and replacement
// ---------------------------------------------------------------------------------------------------

interface RankedSpan extends SecretSpan {
  rank: number;
}

const compiled = new WeakMap<RedactionRule, RegExp>();

/** The rule's pattern as run: global, and with `d` (match indices) when a group names the secret. */
function compiledPattern(rule: RedactionRule): RegExp {
  let re = compiled.get(rule);
  if (!re) {
    const flags = new Set(rule.pattern.flags + "g" + (rule.group ? "d" : ""));
    re = new RegExp(rule.pattern.source, [...flags].join(""));
    compiled.set(rule, re);
  }
  return re;
}

/**
 * Every rule's hints as one pattern, longest first, and for each hint the hints it contains. The pattern is
 * tried at every position of the text (after a match, from the next character on), and the alternative it
 * takes there is the longest hint starting there, which holds every shorter hint starting there: so the
 * hints found are exactly those that occur. One native scan instead of a map lookup per character, which
 * was a fifth of building a sample with a few KB of its file around it.
 */
interface HintScanner {
  pattern: RegExp;
  contained: ReadonlyMap<string, readonly string[]>;
}

const hintScanners = new WeakMap<readonly RedactionRule[], HintScanner>();

function hintScanner(rules: readonly RedactionRule[]): HintScanner {
  let scanner = hintScanners.get(rules);
  if (!scanner) {
    const hints = [...new Set(rules.flatMap((rule) => rule.hints ?? []))]
      .filter((hint) => hint !== "")
      .sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
    const alternatives = hints.map((hint) => hint.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
    scanner = {
      pattern: new RegExp(alternatives.join("|") || "(?!)", "g"),
      contained: new Map(hints.map((hint) => [hint, hints.filter((other) => hint.includes(other))])),
    };
    hintScanners.set(rules, scanner);
  }
  return scanner;
}

/** The hints of `rules` that occur in `text` (lower-cased, as hints are). */
export function hintsIn(text: string, rules: readonly RedactionRule[] = REDACTION_RULES): Set<string> {
  const { pattern, contained } = hintScanner(rules);
  const lower = text.toLowerCase();
  const found = new Set<string>();
  pattern.lastIndex = 0;
  for (let match = pattern.exec(lower); match; match = pattern.exec(lower)) {
    for (const hint of contained.get(match[0])!) found.add(hint);
    pattern.lastIndex = match.index + 1;
  }
  return found;
}

function anyFound(hints: readonly string[], found: ReadonlySet<string>): boolean {
  for (const hint of hints) if (found.has(hint)) return true;
  return false;
}

function rankedSpans(text: string, rules: readonly RedactionRule[]): RankedSpan[] {
  const spans: RankedSpan[] = [];
  let found: Set<string> | undefined;
  for (let rank = 0; rank < rules.length; rank++) {
    const rule = rules[rank];
    if (rule.hints) {
      found ??= hintsIn(text, rules);
      if (!anyFound(rule.hints, found)) continue;
    }
    const re = compiledPattern(rule);
    re.lastIndex = 0;
    for (let match = re.exec(text); match; match = re.exec(text)) {
      if (match[0] === "") {
        re.lastIndex++;
        continue;
      }
      const range = rule.group ? match.indices?.[rule.group] : [match.index, match.index + match[0].length];
      if (!range || range[1] <= range[0]) continue;
      if (rule.accept && !rule.accept(text.slice(range[0], range[1]), match)) continue;
      spans.push({ rule: rule.name, start: range[0], end: range[1], rank });
    }
  }
  return spans.length ? mergeSpans(spans) : spans;
}

/** Overlapping spans become one, named by the earliest rule among them; touching spans stay apart. */
function mergeSpans(spans: RankedSpan[]): RankedSpan[] {
  spans.sort((a, b) => a.start - b.start || a.rank - b.rank);
  const merged: RankedSpan[] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span.start < last.end) {
      last.end = Math.max(last.end, span.end);
      if (span.rank < last.rank) Object.assign(last, { rank: span.rank, rule: span.rule });
    } else merged.push({ ...span });
  }
  return merged;
}

/** The secrets in `text`, sorted and non-overlapping. */
export function detectSecrets(text: string, rules: readonly RedactionRule[] = REDACTION_RULES): SecretSpan[] {
  return rankedSpans(text, rules).map(({ rule, start, end }) => ({ rule, start, end }));
}

/** `text` with each span replaced by `[REDACTED:<rule>]` (spans sorted and non-overlapping). */
export function applyRedactions(text: string, spans: readonly SecretSpan[]): string {
  let out = "";
  let at = 0;
  for (const span of spans) {
    out += text.slice(at, span.start) + `[REDACTED:${span.rule}]`;
    at = span.end;
  }
  return out + text.slice(at);
}

const distinctNames = new WeakMap<readonly RedactionRule[], string[]>();

/** Rule names once each, in rule order. */
function ruleNames(names: Iterable<string>, rules: readonly RedactionRule[]): string[] {
  const fired = new Set(names);
  if (fired.size === 0) return [];
  let all = distinctNames.get(rules);
  if (!all) distinctNames.set(rules, (all = [...new Set(rules.map((rule) => rule.name))]));
  return all.filter((name) => fired.has(name));
}

export interface RedactionResult {
  text: string;
  /** Names of the rules whose markers the text now holds, once each, in rule order. */
  redactions: string[];
}

/** One text on its own (the events path redacts each field this way). */
export function redactSecrets(text: string, rules: readonly RedactionRule[] = REDACTION_RULES): RedactionResult {
  const spans = detectSecrets(text, rules);
  if (spans.length === 0) return { text, redactions: [] };
  return {
    text: applyRedactions(text, spans),
    redactions: ruleNames(
      spans.map((span) => span.rule),
      rules,
    ),
  };
}

export interface RefinementFields {
  prefix: string;
  proposal: string;
  final: string;
  suffix: string;
}

export interface RefinementRedaction extends RefinementFields {
  /**
   * Distinct secrets found. One reaching into the context counts once however it is split (both passes see
   * it at the same place there); one inside the completion counts once per distinct text (a key proposed
   * and kept is one secret, a key the user replaced by another is two).
   */
  secretsFound: number;
  /** Names of the rules that fired, once each, in rule order. */
  rules: string[];
}

type Field = keyof RefinementFields;

/**
 * Redacts a refinement's four fields as ONE text. Detection runs over the two texts the editor held:
 * `prefix + proposal + suffix` (the completion as shown) and `prefix + final + suffix` (as the user left
 * it), so a secret split across fields (a private key whose BEGIN is in `prefix` and END in `suffix`, a
 * token cut by the cursor) is found whole. Each span is cut at the field boundaries and every piece in a
 * field becomes `[REDACTED:<rule>]`; pieces of the two passes in the shared context are merged.
 */
export function redactRefinement(fields: RefinementFields, rules: readonly RedactionRule[] = REDACTION_RULES): RefinementRedaction {
  const pieces: Record<Field, RankedSpan[]> = { prefix: [], proposal: [], final: [], suffix: [] };
  const secrets = new Set<string>();
  let firstSpans: RankedSpan[] = [];
  for (const middle of ["proposal", "final"] as const) {
    const layout: [Field, number, number][] = [];
    let offset = 0;
    for (const field of ["prefix", middle, "suffix"] as const) {
      layout.push([field, offset, offset + fields[field].length]);
      offset += fields[field].length;
    }
    const text = fields.prefix + fields[middle] + fields.suffix;
    // A plain accept's two texts are one: its second detection would find the same spans.
    firstSpans = middle === "final" && fields.final === fields.proposal ? firstSpans : rankedSpans(text, rules);
    for (const span of firstSpans) {
      const context: string[] = [];
      for (const [field, from, to] of layout) {
        const start = Math.max(span.start, from);
        const end = Math.min(span.end, to);
        if (start >= end) continue;
        pieces[field].push({ ...span, start: start - from, end: end - from });
        if (field !== middle) context.push(`${field}:${start - from}-${end - from}`);
      }
      // A secret reaching into the context is identified by its place there (both passes see it), one
      // inside the completion by its text (the same key in the proposal and the final is one secret).
      secrets.add(context.length > 0 ? context.join("|") : `text:${text.slice(span.start, span.end)}`);
    }
  }
  const out = { ...fields };
  if (secrets.size === 0) return { ...out, secretsFound: 0, rules: [] };
  const fired: string[] = [];
  for (const field of ["prefix", "proposal", "final", "suffix"] as const) {
    const spans = mergeSpans(pieces[field]);
    out[field] = applyRedactions(fields[field], spans);
    fired.push(...spans.map((span) => span.rule));
  }
  return { ...out, secretsFound: secrets.size, rules: ruleNames(fired, rules) };
}

/**
 * Rule names of the `[REDACTED:<rule>]` markers these texts already hold, once each: secrets redacted
 * earlier (at ingestion), which a later detection cannot find again.
 */
export function earlierRedactions(...texts: string[]): string[] {
  const rules = new Set<string>();
  for (const text of texts) {
    if (!text.includes("[REDACTED:")) continue;
    for (const [, rule] of text.matchAll(/\[REDACTED:([\w-]+)\]/g)) rules.add(rule);
  }
  return [...rules];
}
