// Results at scale: N synthetic events (default 10 million) over 20,000 users and 14 days, written
// straight into a fresh embedded ClickHouse, then GET .../results timed in-process against the single
// aggregation query underneath it (lib/results/queries.ts userDayRows), both measured in this run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface ResultsBench {
  events: number;
  loadSeconds: number;
  resultsMs: number;
  aggregationMs: number;
}

const DAY = 86_400_000;

export async function benchResults(totalEvents: number, log: (line: string) => void): Promise<ResultsBench> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-bench-results-"));
  process.env.ECHO_DATA_DIR = dataDir;
  process.env.ECHO_DEMO = "0";
  const { startup } = await import("../../lib/startup");
  const { db, closeDatabase } = await import("../../lib/db");
  const { clickhouseHandle } = await import("../../lib/clickhouse/client");
  const { closeClickHouse } = await import("../../lib/clickhouse");
  const { createModelVersion } = await import("../../lib/experiments/modelVersions");
  const { createExperiment, startExperiment } = await import("../../lib/experiments/experiments");
  const { createExperimentSchema } = await import("../../lib/experiments/schemas");
  const { loadAssignmentConfig } = await import("../../lib/experiments/config");
  const { assignUser } = await import("../../lib/assignment");
  const { experimentResults } = await import("../../lib/results");
  const { userDayRows } = await import("../../lib/results/queries");
  const { resultsQuerySchema } = await import("../../lib/results/schema");
  const { EVENT_COLUMNS } = await import("../../lib/events/rows");
  const { EXPOSURE_COLUMNS } = await import("../../lib/events/store");
  const { tsvRow } = await import("../../lib/clickhouse/tsv");
  const { clickhouseTime } = await import("../../lib/events/rows");

  await startup();
  const client = await db();
  const project = (await client.project.findFirstOrThrow()).id;
  const principal = { kind: "user" as const, userId: "bench", email: "bench", role: "admin" as const, projectId: project };
  for (const key of ["base", "refined"]) await createModelVersion(client, principal, { key, name: key });
  await createExperiment(client, principal, createExperimentSchema.parse({ key: "scale", name: "Scale", variants: [{ key: "control", modelVersion: "base", weight: 0.5 }, { key: "treatment", modelVersion: "refined", weight: 0.5 }] }));
  await startExperiment(client, principal, "scale");
  const config = await loadAssignmentConfig(client, project);
  const handle = await clickhouseHandle();

  const users = 20_000;
  const start = Date.now() - 14 * DAY;
  let seed = 1;
  const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const variantOf = Array.from({ length: users }, (_, u) => assignUser(config, `u${u}`).assignments[0].variantKey!);
  const exposedAt = Array.from({ length: users }, (_, u) => start + (u % 7) * DAY);
  const exposures = variantOf.map((variant, u) =>
    tsvRow({ project_id: project, experiment_key: "scale", phase: 1, user_id: `u${u}`, variant_key: variant, model_version: variant === "control" ? "base" : "refined", first_exposed_at: clickhouseTime(exposedAt[u]), last_exposed_at: clickhouseTime(exposedAt[u]) }, EXPOSURE_COLUMNS),
  );
  await handle.insertTsv("exposures", EXPOSURE_COLUMNS, Buffer.from(exposures.join("\n") + "\n"));

  const t0 = Date.now();
  const chunk = 500_000;
  let written = 0;
  let eventId = 0;
  const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
  while (written < totalEvents) {
    const lines: string[] = [];
    while (lines.length < chunk && written + lines.length < totalEvents) {
      const u = Math.floor(random() ** 2 * users); // heavy users
      const variant = variantOf[u];
      const at = exposedAt[u] + Math.floor(random() * (Date.now() - exposedAt[u]));
      const suggestion = `s${eventId}`;
      const base = { project_id: project, user_id: `u${u}`, model_version: variant === "control" ? "base" : "refined", experiment_key: "scale", variant_key: variant, language: "python", ide: "vscode", user_group: "external", completion_chars: 0, completion_lines: 0, latency_ms: 0, accepted_chars: 0, accepted_lines: 0, reason: "", window_seconds: 0, proposal: "", final: "", prefix: "", suffix: "", retained_chars: null, human_chars: 0 };
      lines.push(tsvRow({ ...base, event_id: uuid(eventId++), type: "requested", timestamp: clickhouseTime(at), suggestion_id: suggestion }, EVENT_COLUMNS));
      lines.push(tsvRow({ ...base, event_id: uuid(eventId++), type: "shown", timestamp: clickhouseTime(at + 100), suggestion_id: suggestion, completion_chars: 60, latency_ms: 100 + Math.floor(random() * 200) }, EVENT_COLUMNS));
      if (random() < (variant === "control" ? 0.26 : 0.3)) {
        lines.push(tsvRow({ ...base, event_id: uuid(eventId++), type: "accepted", timestamp: clickhouseTime(at + 2000), suggestion_id: suggestion, accepted_chars: 60 }, EVENT_COLUMNS));
      } else lines.push(tsvRow({ ...base, event_id: uuid(eventId++), type: "rejected", timestamp: clickhouseTime(at + 2000), suggestion_id: suggestion }, EVENT_COLUMNS));
    }
    await handle.insertTsv("events", EVENT_COLUMNS, Buffer.from(lines.join("\n") + "\n"));
    written += lines.length;
    log(`  loaded ${written.toLocaleString("en-US")} events`);
  }
  const loadSeconds = (Date.now() - t0) / 1000;

  const query = resultsQuerySchema.parse({ from: new Date(start - DAY).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });
  const window = { projectId: project, experimentKey: "scale", phase: 1, from: clickhouseTime(query.from!.getTime()), to: clickhouseTime(query.to!.getTime()), lookbackDays: 14 };
  const best = async (f: () => Promise<unknown>) => {
    await f(); // warm-up
    let min = Infinity;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await f();
      min = Math.min(min, performance.now() - t);
    }
    return min;
  };
  const aggregationMs = await best(() => userDayRows(window));
  const resultsMs = await best(() => experimentResults(client, principal, "scale", query));
  await closeDatabase();
  await closeClickHouse();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { events: written, loadSeconds, resultsMs, aggregationMs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] || 1_000_000);
  benchResults(n, console.log).then((r) => {
    console.log(r);
    process.exit(0);
  });
}
