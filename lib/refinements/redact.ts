// Secret redaction for code samples (refinement proposals, finals and their context), applied before
// anything is stored or shown. Pure. Patterns follow the well-known token formats that gitleaks and
// GitHub secret scanning look for, plus generic "secret-looking assignment" and private-key blocks.

export interface RedactionRule {
  name: string;
  pattern: RegExp;
  /** Group to replace (0 = whole match); the rest of the match (e.g. the variable name) is kept. */
  group?: number;
}

export const REDACTION_RULES: readonly RedactionRule[] = [
  { name: "private_key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g },
  { name: "aws_access_key_id", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { name: "github_token", pattern: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g },
  { name: "github_pat", pattern: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g },
  { name: "slack_token", pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g },
  { name: "stripe_key", pattern: /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}\b/g },
  { name: "openai_key", pattern: /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}\b/g },
  { name: "google_api_key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { name: "jwt", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g },
  { name: "url_credentials", pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+:)([^\s@'"]+)(@)/gi, group: 2 },
  {
    name: "secret_assignment",
    // password = "...", api_key: '...', "client_secret": "..." — the value only, at least 6 characters.
    pattern: /\b([A-Za-z0-9_.-]*(?:password|passwd|secret|api[_-]?key|access[_-]?key|auth[_-]?token|token|credential)s?["']?\s*[:=]\s*["'`])([^"'`\s]{6,})(["'`])/gi,
    group: 2,
  },
];

export interface RedactionResult {
  text: string;
  /** Names of the rules that fired, once each. */
  redactions: string[];
}

export function redactSecrets(text: string, rules: readonly RedactionRule[] = REDACTION_RULES): RedactionResult {
  const fired = new Set<string>();
  let out = text;
  for (const rule of rules) {
    out = out.replace(rule.pattern, (...match: string[]) => {
      fired.add(rule.name);
      const marker = `[REDACTED:${rule.name}]`;
      if (!rule.group) return marker;
      // Keep the groups around the secret (e.g. `password = "` and the closing quote).
      return match.slice(1, -2).map((part, i) => (i + 1 === rule.group ? marker : (part ?? ""))).join("");
    });
  }
  return { text: out, redactions: [...fired] };
}
