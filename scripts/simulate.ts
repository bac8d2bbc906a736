// npm run simulate: realistic completion traffic through Echo's public HTTP API with an ingest key.
// The scenario and user model are lib/simulation/scenario.ts, a user's events lib/simulation/traffic.ts,
// assignment and sending lib/simulation/run.ts; this file parses the flags, sends over fetch, draws the
// progress bar and prints the summary. `npm run simulate -- --help` lists the flags.
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import {
  PUBLISHED,
  resolveScenario,
  SCENARIOS,
  ScenarioError,
  type ArmPair,
  type ScenarioName,
  type Truth,
} from "@/lib/simulation/scenario";
import {
  loadConfig,
  MAX_BATCH,
  precedenceWarning,
  setupExperiment,
  simulate,
  SimulationError,
  type SimulationProgress,
  type SimulationSummary,
  type Transport,
} from "@/lib/simulation/run";

const DEMO_INGEST_KEY = "echo_ingest_demo_key_0000000000000000";
const DEMO_ADMIN_KEY = "echo_admin_demo_key_00000000000000000";
const DEMO_EXPERIMENT = "refined-vs-production";

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const pair = (p: ArmPair) => `${p.control},${p.treatment}`;

const USAGE = `Usage: npm run simulate -- [options]

Sends simulated completion traffic (requested, shown, accepted/rejected, refined, typed, exposure) to a
running Echo server through POST /api/v1/events, for the users of a running experiment.

Target
  --url <url>                  server (default http://localhost:3000)
  --key <key>                  ingest API key (default the demo key ${DEMO_INGEST_KEY})
  --experiment <key>           a running experiment with variants control and treatment
                               (default ${DEMO_EXPERIMENT}, the demo's; with --setup: sim-<scenario>-<seed>)
  --setup                      first create two model versions and a running 50/50 experiment (admin key)
  --admin-key <key>            admin API key for --setup (default the demo key ${DEMO_ADMIN_KEY})
  --exposures events|assign    events (default): SDK exposure events; assign: POST /api/v1/assign per user too

Traffic
  --scenario ${SCENARIOS.join("|")}     default: the published lift; aa: no difference; srm: 55/45 exposures
  --seed <n>                   same seed, same users and behaviour (default 1)
  --users <n>                  simulated users (default 2000)
  --days <n>                   events spread over the last n days (default 7, at most 700)
  --end <date-time>            end of the simulated period (default a minute ago); with --seed, the same events
  --user-prefix <prefix>       user ids <prefix>-000001… (default sim-<scenario>-<seed>)

Scenario (defaults reproduce the published figures)
  --acceptance <c>,<t>         acceptance rate, all users (default ${pair(PUBLISHED.acceptance)})
  --external-acceptance <c>,<t>  external users (default ${pair(PUBLISHED.externalAcceptance)})
  --external-generation <c>,<t>  generation rate of external users (default ${pair(PUBLISHED.externalGeneration)})
  --internal-share <x>         share of users who are internal (default 0.3333)
  --internal-activity <x>      internal users' activity relative to external users' (default 2)
  --srm-share <x>              srm: control's share of exposures (default 0.55)
  --requests-per-day <x>       mean completion requests per user and day (default 5)

Limits and sending
  --rate <events/s>            throttle (default: as fast as the server answers)
  --events <n>                 stop after n events
  --duration <seconds>         stop after this long
  --concurrency <n>            requests in flight (default 4)
  --batch <n>                  events per POST (at most ${MAX_BATCH}; default ${MAX_BATCH})
  --json                       print the summary as JSON on stdout
  -h, --help

Ctrl-C stops generating, lets the requests in flight finish and prints the summary; a second Ctrl-C quits at once.
`;

class UsageError extends Error {}

function number(name: string, value: string | undefined, check: (n: number) => boolean = () => true): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.trim().endsWith("%") ? Number(value.trim().slice(0, -1)) / 100 : value);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${name}: not a valid value: '${value}'`);
  return n;
}

function armPair(name: string, value: string | undefined): ArmPair | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(",");
  if (parts.length !== 2) throw new UsageError(`--${name}: expected <control>,<treatment> (e.g. 0.25,0.35 or 25%,35%)`);
  return { control: number(name, parts[0], (n) => n > 0 && n < 1)!, treatment: number(name, parts[1], (n) => n > 0 && n < 1)! };
}

function fetchTransport(baseUrl: string): Transport {
  const origin = baseUrl.replace(/\/+$/, "");
  return async ({ method, path, key, body }) => {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { error: { message: text.slice(0, 300) } };
    }
    return { status: response.status, body: parsed, retryAfter: response.headers.get("retry-after") };
  };
}

function printSummary(summary: SimulationSummary, url: string, truth: Truth) {
  const n = (x: number) => x.toLocaleString("en-US");
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([key, count]) => `${key} ${n(count)}`)
      .join(", ");
  const arms = (p: ArmPair) => `${pct(p.control)} → ${pct(p.treatment)}`;
  const seconds = summary.elapsedMs / 1000;
  const { users, events: e } = summary;
  const assigned = [
    counts(users.assigned),
    ...(users.notInExperiment ? [`not in the experiment ${n(users.notInExperiment)}`] : []),
    ...(users.exposureLost ? [`exposures lost (srm) ${n(users.exposureLost)}`] : []),
  ];
  const results = `${url.replace(/\/+$/, "")}/api/v1/experiments/${encodeURIComponent(summary.experimentKey)}/results`;
  const lines = [
    "",
    `Simulation of '${summary.experimentKey}' (scenario ${summary.scenario}, seed ${summary.seed}, users ${summary.userPrefix}-…)`,
    `  period          ${summary.window.from} → ${summary.window.to}`,
    `  users           ${n(users.generated)} (external ${n(users.byGroup.external)}, internal ${n(users.byGroup.internal)})`,
    `  assigned        ${assigned.join("; ")}`,
    `  exposures       ${counts(summary.exposures)}`,
    ...(summary.assign
      ? [
          `  POST /assign    ${n(summary.assign.requests)} requests: ${counts(summary.assign.variants)}; ` +
            `disagreeing with the local assignment ${n(summary.assign.mismatches)}`,
        ]
      : []),
    `  events sent     ${n(e.sent)} in ${n(summary.requests)} requests (${n(summary.retries)} retries), ${seconds.toFixed(1)} s, ` +
      `${n(Math.round(e.sent / Math.max(seconds, 0.001)))} events/s`,
    `  accepted        ${n(e.accepted)}`,
    `  duplicates      ${n(e.duplicates)}`,
    `  rejected        ${n(e.rejected)}`,
    ...(e.failed ? [`  failed          ${n(e.failed)} (given up after retries, or refused whole)`] : []),
    ...(summary.stoppedBy ? [`  stopped by      ${summary.stoppedBy}`] : []),
    ...summary.rejections.slice(0, 5).map((r) => `  refused: ${r}`),
    ...summary.errors.slice(0, 5).map((r) => `  error: ${r}`),
    `  true rates      acceptance ${arms(truth.acceptance.overall)} (external ${arms(truth.acceptance.external)}, ` +
      `internal ${arms(truth.acceptance.internal)}); generation of external users ${arms(truth.generation.external)}`,
    `  results         GET ${results}?from=${encodeURIComponent(summary.window.from)}&segment=userGroup`,
    "                  (with a read key; events from before the experiment started count only with this from)",
  ];
  console.log(lines.join("\n"));
}

async function main() {
  const { values } = parseArgs({
    options: {
      url: { type: "string", default: "http://localhost:3000" },
      key: { type: "string", default: DEMO_INGEST_KEY },
      experiment: { type: "string" },
      setup: { type: "boolean", default: false },
      "admin-key": { type: "string", default: DEMO_ADMIN_KEY },
      exposures: { type: "string", default: "events" },
      scenario: { type: "string", default: "default" },
      seed: { type: "string", default: "1" },
      users: { type: "string", default: "2000" },
      days: { type: "string", default: "7" },
      end: { type: "string" },
      "user-prefix": { type: "string" },
      acceptance: { type: "string" },
      "external-acceptance": { type: "string" },
      "external-generation": { type: "string" },
      "internal-share": { type: "string" },
      "internal-activity": { type: "string" },
      "srm-share": { type: "string" },
      "requests-per-day": { type: "string" },
      rate: { type: "string" },
      events: { type: "string" },
      duration: { type: "string" },
      concurrency: { type: "string", default: "4" },
      batch: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const scenarioName = values.scenario as ScenarioName;
  if (!SCENARIOS.includes(scenarioName)) throw new UsageError(`--scenario: one of ${SCENARIOS.join(", ")}`);
  if (values.exposures !== "events" && values.exposures !== "assign") throw new UsageError("--exposures: events or assign");
  const seed = number("seed", values.seed, (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32)!;
  const users = number("users", values.users, (n) => Number.isInteger(n) && n >= 0)!;
  const end = values.end === undefined ? undefined : Date.parse(values.end);
  if (end !== undefined && !Number.isFinite(end)) throw new UsageError(`--end: not an ISO-8601 date-time: '${values.end}'`);
  const scenario = resolveScenario({
    scenario: scenarioName,
    days: number("days", values.days, (n) => n > 0),
    acceptance: armPair("acceptance", values.acceptance),
    externalAcceptance: armPair("external-acceptance", values["external-acceptance"]),
    externalGeneration: armPair("external-generation", values["external-generation"]),
    internalShare: number("internal-share", values["internal-share"]),
    internalActivity: number("internal-activity", values["internal-activity"]),
    srmControlShare: number("srm-share", values["srm-share"]),
    requestsPerDay: number("requests-per-day", values["requests-per-day"]),
  });
  const transport = fetchTransport(values.url);
  const experimentKey = values.experiment ?? (values.setup ? `sim-${scenarioName}-${seed}` : DEMO_EXPERIMENT);

  if (values.setup) {
    const setup = await setupExperiment(transport, values["admin-key"], experimentKey);
    console.error(
      `[simulate] experiment '${experimentKey}' ${setup.action} (control ${setup.modelVersions.control}, ` +
        `treatment ${setup.modelVersions.treatment}), started ${setup.startedAt}`,
    );
  }
  const config = await loadConfig(transport, values.key);
  const experiment = config.experiments.find((e) => e.key === experimentKey);
  if (!experiment) {
    const running = config.experiments.map((e) => `'${e.key}'`).join(", ") || "none";
    throw new SimulationError(`experiment '${experimentKey}' is not running (GET /api/v1/config lists ${running}); --setup creates one`);
  }
  const variants = experiment.variants.map((v) => v.key);
  if (!variants.includes("control") || !variants.includes("treatment")) {
    const roles = "the first behaves as the control, the others as the treatment";
    console.error(`[simulate] warning: '${experimentKey}' has variants ${variants.join(", ")}: ${roles}`);
  }
  const warning = precedenceWarning(config, experimentKey);
  if (warning) console.error(`[simulate] warning: ${warning}`);

  const maxEvents = number("events", values.events, (n) => Number.isInteger(n) && n > 0);
  const bar = new cliProgress.SingleBar(
    {
      format:
        `simulating |{bar}| {percentage}% | ${maxEvents ? "events" : "users"} {value}/{total} | ` +
        "{events} events | {speed} events/s | dup {duplicates} | rejected {rejected} | {duration_formatted}",
      stream: process.stderr,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5_000,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = (p?: SimulationProgress) => ({
    events: (p?.eventsDone ?? 0).toLocaleString("en-US"),
    speed: Math.round(p?.eventsPerSecond ?? 0).toLocaleString("en-US"),
    duplicates: p?.duplicates ?? 0,
    rejected: p?.rejected ?? 0,
  });
  bar.start(maxEvents ?? users, 0, payload());

  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    bar.stop();
    console.error("\n[simulate] stopping: finishing the requests in flight (Ctrl-C again to quit at once)");
  };
  process.on("SIGINT", onSigint);
  let summary: SimulationSummary;
  try {
    summary = await simulate({
      transport,
      ingestKey: values.key,
      experimentKey,
      scenario,
      seed,
      users,
      end,
      userPrefix: values["user-prefix"],
      exposures: values.exposures,
      rate: number("rate", values.rate, (n) => n > 0),
      maxEvents,
      durationMs: values.duration === undefined ? undefined : number("duration", values.duration, (n) => n > 0)! * 1000,
      concurrency: number("concurrency", values.concurrency, (n) => Number.isInteger(n) && n >= 1),
      batchSize: number("batch", values.batch, (n) => Number.isInteger(n) && n >= 1 && n <= MAX_BATCH),
      signal: controller.signal,
      onProgress: (p) => {
        if (!controller.signal.aborted) bar.update(maxEvents ? Math.min(maxEvents, p.eventsDone) : p.usersDone, payload(p));
      },
    });
  } finally {
    bar.stop();
    process.off("SIGINT", onSigint);
  }
  if (values.json) console.log(JSON.stringify({ ...summary, truth: scenario.truth }, null, 2));
  else printSummary(summary, values.url, scenario.truth);
  if (summary.stoppedBy === "interrupted") return 130;
  return summary.stoppedBy === "error" || summary.events.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    if ((error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) error = new UsageError((error as Error).message);
    if (error instanceof UsageError || error instanceof ScenarioError || error instanceof SimulationError) {
      console.error(`[simulate] ${error.message}`);
      if (error instanceof UsageError) console.error("Run with --help for the flags.");
    } else if (error instanceof TypeError && /fetch failed/.test(error.message)) {
      console.error(`[simulate] cannot reach the server: ${String((error as { cause?: unknown }).cause ?? error.message)}`);
    } else console.error(error);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
