import { randomUUID } from "node:crypto";
import { expect, type APIRequestContext } from "@playwright/test";
import { assignExperiment } from "../lib/assignment";
import { E2E_KEYS } from "../playwright.config";

const DAY = 86_400_000;

/**
 * Seeds a known synthetic experiment through the public API only: two model versions, a running
 * experiment, 300 users over six days with a real lift on acceptance, in three languages.
 */
export async function seedSyntheticExperiment(request: APIRequestContext, key: string) {
  const admin = { authorization: `Bearer ${E2E_KEYS.admin}` };
  const ingest = { authorization: `Bearer ${E2E_KEYS.ingest}` };
  for (const version of [`${key}-base`, `${key}-new`]) {
    expect((await request.post("/api/v1/model-versions", { headers: admin, data: { key: version, name: version } })).status()).toBe(201);
  }
  const created = await request.post("/api/v1/experiments", {
    headers: admin,
    data: {
      key,
      name: "Synthetic: refined model",
      variants: [
        { key: "control", modelVersion: `${key}-base`, weight: 0.5 },
        { key: "treatment", modelVersion: `${key}-new`, weight: 0.5 },
      ],
    },
  });
  expect(created.status()).toBe(201);
  expect((await request.post(`/api/v1/experiments/${key}/start`, { headers: admin })).status()).toBe(200);
  const config = await (await request.get("/api/v1/config", { headers: ingest })).json();
  // This experiment alone (other tests' experiments may be running too): what the SDK reports as an exposure.
  const experiment = config.experiments.find((e: { key: string }) => e.key === key);

  let seed = 7;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const start = Date.now() - 6 * DAY;
  const events: Record<string, unknown>[] = [];
  let shown = 0;
  for (let u = 0; u < 300; u++) {
    const userId = `${key}-user-${u}`;
    const variant = assignExperiment(experiment, userId).variantKey!;
    const modelVersion = variant === "control" ? `${key}-base` : `${key}-new`;
    const language = ["python", "typescript", "go"][u % 3];
    const exposedAt = start + (u % 6) * DAY + 600_000;
    const common = {
      userId,
      language,
      ide: u % 4 === 0 ? "jetbrains" : "vscode",
      userGroup: u % 10 === 0 ? "internal" : "external",
      modelVersion,
    };
    events.push({ ...common, eventId: randomUUID(), type: "exposure", timestamp: exposedAt, experimentKey: key, variantKey: variant });
    const propensity = 0.15 + 0.3 * random() + (variant === "treatment" ? 0.12 : 0);
    for (let i = 0; i < 4 + Math.floor(random() * 30); i++) {
      const suggestionId = `${userId}-${i}`;
      const at = exposedAt + 60_000 + i * 1_800_000;
      events.push({ ...common, eventId: randomUUID(), type: "requested", suggestionId, timestamp: at });
      events.push({
        ...common,
        eventId: randomUUID(),
        type: "shown",
        suggestionId,
        timestamp: at + 150,
        completionChars: 60,
        latencyMs: 120 + Math.floor(random() * 120),
      });
      shown++;
      if (random() < propensity)
        events.push({ ...common, eventId: randomUUID(), type: "accepted", suggestionId, timestamp: at + 2000, acceptedChars: 60 });
    }
    events.push({
      ...common,
      eventId: randomUUID(),
      type: "typed",
      timestamp: exposedAt + 90_000,
      humanChars: 100 + Math.floor(random() * 200),
    });
  }
  for (let i = 0; i < events.length; i += 5000) {
    const answer = await request.post("/api/v1/events", { headers: ingest, data: { events: events.slice(i, i + 5000) } });
    expect(answer.status()).toBe(200);
  }
  return { from: new Date(start - DAY).toISOString(), shown };
}

interface Refinement {
  language: string;
  prefix: string;
  suffix?: string;
  proposal: string;
  final: string;
}

/**
 * Realistic refinements in Kotlin, Swift and SQL, languages whose syntax the pipeline does not check (the
 * context varies with `n`, so no two users' samples are duplicates): kept, unchanged and noise among them.
 */
export const UNCHECKED_REFINEMENTS: ((n: number) => Refinement)[] = [
  (n) => ({
    language: "kotlin",
    prefix: `suspend fun fetchUser(id: String, attempts: Int = ${3 + n}): User {\n`,
    suffix: "}\n",
    proposal:
      '    repeat(attempts) {\n        runCatching { return api.user(id) }\n    }\n    throw IllegalStateException("unreachable")\n',
    final:
      "    repeat(attempts - 1) { attempt ->\n        runCatching { return api.user(id) }\n        delay(200L shl attempt)\n    }\n    return api.user(id)\n",
  }),
  (n) => ({
    language: "kotlin",
    prefix: `fun displayName(user: User?): String { // profile card ${n}\n`,
    suffix: "}\n",
    proposal: '    return user!!.firstName + " " + user.lastName\n',
    final: '    val name = listOfNotNull(user?.firstName, user?.lastName).joinToString(" ")\n    return name.ifBlank { "Anonymous" }\n',
  }),
  (n) => ({
    language: "swift",
    prefix: `// settings of bundle ${n}\nfunc loadSettings(from url: URL) throws -> Settings {\n`,
    suffix: "}\n",
    proposal: "    let data = try Data(contentsOf: url)\n    return try JSONDecoder().decode(Settings.self, from: data)\n",
    final:
      "    let data = try Data(contentsOf: url)\n    let decoder = JSONDecoder()\n    decoder.keyDecodingStrategy = .convertFromSnakeCase\n    return try decoder.decode(Settings.self, from: data)\n",
  }),
  (n) => ({
    language: "sql",
    prefix: `-- daily active users, report ${n}\nSELECT date_trunc('day', created_at) AS day,\n`,
    suffix: "FROM events\nGROUP BY 1\nORDER BY 1;\n",
    proposal: "       count(DISTINCT user_id) AS users\n",
    final: "       count(DISTINCT user_id) AS users\n",
  }),
  (n) => ({
    language: "sql",
    prefix: `-- orders of the last week, shop ${n}\nSELECT o.id, o.total, c.email\nFROM orders o\n`,
    suffix: "ORDER BY o.created_at DESC;\n",
    proposal: "JOIN customers c ON c.id = o.customer_id\nWHERE o.created_at > now() - interval '7 days'\n",
    final:
      "LEFT JOIN customers c ON c.id = o.customer_id\nWHERE o.created_at >= now() - interval '7 days'\n  AND o.status <> 'cancelled'\n",
  }),
  (n) => ({
    language: "swift",
    prefix: `// greeting of screen ${n}\nfunc greet(_ name: String) {\n`,
    suffix: "}\n",
    proposal: '    print("Hello, \\(name)")\n',
    final: '    fatalError("rewritten completely by the user, nothing of the proposal kept at all, not one token")\n',
  }),
  (n) => ({
    language: "kotlin",
    prefix: `// billing run ${n}\ndata class Invoice(val id: String, val lines: List<Line>) {\n`,
    suffix: "}\n",
    proposal: "    fun total(): Double = lines.sumOf { it.price * it.quantity }\n",
    final: "    fun total(): BigDecimal = lines.sumOf { it.price * it.quantity.toBigDecimal() }\n",
  }),
  (n) => ({
    language: "swift",
    prefix: `// feed ${n}\nfinal class ImageCache {\n    private var images: [URL: UIImage] = [:]\n\n    func image(for url: URL) async throws -> UIImage {\n`,
    suffix: "    }\n}\n",
    proposal: "        let (data, _) = try await URLSession.shared.data(from: url)\n        return UIImage(data: data)!\n",
    final:
      "        if let cached = images[url] { return cached }\n        let (data, _) = try await URLSession.shared.data(from: url)\n        guard let image = UIImage(data: data) else { throw CacheError.undecodable(url) }\n        images[url] = image\n        return image\n",
  }),
];

/** Realistic refinements in Python, TypeScript and Go, whose syntax the pipeline checks (one breaks it). */
export const CHECKED_REFINEMENTS: ((n: number) => Refinement)[] = [
  (n) => ({
    language: "python",
    prefix: `import time\n\nimport requests\n\n\ndef fetch_json(url, retries=${3 + n}):\n`,
    proposal:
      "    for attempt in range(retries):\n        response = requests.get(url)\n        if response.ok:\n            return response.json()\n        time.sleep(1)\n",
    final:
      "    for attempt in range(retries):\n        response = requests.get(url, timeout=10)\n        if response.ok:\n            return response.json()\n        time.sleep(2 ** attempt)\n    response.raise_for_status()\n",
  }),
  (n) => ({
    language: "typescript",
    prefix: `export function debounce<T extends (...args: never[]) => void>(fn: T, wait = ${200 + n * 50}) {\n`,
    suffix: "}\n",
    proposal:
      "  let timer: any;\n  return (...args: Parameters<T>) => {\n    clearTimeout(timer);\n    timer = setTimeout(() => fn(...args), wait);\n  };\n",
    final:
      "  let timer: ReturnType<typeof setTimeout> | undefined;\n  return (...args: Parameters<T>) => {\n    if (timer) clearTimeout(timer);\n    timer = setTimeout(() => fn(...args), wait);\n  };\n",
  }),
  (n) => ({
    language: "go",
    prefix: `// loadConfig reads the settings of service ${n}.\nfunc loadConfig(path string) (*Config, error) {\n\tdata, err := os.ReadFile(path)\n`,
    suffix: "\tvar cfg Config\n\treturn &cfg, json.Unmarshal(data, &cfg)\n}\n",
    proposal: "\tif err != nil {\n\t\treturn nil, err\n\t}\n",
    final: '\tif err != nil {\n\t\treturn nil, fmt.Errorf("read config %s: %w", path, err)\n\t}\n',
  }),
  (n) => ({
    language: "typescript",
    prefix: `// totals of basket ${n}\nexport function total(items: number[]): number {\n`,
    suffix: "}\n",
    proposal: "  return items.reduce((sum, item) => sum + item, 0);\n",
    final: "  return items.reduce((sum, item) => sum + item, 0;\n",
  }),
];

/**
 * A running experiment for refinement samples, through the public API only: two model versions (on one
 * base model) and users assigned as the SDK would, `usersPerVariant` in each variant.
 */
export async function seedRefinementExperiment(request: APIRequestContext, key: string, usersPerVariant = 4) {
  const admin = { authorization: `Bearer ${E2E_KEYS.admin}` };
  const ingest = { authorization: `Bearer ${E2E_KEYS.ingest}` };
  for (const version of [`${key}-base`, `${key}-new`]) {
    const data = { key: version, name: version, baseModel: "starcoder2-7b" };
    expect((await request.post("/api/v1/model-versions", { headers: admin, data })).status()).toBe(201);
  }
  const created = await request.post("/api/v1/experiments", {
    headers: admin,
    data: {
      key,
      name: "Refinements: retrained model",
      variants: [
        { key: "control", modelVersion: `${key}-base`, weight: 0.5 },
        { key: "treatment", modelVersion: `${key}-new`, weight: 0.5 },
      ],
    },
  });
  expect(created.status()).toBe(201);
  expect((await request.post(`/api/v1/experiments/${key}/start`, { headers: admin })).status()).toBe(200);
  const config = await (await request.get("/api/v1/config", { headers: ingest })).json();
  const experiment = config.experiments.find((e: { key: string }) => e.key === key);
  const users: { userId: string; variant: string; modelVersion: string }[] = [];
  const perVariant = new Map<string, number>();
  for (let u = 0; users.length < 2 * usersPerVariant && u < 200; u++) {
    const userId = `${key}-dev-${u}`;
    const variant = assignExperiment(experiment, userId).variantKey!;
    if ((perVariant.get(variant) ?? 0) >= usersPerVariant) continue;
    perVariant.set(variant, (perVariant.get(variant) ?? 0) + 1);
    users.push({ userId, variant, modelVersion: variant === "control" ? `${key}-base` : `${key}-new` });
  }
  return users;
}

/**
 * Posts, in one request, each user's exposure to the experiment and then `perUser` suggestions shown,
 * accepted and refined two minutes later with the given refinements (rotated across users). The server's
 * pipeline turns refined events into samples within seconds: wait for them with `GET /api/v1/refinements`.
 */
export async function postRefinements(
  request: APIRequestContext,
  key: string,
  users: { userId: string; variant: string; modelVersion: string }[],
  refinements: ((n: number) => Refinement)[],
  perUser = 4,
) {
  const ingest = { authorization: `Bearer ${E2E_KEYS.ingest}` };
  const start = Date.now() - 2 * 3_600_000;
  const events: Record<string, unknown>[] = [];
  const suggestionIds: string[] = [];
  for (const [u, { userId, variant, modelVersion }] of users.entries()) {
    const common = { userId, modelVersion, ide: u % 3 ? "vscode" : "jetbrains", userGroup: "external" };
    const exposedAt = start + u * 60_000;
    events.push({ ...common, eventId: randomUUID(), type: "exposure", timestamp: exposedAt, experimentKey: key, variantKey: variant });
    for (let i = 0; i < perUser; i++) {
      const refinement = refinements[(u * 5 + i) % refinements.length](u);
      const suggestionId = `${userId}-s${i}`;
      suggestionIds.push(suggestionId);
      const at = exposedAt + (i + 1) * 300_000;
      const s = { ...common, suggestionId, language: refinement.language };
      const chars = refinement.proposal.length;
      events.push({ ...s, eventId: randomUUID(), type: "shown", timestamp: at, completionChars: chars, latencyMs: 140 + i * 20 });
      events.push({ ...s, eventId: randomUUID(), type: "accepted", timestamp: at + 1_500, acceptedChars: chars });
      events.push({ ...s, eventId: randomUUID(), type: "refined", timestamp: at + 121_500, windowSeconds: 120, ...refinement });
    }
  }
  const answer = await request.post("/api/v1/events", { headers: ingest, data: { events } });
  expect(answer.status()).toBe(200);
  expect((await answer.json()).rejected).toEqual([]);
  return suggestionIds;
}
