import { describe, expect, it } from "vitest";
import { detectSecrets, hintsIn, isSecretKey, REDACTION_RULES, redactRefinement, redactSecrets } from "@/lib/refinements/redact";

// Fake credentials in the real formats (none of them is live).
const PEM_BODY =
  "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n";
const RSA_KEY = `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}-----END RSA PRIVATE KEY-----`;

function expectRedacted(text: string, secret: string, rule: string) {
  const result = redactSecrets(text);
  expect(result.text).not.toContain(secret);
  expect(result.text).toContain(`[REDACTED:${rule}]`);
  expect(result.redactions).toContain(rule);
  return result.text;
}

describe("redactSecrets: what the earlier rules stored in clear", () => {
  it("redacts unquoted .env lines", () => {
    const text = expectRedacted("DB_HOST=db\nDB_PASSWORD=hunter2\nAPI_KEY=abc123\nDEBUG=false\n", "hunter2", "dotenv_assignment");
    expect(text).toBe("DB_HOST=db\nDB_PASSWORD=[REDACTED:dotenv_assignment]\nAPI_KEY=[REDACTED:dotenv_assignment]\nDEBUG=false\n");
  });

  it("redacts export lines and docker-compose environment items, less a trailing comment", () => {
    expect(redactSecrets("export GITHUB_TOKEN=s3cr3tvalue # ci only\n").text).toBe(
      "export GITHUB_TOKEN=[REDACTED:dotenv_assignment] # ci only\n",
    );
    expect(redactSecrets("    environment:\n      - POSTGRES_PASSWORD=example\n      - PGDATA=/data\n").text).toBe(
      "    environment:\n      - POSTGRES_PASSWORD=[REDACTED:dotenv_assignment]\n      - PGDATA=/data\n",
    );
  });

  it("redacts a one-word literal that happens to contain a secret word", () => {
    expect(redactSecrets("password: mysecret\n").text).toBe("password: [REDACTED:config_assignment]\n");
  });

  it("redacts a YAML password", () => {
    const text = expectRedacted("database:\n  user: app\n  password: hunter2\n  port: 5432\n", "hunter2", "config_assignment");
    expect(text).toBe("database:\n  user: app\n  password: [REDACTED:config_assignment]\n  port: 5432\n");
  });

  it("redacts an AWS credentials file, access key id and secret access key", () => {
    const text = "[default]\naws_access_key_id = AKIAZ3MSJV4WWNKWW3UW\naws_secret_access_key = q8vXbAQm0XmVn3J4dG5Rk1Lr2pHsT6YwZ9uE7cFi\n";
    expect(redactSecrets(text).text).toBe(
      "[default]\naws_access_key_id = [REDACTED:aws_access_key_id]\naws_secret_access_key = [REDACTED:aws_secret_access_key]\n",
    );
  });

  it("redacts an aws_secret_access_key of any length as a config value", () => {
    expectRedacted("aws_secret_access_key = not-forty-chars-but-secret", "not-forty-chars-but-secret", "config_assignment");
  });

  it("redacts a PGP private key block", () => {
    const key = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF0sZ8QBCAC7dKqd0mVQ2nJ8\nw7Xk=\n=Qx2T\n-----END PGP PRIVATE KEY BLOCK-----";
    expect(redactSecrets(`const armored = \`${key}\`;\n`).text).toBe("const armored = `[REDACTED:private_key]`;\n");
  });

  it("redacts the whole password of a URL when it contains @", () => {
    const text = expectRedacted('DATABASE_URL = "postgres://user:p@ss@host/db"', "ss@host", "url_credentials");
    expect(text).toBe('DATABASE_URL = "postgres://user:[REDACTED:url_credentials]@host/db"');
    expect(redactSecrets("mongodb+srv://admin:a@b@c@cluster0.example.net/app?retryWrites=true").text).toBe(
      "mongodb+srv://admin:[REDACTED:url_credentials]@cluster0.example.net/app?retryWrites=true",
    );
  });

  it("redacts each half of a private key split between fields, field by field", () => {
    const prefix = `const key = \`-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n`;
    const suffix = `VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----\`;\nsign(key);\n`;
    expect(redactSecrets(prefix).text).toBe("const key = `[REDACTED:private_key]");
    expect(redactSecrets(suffix).text).toBe("[REDACTED:private_key]`;\nsign(key);\n");
  });
});

describe("redactSecrets: token formats (secretlint's recommended rules, ported)", () => {
  it.each([
    ["aws_access_key_id", "const creds = { accessKeyId: 'AKIAZ3MSJV4WWNKWW3UW' }", "AKIAZ3MSJV4WWNKWW3UW"],
    ["aws_access_key_id", "export AWS_ACCESS_KEY_ID=ASIAY34FZKBOKMUTVV7A", "ASIAY34FZKBOKMUTVV7A"],
    [
      "aws_secret_access_key",
      '"AWS_SECRET_ACCESS_KEY": "q8vXbAQm0XmVn3J4dG5Rk1Lr2pHsT6YwZ9uE7cFi"',
      "q8vXbAQm0XmVn3J4dG5Rk1Lr2pHsT6YwZ9uE7cFi",
    ],
    [
      "github_token",
      "const octokit = new Octokit({ auth: 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8' });",
      "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
    ],
    ["github_token", "git clone https://ghs_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2:x-oauth-basic@github.com/acme/app", "ghs_Z9y8X7w6V5u4"],
    ["github_pat", "GH_TOKEN: github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV", "github_pat_11ABCDEFG0"],
    ["slack_token", "client = WebClient(token='xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx')", "xoxb-1234567890-1234567890123"],
    ["slack_webhook", "fetch('https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/AbCdEfGhIjKlMnOpQrStUvWx')", "AbCdEfGhIjKlMnOpQrStUvWx"],
    ["stripe_key", "const stripe = new Stripe('sk_live_51HxYzAbCdEfGhIjKlMnOpQrSt');", "sk_live_51HxYzAbCdEfGhIjKlMnOpQrSt"],
    ["stripe_key", "stripe.api_key = 'rk_test_51HxYzAbCdEfGhIjKlMnOpQrSt'", "rk_test_51HxYzAbCdEfGhIjKlMnOpQrSt"],
    ["gitlab_token", "curl --header 'PRIVATE-TOKEN: glpat-AbCdEfGhIjKlMnOpQrSt'", "glpat-AbCdEfGhIjKlMnOpQrSt"],
    ["npm_token", "//registry.npmjs.org/:_authToken=npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"],
    [
      "google_api_key",
      "const url = `https://maps.googleapis.com/maps/api/js?key=AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q`;",
      "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
    ],
    [
      "jwt",
      "headers = {'Authorization': 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'}",
      "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    ],
    ["authorization_header", "req.setHeader('Authorization', 'Basic dXNlcjpzM2NyM3QtcGFzcw==')", "dXNlcjpzM2NyM3QtcGFzcw=="],
    ["url_credentials", "redis_url = 'redis://:R3d1sPassw0rd@cache.internal:6379/0'", "R3d1sPassw0rd"],
    ["url_credentials", "jdbc = 'mysql://root:toor123@localhost:3306/shop'", "toor123"],
    ["connection_string_password", 'var cs = "Server=db;Database=shop;User Id=sa;Password=S3cret!Pass;";', "S3cret!Pass"],
    ["connection_string_password", 'var cs = "Host=db;Username=app;Pwd=S3cret!Pass";', "S3cret!Pass"],
    ["secret_assignment", 'password := "hunter2hunter2"', "hunter2hunter2"],
    ["secret_assignment", "os.environ['OPENAI_API_KEY'] = 'not-an-sk-key-but-secret'", "not-an-sk-key-but-secret"],
    ["secret_assignment", "const config = { clientSecret: 'c0rrect-h0rse-battery' };", "c0rrect-h0rse-battery"],
  ])("finds a %s in %s", (rule, text, secret) => {
    expectRedacted(text, secret, rule);
  });

  it.each([
    ["-----BEGIN RSA PRIVATE KEY-----", RSA_KEY],
    ["-----BEGIN EC PRIVATE KEY-----", `-----BEGIN EC PRIVATE KEY-----\n${PEM_BODY}-----END EC PRIVATE KEY-----`],
    ["-----BEGIN OPENSSH PRIVATE KEY-----", `-----BEGIN OPENSSH PRIVATE KEY-----\n${PEM_BODY}-----END OPENSSH PRIVATE KEY-----`],
    ["-----BEGIN ENCRYPTED PRIVATE KEY-----", `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${PEM_BODY}-----END ENCRYPTED PRIVATE KEY-----`],
  ])("redacts a PEM key (%s), also escaped in a JSON string", (_, key) => {
    expect(redactSecrets(`key = """${key}"""`).text).toBe('key = """[REDACTED:private_key]"""');
    const json = JSON.stringify({ type: "service_account", private_key: `${key}\n` });
    // The whole value of `private_key` goes, escaped newline included.
    expect(redactSecrets(json).text).toBe('{"type":"service_account","private_key":"[REDACTED:private_key]"}');
  });

  it("keeps what surrounds a URL's password", () => {
    expect(redactSecrets("amqp://guest:guest-pw-42@rabbit:5672/vhost").text).toBe(
      "amqp://guest:[REDACTED:url_credentials]@rabbit:5672/vhost",
    );
  });

  it("names a span found by several rules after the most specific one", () => {
    expect(redactSecrets("STRIPE_SECRET_KEY=sk_live_51HxYzAbCdEfGhIjKlMnOpQrSt\n").text).toBe("STRIPE_SECRET_KEY=[REDACTED:stripe_key]\n");
  });

  it("is idempotent", () => {
    const once = redactSecrets(`DB_PASSWORD=hunter2\npassword: "x1y2z3w4"\nurl = "postgres://u:p@ss@h/db"\n${RSA_KEY}\n`).text;
    expect(redactSecrets(once)).toEqual({ text: once, redactions: [] });
  });
});

describe("redactSecrets: ordinary code stays as it was", () => {
  it.each([
    "def login(user, password):\n    password_hash = hash_password(password)\n    return check(user, password_hash)\n",
    "    password = input('Password: ')\n    api_key = os.environ['API_KEY']\n    token = self.token\n",
    "interface Credentials {\n  username: string;\n  password: string;\n  token?: string\n}\n",
    "class Settings(BaseModel):\n    password: str = None\n    secret_key: Optional[str]\n",
    "max_token = 512\neos_token = '<|endoftext|>'\ntoken_count = len(tokens)\n",
    "DB_PASSWORD=${DB_PASSWORD}\nAPI_KEY=$(cat /run/secrets/api_key)\npassword: '{{ vault_password }}'\n",
    "fetch('http://localhost:3000/users/@me'); // git@github.com:acme/app.git\n",
    "compass: north\nbypass = true\npassword_min_length: 12\n",
    "def reset(user, new_password):\n    password = new_password\n    token = token\n    user.password = newPassword\n",
  ])("leaves %j alone", (code) => {
    expect(redactSecrets(code)).toEqual({ text: code, redactions: [] });
  });
});

describe("isSecretKey", () => {
  it.each([
    "DB_PASSWORD",
    "apiKey",
    "APIKey",
    "aws_secret_access_key",
    "SECRET_KEY_BASE",
    "client-secret",
    "dbpassword",
    "GITHUB_TOKEN",
    "db.pass",
  ])("%s names a secret", (key) => expect(isSecretKey(key)).toBe(true));
  it.each(["password_hint", "token_count", "max_token", "primary_key", "sort_key", "keyboard", "passenger", "compass"])(
    "%s does not",
    (key) => expect(isSecretKey(key)).toBe(false),
  );
});

describe("redactRefinement: the four fields as one text", () => {
  it("finds a private key split between prefix and suffix, and the completion inside it", () => {
    const prefix = "const key = `-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHC";
    const suffix = "\n-----END RSA PRIVATE KEY-----`;\nsign(key);\n";
    const result = redactRefinement({ prefix, proposal: "ozMxH2Mo4lgO", final: "ozMxH2Mo4lgOEePz", suffix });
    expect(result).toEqual({
      prefix: "const key = `[REDACTED:private_key]",
      proposal: "[REDACTED:private_key]",
      final: "[REDACTED:private_key]",
      suffix: "[REDACTED:private_key]`;\nsign(key);\n",
      secretsFound: 1,
      rules: ["private_key"],
    });
  });

  it("finds a token cut by the cursor, which neither half reveals alone", () => {
    const fields = {
      prefix: "const token = 'ghp_A1b2C3d4E5f6G7h8",
      proposal: "I9j0K1l2M3n4O5p6Q7r8",
      final: "I9j0K1l2M3n4O5p6Q7r8",
      suffix: "';\n",
    };
    expect(redactSecrets(fields.prefix).redactions).toEqual([]);
    expect(redactSecrets(fields.proposal).redactions).toEqual([]);
    const result = redactRefinement(fields);
    expect(result.prefix).toBe("const token = '[REDACTED:github_token]");
    expect(result.proposal).toBe("[REDACTED:github_token]");
    expect(result.final).toBe("[REDACTED:github_token]");
    expect(result.suffix).toBe("';\n");
    expect(result.secretsFound).toBe(1);
  });

  it("finds a secret the user typed into the final only", () => {
    const result = redactRefinement({
      prefix: "DB_HOST=db\n",
      proposal: "DB_PASSWORD=",
      final: "DB_PASSWORD=hunter2",
      suffix: "\nDEBUG=0\n",
    });
    expect(result).toMatchObject({ proposal: "DB_PASSWORD=", final: "DB_PASSWORD=[REDACTED:dotenv_assignment]", secretsFound: 1 });
    expect(result.rules).toEqual(["dotenv_assignment"]);
  });

  it("counts a secret of the context once, and distinct secrets of the proposal and the final apart", () => {
    const result = redactRefinement({
      prefix: "aws_access_key_id = AKIAZ3MSJV4WWNKWW3UW\nstripe = '",
      proposal: "sk_live_51HxYzAbCdEfGhIjKlMnOpQrSt",
      final: "sk_live_99QqWwEeRrTtYyUuIiOoPpAaSs",
      suffix: "'\n",
    });
    expect(result.secretsFound).toBe(3);
    expect(result.rules).toEqual(["aws_access_key_id", "stripe_key"]);
  });

  it("leaves clean fields untouched", () => {
    const fields = { prefix: "def add(a, b):\n    ", proposal: "return a + b", final: "return a + b  # sum", suffix: "\n" };
    expect(redactRefinement(fields)).toEqual({ ...fields, secretsFound: 0, rules: [] });
  });
});

describe("detectSecrets", () => {
  it("returns sorted, non-overlapping spans", () => {
    const text = "a = 'AKIAZ3MSJV4WWNKWW3UW'; b = 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'";
    const spans = detectSecrets(text);
    expect(spans.map((span) => [span.rule, text.slice(span.start, span.end)])).toEqual([
      ["aws_access_key_id", "AKIAZ3MSJV4WWNKWW3UW"],
      ["github_token", "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"],
    ]);
  });
});

describe("hintsIn", () => {
  const hints = [...new Set(REDACTION_RULES.flatMap((rule) => rule.hints ?? []))];
  const expected = (text: string) => new Set(hints.filter((hint) => text.toLowerCase().includes(hint)));

  it("finds every hint that occurs, also inside, around and overlapping another", () => {
    for (const text of [
      "",
      "const x = 1;",
      "PASSWORD=x",
      "my_passkey_token",
      "-----END RSA PRIVATE KEY-----",
      "Sk-Ant-abc sk-x",
      "https://hooks.slack.com/x",
      "passwordpasswor",
      "gsk_ghsk-",
      "ops_eyJ",
    ])
      expect(hintsIn(text)).toEqual(expected(text));
  });

  it("agrees with a search for each hint on random texts built from pieces of hints", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
    for (let i = 0; i < 5_000; i++) {
      let text = "";
      for (let piece = 0; piece < 1 + Math.floor(random() * 6); piece++) {
        const hint = pick(hints);
        const from = Math.floor(random() * hint.length);
        const to = from + 1 + Math.floor(random() * (hint.length - from));
        const part = random() < 0.5 ? hint : hint.slice(from, to);
        text += (random() < 0.3 ? part.toUpperCase() : part) + pick(["", "", " ", "_", "-", "k", "\n"]);
      }
      expect(hintsIn(text)).toEqual(expected(text));
    }
  });
});
