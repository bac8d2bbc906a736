import { assignUser, compileConfig } from "../assignment";
import type { Principal } from "../auth/permissions";
import type { Db } from "../db";
import { DAY_MS } from "../time";
import { ingestEvents } from "../events/service";
import { loadAssignmentConfig } from "../experiments/assignmentConfig";
import { createExperiment, startExperiment, stopExperiment } from "../experiments/service";
import { createModelVersion, updateModelVersion } from "../modelVersions/service";
import { createExperimentSchema } from "../experiments/schemas";
import { createModelVersionSchema } from "../modelVersions/schemas";
import { flushIngestion } from "../ingestion/log";

// Demo data for a first start (ECHO_DEMO, on by default): three model versions, a running experiment
// of the refinement-trained model against production and a stopped one, and a few hundred thousand
// synthetic plugin events from deterministic synthetic users. Everything goes through the same services
// and the same ingestion path (validation, exposure checks, write-ahead log) as the API.

export interface DemoOptions {
  /** Synthetic users (default 1,500). */
  users?: number;
  /** Days of activity ending now (default 14); a pre-period of up to 7 days precedes them. */
  days?: number;
  /** PRNG seed: the same seed gives the same users, events and ids (timestamps are relative to now). */
  seed?: number;
  /** Project to seed (default: the first project, the one bootstrap creates). */
  projectId?: string;
}

export interface DemoResult {
  seeded: boolean;
  events: number;
}

export const DEMO_MODEL_VERSIONS = {
  production: "completion-2026-10",
  refined: "completion-2026-11-refined",
  distilled: "completion-2026-11-distilled",
} as const;
export const DEMO_EXPERIMENTS = { running: "refined-vs-production", stopped: "distilled-latency" } as const;

const PRE_PERIOD_DAYS = 7;
/**
 * Events per ingestEvents call (the API allows 5,000). Smaller batches keep each synchronous stretch
 * (generation, validation, logging) to a few tens of milliseconds, so the server stays responsive
 * while the demo data loads in the background.
 */
const BATCH_SIZE = 1_000;

// ---------------------------------------------------------------------------------------------------
// Deterministic randomness (sfc32 seeded through splitmix32): never Math.random.

class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4_294_967_296;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  normal(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Marsaglia–Tsang. */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.next(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const v = (1 + c * x) ** 3;
      if (v <= 0) continue;
      const u = this.next();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  beta(a: number, b: number): number {
    const x = this.gamma(a);
    return x / (x + this.gamma(b));
  }

  pick<T>(weighted: readonly (readonly [T, number])[]): T {
    let r = this.next() * weighted.reduce((s, [, w]) => s + w, 0);
    for (const [value, weight] of weighted) if ((r -= weight) < 0) return value;
    return weighted[weighted.length - 1][0];
  }

  /** A version-4-shaped UUID from the generator (deterministic, unlike crypto.randomUUID). */
  uuid(): string {
    const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
    const s = hex(this.uint32()) + hex((this.uint32() & 0xffff0fff) | 0x4000) + hex((this.uint32() & 0x3fffffff) | 0x80000000) + hex(this.uint32());
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}

// ---------------------------------------------------------------------------------------------------
// What users refine after accepting: small, realistic edits (a rename, an added check or line).

interface Template {
  prefix: string;
  proposal: string;
  final: string;
  suffix: string;
}

const TEMPLATES: Record<string, Template[]> = {
  python: [
    {
      prefix: "import json\n\n\ndef load_settings(path):\n",
      proposal: "    with open(path) as f:\n        data = json.load(f)\n    return data\n",
      final: "    with open(path, encoding=\"utf-8\") as f:\n        settings = json.load(f)\n    return settings\n",
      suffix: "\n\ndef main():\n    settings = load_settings(\"app.json\")\n",
    },
    {
      prefix: "import requests\n\nAPI_URL = \"https://api.example.com\"\n\n\ndef fetch_user(user_id):\n",
      proposal: "    response = requests.get(f\"{API_URL}/users/{user_id}\")\n    return response.json()\n",
      final: "    response = requests.get(f\"{API_URL}/users/{user_id}\", timeout=10)\n    response.raise_for_status()\n    return response.json()\n",
      suffix: "\n\ndef fetch_team(team_id):\n",
    },
    {
      prefix: "def total_price(items):\n",
      proposal: "    total = 0\n    for i in range(len(items)):\n        total += items[i].price\n    return total\n",
      final: "    total = 0\n    for item in items:\n        total += item.price * item.quantity\n    return total\n",
      suffix: "\n\ndef apply_discount(total, code):\n",
    },
  ],
  typescript: [
    {
      prefix: "export async function getProject(id: string): Promise<Project> {\n",
      proposal: "  const res = await fetch(`/api/projects/${id}`);\n  return res.json();\n",
      final: "  const res = await fetch(`/api/projects/${id}`);\n  if (!res.ok) throw new Error(`Failed to load project ${id}: ${res.status}`);\n  return (await res.json()) as Project;\n",
      suffix: "}\n\nexport async function listProjects(): Promise<Project[]> {\n",
    },
    {
      prefix: "function countActive(users: User[]): number {\n",
      proposal: "  const data = users.filter((u) => u.active);\n  return data.length;\n",
      final: "  const activeUsers = users.filter((user) => user.active && !user.deletedAt);\n  return activeUsers.length;\n",
      suffix: "}\n",
    },
    {
      prefix: "export function formatPrice(cents: number, currency = \"EUR\") {\n",
      proposal: "  return (cents / 100).toFixed(2) + \" \" + currency;\n",
      final: "  return new Intl.NumberFormat(\"en\", { style: \"currency\", currency }).format(cents / 100);\n",
      suffix: "}\n",
    },
  ],
  go: [
    {
      prefix: "func LoadConfig(path string) (*Config, error) {\n\tbuf, err := os.ReadFile(path)\n",
      proposal: "\tif err != nil {\n\t\treturn nil, err\n\t}\n",
      final: "\tif err != nil {\n\t\treturn nil, fmt.Errorf(\"read config %s: %w\", path, err)\n\t}\n",
      suffix: "\tvar cfg Config\n\treturn &cfg, json.Unmarshal(buf, &cfg)\n}\n",
    },
    {
      prefix: "func CountLines(path string) (int, error) {\n",
      proposal: "\tf, err := os.Open(path)\n\tif err != nil {\n\t\treturn 0, err\n\t}\n\tscanner := bufio.NewScanner(f)\n",
      final: "\tf, err := os.Open(path)\n\tif err != nil {\n\t\treturn 0, err\n\t}\n\tdefer f.Close()\n\tscanner := bufio.NewScanner(f)\n",
      suffix: "\tn := 0\n\tfor scanner.Scan() {\n\t\tn++\n\t}\n\treturn n, scanner.Err()\n}\n",
    },
  ],
  java: [
    {
      prefix: "public List<String> activeNames(List<User> users) {\n",
      proposal: "    List<String> result = new ArrayList<>();\n    for (User u : users) {\n        result.add(u.getName());\n    }\n    return result;\n",
      final: "    List<String> names = new ArrayList<>();\n    for (User user : users) {\n        if (user.isActive()) {\n            names.add(user.getName());\n        }\n    }\n    return names;\n",
      suffix: "}\n",
    },
    {
      prefix: "public Order findOrder(long id) {\n",
      proposal: "    Order order = repository.findById(id);\n    return order;\n",
      final: "    return repository.findById(id)\n        .orElseThrow(() -> new NotFoundException(\"order \" + id));\n",
      suffix: "}\n",
    },
  ],
  rust: [
    {
      prefix: "fn read_config(path: &Path) -> Result<Config, Error> {\n",
      proposal: "    let text = fs::read_to_string(path).unwrap();\n    let config = toml::from_str(&text).unwrap();\n    Ok(config)\n",
      final: "    let text = fs::read_to_string(path)?;\n    let config = toml::from_str(&text)?;\n    Ok(config)\n",
      suffix: "}\n",
    },
    {
      prefix: "fn mean(values: &[f64]) -> f64 {\n",
      proposal: "    let s: f64 = values.iter().sum();\n    s / values.len() as f64\n",
      final: "    if values.is_empty() {\n        return 0.0;\n    }\n    let sum: f64 = values.iter().sum();\n    sum / values.len() as f64\n",
      suffix: "}\n",
    },
  ],
};

/** Characters of the proposal still in the final version (longest common subsequence). */
function retainedCharacters(proposal: string, final: string): number {
  let previous = new Uint16Array(final.length + 1);
  let current = new Uint16Array(final.length + 1);
  for (let i = 1; i <= proposal.length; i++) {
    for (let j = 1; j <= final.length; j++) {
      current[j] = proposal[i - 1] === final[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
    }
    [previous, current] = [current, previous];
  }
  return previous[final.length];
}

const TEMPLATE_RETAINED = new Map(Object.values(TEMPLATES).flat().map((t) => [t, retainedCharacters(t.proposal, t.final)]));

// ---------------------------------------------------------------------------------------------------
// Synthetic users and their events.

const LANGUAGES = [["python", 0.36], ["typescript", 0.28], ["java", 0.15], ["go", 0.13], ["rust", 0.08]] as const;
/** Acceptance odds by language: completions in dynamic languages are taken a little more often. */
const LANGUAGE_ODDS: Record<string, number> = { python: 1.08, typescript: 1.04, go: 0.98, java: 0.94, rust: 0.85 };
/** Regions by the UTC hour their working day peaks. */
const PEAK_HOURS = [[13, 0.4], [17.5, 0.45], [6, 0.15]] as const;
const REJECT_REASONS = [["typed_over", 0.55], ["dismissed", 0.35], ["timeout", 0.1]] as const;

/** Treatment multiplies each user's acceptance odds: pooled acceptance ≈0.26 → ≈0.33 (published: 25.7% → 35.7%). */
const TREATMENT_ODDS = 1.48;

interface SyntheticUser {
  id: string;
  language: string;
  ide: string;
  userGroup: string;
  /** Completion requests over the whole period (heavy-tailed). */
  requests: number;
  /** Personal acceptance probability on the production model. */
  propensity: number;
  peakHour: number;
  /** First day the user is active; users who started later have no pre-period. */
  activeFromDay: number;
  hasPrePeriod: boolean;
}

function syntheticUser(rng: Rng, index: number, days: number): SyntheticUser {
  const language = rng.pick(LANGUAGES);
  const ide = rng.pick(language === "java" ? [["jetbrains", 0.7], ["vscode", 0.27], ["neovim", 0.03]] as const : [["vscode", 0.64], ["jetbrains", 0.26], ["neovim", 0.1]] as const);
  const userGroup = rng.chance(0.1) ? "internal" : "external";
  const existing = rng.chance(0.72);
  // Lognormal activity: median ≈ 3 requests a day, a long tail of users with hundreds over the period.
  const requests = Math.max(3, Math.min(2_000, Math.round(rng.logNormal(3.2 * days, 1.0))));
  return {
    id: `dev-${String(index + 1).padStart(5, "0")}`,
    language,
    ide,
    userGroup,
    requests,
    propensity: rng.beta(5, 14.8), // mean 0.25, sd ≈ 0.10 (≈0.26 after the language and group effects)
    peakHour: rng.pick(PEAK_HOURS) + rng.normal() * 1.2,
    activeFromDay: existing ? 0 : rng.int(1, Math.max(1, days - 1)),
    hasPrePeriod: existing,
  };
}

interface Serving {
  modelVersion: string;
  experimentKey?: string;
  variantKey?: string;
  /** Multiplier of the user's acceptance odds. */
  odds: number;
  latencyMedianMs: number;
  refineProbability: number;
}

type DemoEvent = Record<string, string | number>;

/**
 * A time in [from, to) on a working day near the user's peak hour (weekends are quieter). Always draws
 * the same number of random numbers, so a seed gives the same events whatever today's date is.
 */
function sessionStart(rng: Rng, user: SyntheticUser, from: number, to: number): number {
  const firstMidnight = Math.floor(from / DAY_MS) * DAY_MS;
  const spanDays = Math.ceil((to - firstMidnight) / DAY_MS);
  const dayWeights = Array.from({ length: spanDays }, (_, d) => {
    const weekday = new Date(firstMidnight + d * DAY_MS).getUTCDay();
    return [d, weekday === 0 || weekday === 6 ? 0.25 : 1] as const;
  });
  const at = firstMidnight + rng.pick(dayWeights) * DAY_MS + (user.peakHour + rng.normal() * 2.3) * 3_600_000;
  // Outside the window (the first and last day are partial): wrap around into it.
  const span = to - from;
  return Math.round(from + ((((at - from) % span) + span) % span));
}

/**
 * One user's events in [from, to) — sessions of completion requests with what followed each — sorted
 * by time. The caller adds the exposure before the first of them.
 */
function userEvents(rng: Rng, user: SyntheticUser, requests: number, from: number, to: number, serving: Serving): DemoEvent[] {
  const common = {
    userId: user.id,
    modelVersion: serving.modelVersion,
    ...(serving.experimentKey ? { experimentKey: serving.experimentKey, variantKey: serving.variantKey! } : {}),
    language: user.language,
    ide: user.ide,
    userGroup: user.userGroup,
  };
  const odds = (user.propensity / (1 - user.propensity)) * serving.odds * LANGUAGE_ODDS[user.language] * (user.userGroup === "internal" ? 1.1 : 1);
  const templates = TEMPLATES[user.language];
  const events: DemoEvent[] = [];
  let left = requests;
  while (left > 0) {
    const size = Math.min(left, 1 + Math.floor(rng.exponential(14)));
    left -= size;
    const session: DemoEvent[] = [];
    let t = sessionStart(rng, user, from, to);
    for (let i = 0; i < size; i++) {
      t += Math.round(3_000 + rng.exponential(40_000));
      const suggestionId = rng.uuid();
      const base = { ...common, suggestionId };
      session.push({ eventId: rng.uuid(), type: "requested", timestamp: t, ...base });
      if (rng.chance(0.9)) {
        // Decide the suggestion's fate up front: one that will be refined has its template's length.
        const template = rng.chance(serving.refineProbability) ? templates[rng.int(0, templates.length - 1)] : null;
        const chars = template ? template.proposal.length : 20 + Math.floor(180 * Math.pow(rng.next(), 1.6));
        const lines = template ? template.proposal.split("\n").filter(Boolean).length : Math.max(1, Math.round(chars / (22 + 20 * rng.next())));
        const latencyMs = Math.max(40, Math.round(rng.logNormal(serving.latencyMedianMs, 0.35)));
        const shownAt = t + latencyMs;
        session.push({ eventId: rng.uuid(), type: "shown", timestamp: shownAt, ...base, completionChars: chars, completionLines: lines, latencyMs });
        const decidedAt = shownAt + Math.round(300 + rng.exponential(1_500));
        // Longer completions are taken a little less often.
        const oddsHere = odds * Math.exp(-(chars - 85) / 320);
        if (rng.chance(oddsHere / (1 + oddsHere))) {
          session.push({ eventId: rng.uuid(), type: "accepted", timestamp: decidedAt, ...base, acceptedChars: chars, acceptedLines: lines });
          if (template) {
            session.push({
              eventId: rng.uuid(),
              type: "refined",
              timestamp: decidedAt + 60_000,
              ...base,
              windowSeconds: 60,
              proposal: template.proposal,
              final: template.final,
              prefix: template.prefix,
              suffix: template.suffix,
              retainedChars: TEMPLATE_RETAINED.get(template)!,
            });
          }
        } else {
          session.push({ eventId: rng.uuid(), type: "rejected", timestamp: decidedAt, ...base, reason: rng.pick(REJECT_REASONS) });
        }
        t = decidedAt;
      }
      if (rng.chance(0.35)) {
        t += Math.round(2_000 + rng.exponential(15_000));
        session.push({ eventId: rng.uuid(), type: "typed", timestamp: t, ...common, humanChars: Math.max(1, Math.min(4_000, Math.round(rng.logNormal(55, 0.9)))) });
      }
    }
    // A session running past the end of the window moves back a day (never into the future).
    const last = session.reduce((m, e) => Math.max(m, e.timestamp as number), 0);
    if (last >= to) {
      const shift = Math.ceil((last - to + 1) / DAY_MS) * DAY_MS;
      for (const e of session) e.timestamp = Math.max(from, (e.timestamp as number) - shift);
    }
    events.push(...session);
  }
  return events.sort((a, b) => (a.timestamp as number) - (b.timestamp as number));
}

// ---------------------------------------------------------------------------------------------------

const formatCount = (n: number) => n.toLocaleString("en-US");

/**
 * Seeds an empty project with demo model versions, experiments and events. Does nothing when the project
 * already has a model version, so restarts never duplicate anything. Audit rows show actor "demo-seed".
 */
export async function seedDemoData(client: Db, options: DemoOptions = {}): Promise<DemoResult> {
  const users = options.users ?? 1_500;
  const days = options.days ?? 14;
  const rng = new Rng(options.seed ?? 20261124);
  const projectId = options.projectId ?? (await client.project.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true } }))?.id;
  if (!projectId) throw new Error("seedDemoData: no project (bootstrap creates one)");
  if (await client.modelVersion.count({ where: { projectId } })) return { seeded: false, events: 0 };

  const started = Date.now();
  const principal: Principal = { kind: "user", userId: "system", email: "demo-seed", role: "admin", projectId };

  // 1. Model versions.
  await createModelVersion(client, principal, createModelVersionSchema.parse({ key: DEMO_MODEL_VERSIONS.production, name: "October production model", baseModel: "starcoder2-7b" }));
  await updateModelVersion(client, principal, DEMO_MODEL_VERSIONS.production, { status: "production", reason: "demo data: current production model" });
  await createModelVersion(
    client,
    principal,
    createModelVersionSchema.parse({
      key: DEMO_MODEL_VERSIONS.refined,
      name: "November, trained on refinements",
      baseModel: "starcoder2-7b",
      trainedOnDatasetId: "ds-refinements-2026-10",
      status: "candidate",
    }),
  );
  await createModelVersion(
    client,
    principal,
    createModelVersionSchema.parse({ key: DEMO_MODEL_VERSIONS.distilled, name: "November distilled (smaller, faster)", baseModel: "starcoder2-3b", status: "candidate" }),
  );

  // 2. Experiments: the distilled one ran and was stopped; the refinement-trained one is running.
  await createExperiment(
    client,
    principal,
    createExperimentSchema.parse({
      key: DEMO_EXPERIMENTS.stopped,
      name: "Distilled model: latency vs acceptance",
      hypothesis: "The distilled 3B model cuts p95 latency by a third without lowering the acceptance rate by more than one point.",
      variants: [
        { key: "control", modelVersion: DEMO_MODEL_VERSIONS.production, weight: 0.5 },
        { key: "treatment", modelVersion: DEMO_MODEL_VERSIONS.distilled, weight: 0.5 },
      ],
      primaryMetric: "latency_p95",
      guardrailMetrics: ["acceptance_rate", "show_rate"],
    }),
  );
  await startExperiment(client, principal, DEMO_EXPERIMENTS.stopped);
  await stopExperiment(client, principal, DEMO_EXPERIMENTS.stopped);
  await createExperiment(
    client,
    principal,
    createExperimentSchema.parse({
      key: DEMO_EXPERIMENTS.running,
      name: "Refinement-trained model vs production",
      hypothesis:
        "Fine-tuning on what developers changed after accepting a completion raises the acceptance rate, as in the published result (25.7% → 35.7%), without hurting latency or the share of accepted code that is kept.",
      variants: [
        { key: "control", modelVersion: DEMO_MODEL_VERSIONS.production, weight: 0.5 },
        { key: "treatment", modelVersion: DEMO_MODEL_VERSIONS.refined, weight: 0.5 },
      ],
      primaryMetric: "acceptance_rate",
      guardrailMetrics: ["latency_p95", "show_rate", "retention"],
    }),
  );
  await startExperiment(client, principal, DEMO_EXPERIMENTS.running);

  // The synthetic period ends now; the running experiment started at its beginning (results windows
  // start at startedAt, so the demo's events fall inside it).
  const end = Date.now() - 120_000;
  const periodStart = end - days * DAY_MS;
  const preStart = periodStart - Math.min(PRE_PERIOD_DAYS, days) * DAY_MS;
  await client.experiment.update({ where: { projectId_key: { projectId, key: DEMO_EXPERIMENTS.running } }, data: { startedAt: new Date(periodStart) } });

  // 3. Events, assigned exactly as the server assigns.
  const config = compileConfig(await loadAssignmentConfig(client, projectId));
  const production: Serving = { modelVersion: DEMO_MODEL_VERSIONS.production, odds: 1, latencyMedianMs: 180, refineProbability: 0.4 };
  let batch: DemoEvent[] = [];
  let events = 0;
  const send = async () => {
    if (!batch.length) return;
    const result = await ingestEvents(client, projectId, batch);
    if (result.rejected.length) {
      const [first] = result.rejected;
      throw new Error(`demo data: ${result.rejected.length} of ${batch.length} events rejected; events[${first.index}]: ${first.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
    }
    events += result.accepted;
    batch = [];
    await new Promise((resolve) => setImmediate(resolve)); // let the server answer requests in between
  };
  const push = async (list: DemoEvent[]) => {
    for (const event of list) {
      batch.push(event);
      if (batch.length >= BATCH_SIZE) await send();
    }
  };

  let reported = 0;
  for (let i = 0; i < users; i++) {
    const user = syntheticUser(rng, i, days);
    const assignment = assignUser(config, user.id, { language: user.language, ide: user.ide, userGroup: user.userGroup }).assignments.find((a) => a.inExperiment);
    const treatment = assignment?.variantKey === "treatment";
    const serving: Serving = assignment
      ? {
          modelVersion: assignment.modelVersion!,
          experimentKey: assignment.experimentKey,
          variantKey: assignment.variantKey!,
          odds: treatment ? TREATMENT_ODDS : 1,
          latencyMedianMs: treatment ? 170 : 180,
          refineProbability: treatment ? 0.37 : 0.4,
        }
      : production;

    // Pre-period activity on the production model, before the experiment (CUPED's covariate).
    if (user.hasPrePeriod && preStart < periodStart) {
      const preRequests = Math.round(user.requests * ((periodStart - preStart) / (end - periodStart)) * 0.3);
      if (preRequests > 0) await push(userEvents(rng, user, preRequests, preStart, periodStart, production));
    }
    const activeFrom = Math.max(periodStart + 1_000, Math.floor(periodStart / DAY_MS) * DAY_MS + user.activeFromDay * DAY_MS);
    const list = userEvents(rng, user, user.requests, Math.min(activeFrom, end - DAY_MS / 2), end, serving);
    if (assignment) {
      const exposedAt = Math.max(periodStart, (list[0].timestamp as number) - 150);
      const exposure = { eventId: rng.uuid(), type: "exposure", timestamp: exposedAt, userId: user.id, modelVersion: serving.modelVersion };
      await push([{ ...exposure, experimentKey: serving.experimentKey!, variantKey: serving.variantKey!, language: user.language, ide: user.ide, userGroup: user.userGroup }]);
    }
    await push(list);

    const progress = Math.floor(((i + 1) / users) * 10);
    if (progress > reported && progress < 10) {
      reported = progress;
      console.log(`[echo] demo data: ${progress * 10}% (${formatCount(events)} events)`);
    }
  }
  await send();
  await flushIngestion();
  console.log(`[echo] demo data: ${formatCount(events)} events from ${formatCount(users)} users over ${days} days, stored in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { seeded: true, events };
}

// Once per process, whichever copy of this module starts it (Next's instrumentation or server.ts).
const globalForDemo = globalThis as unknown as { __echoDemoSeeding?: Promise<DemoResult> };

/** Seeds demo data in the background (start-up does not wait); failures are logged, never thrown. */
export function startDemoSeeding(client: Db): Promise<DemoResult> {
  globalForDemo.__echoDemoSeeding ??= seedDemoData(client).catch((error) => {
    console.error("[echo] demo data failed:", error);
    return { seeded: false, events: 0 };
  });
  return globalForDemo.__echoDemoSeeding;
}

/** The background seeding started at start-up, if any (tests and scripts may await it). */
export function demoSeeding(): Promise<DemoResult> | undefined {
  return globalForDemo.__echoDemoSeeding;
}
