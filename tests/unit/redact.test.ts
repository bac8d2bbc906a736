import { describe, expect, it } from "vitest";
import { redactSecrets } from "@/lib/refinements/redact";

describe("redactSecrets", () => {
  it.each([
    ["aws_access_key_id", 'aws_key = "AKIAIOSFODNN7EXAMPLE"', "AKIAIOSFODNN7EXAMPLE"],
    ["github_token", "token: ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"],
    ["slack_token", "SLACK = xoxb-123456789012-abcdefghij", "xoxb-123456789012-abcdefghij"],
    ["stripe_key", "stripe.api_key = sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"],
    [
      "openai_key",
      "client = OpenAI(api_key=os.environ.get('X') or 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx')",
      "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx",
    ],
    [
      "jwt",
      "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      "eyJhbGciOiJIUzI1NiJ9",
    ],
    ["url_credentials", 'DATABASE_URL = "postgres://app:s3cr3t-pw@db:5432/app"', "s3cr3t-pw"],
    ["secret_assignment", 'password = "correct horse"; db_password = "hunter2hunter2"', "hunter2hunter2"],
  ])("removes a %s and says so", (rule, text, secret) => {
    const result = redactSecrets(text);
    expect(result.text).not.toContain(secret);
    expect(result.text).toContain(`[REDACTED:${rule}]`);
    expect(result.redactions).toContain(rule);
  });

  it("removes a whole private key block", () => {
    const key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----";
    expect(redactSecrets(`const k = \`${key}\`;`).text).toBe("const k = `[REDACTED:private_key]`;");
  });

  it("keeps the code around a secret as it was", () => {
    expect(redactSecrets('config = { "client_secret": "abcdef123456", "region": "eu" }').text).toBe(
      'config = { "client_secret": "[REDACTED:secret_assignment]", "region": "eu" }',
    );
  });

  it("leaves ordinary code alone", () => {
    const code =
      "def count_tokens(text):\n    token_count = len(text.split())\n    password_hint = None\n    return token_count  # see https://example.com/docs\n";
    expect(redactSecrets(code)).toEqual({ text: code, redactions: [] });
  });
});
