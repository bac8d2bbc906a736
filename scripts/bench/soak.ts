// Soak: minutes of steady mixed traffic against the production build — ingestion at 5,000 events/s,
// 200 assignments/s, results, refinement browsing and a page — with the server's resident memory
// (the embedded engines' included) sampled from /proc throughout.
// Every answer must be a success; memory must stay below 1 GB and flat (end within 100 MB of start).
import fs from "node:fs";
import { randomUUID } from "node:crypto";
import { BENCH_KEYS, type BenchServer } from "./server";

export interface SoakResult {
  seconds: number;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  rssStartMb: number;
  rssEndMb: number;
  rssMaxMb: number;
  /** At the end: resident memory that is file-backed (the engine's code pages, shared and reclaimable) and anonymous. */
  rssFileEndMb: number;
  rssAnonEndMb: number;
}

function residentMb(pid: number, field: "VmRSS" | "RssFile" | "RssAnon" = "VmRSS"): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m"))?.[1] ?? 0) / 1024;
}

/** A batch of one user's realistic completion traffic, refinements included. */
function batch(i: number): string {
  const events: Record<string, unknown>[] = [];
  const userId = `soak-user-${i % 3_000}`;
  const now = Date.now();
  for (let s = 0; events.length < 500; s++) {
    const suggestionId = `soak-${i}-${s}`;
    const common = { userId, suggestionId, modelVersion: "soak-base", language: ["python", "typescript", "go"][s % 3], ide: "vscode" };
    events.push({
      ...common,
      eventId: randomUUID(),
      type: "shown",
      timestamp: now - 5_000,
      completionChars: 40,
      latencyMs: 120 + (s % 80),
    });
    if (s % 3 === 0) {
      events.push({ ...common, eventId: randomUUID(), type: "accepted", timestamp: now - 4_000, acceptedChars: 40 });
      events.push({
        ...common,
        eventId: randomUUID(),
        type: "refined",
        timestamp: now - 1_000,
        windowSeconds: 60,
        proposal: `value = compute(${s})\n`,
        final: `value = compute(${s}, strict=True)\n`,
      });
    }
  }
  return JSON.stringify({ events });
}

/** POSTs at a fixed rate (requests per second) until `until`, each answer tallied. */
async function paced(
  port: number,
  route: string,
  body: (i: number) => string,
  perSecond: number,
  until: number,
  tally: (s: number) => void,
) {
  const headers = { authorization: `Bearer ${BENCH_KEYS.ingest}`, "content-type": "application/json" };
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; Date.now() < until; i++) {
    const due = started + (i * 1000) / perSecond;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const request: Promise<void> = fetch(`http://127.0.0.1:${port}${route}`, { method: "POST", headers, body: body(i) })
      .then(async (response) => {
        await response.arrayBuffer();
        tally(response.status);
      })
      .catch(() => tally(0))
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
    // A server that cannot keep up is not flooded further: at most 32 requests wait at once.
    if (inFlight.size >= 32) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

async function getLoop(port: number, paths: string[], until: number, tally: (status: number) => void) {
  for (let i = 0; Date.now() < until; i++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${paths[i % paths.length]}`, {
        headers: { authorization: `Bearer ${BENCH_KEYS.admin}` },
        redirect: "manual",
      });
      await response.arrayBuffer();
      tally(response.status);
    } catch {
      tally(0);
    }
  }
}

export async function soak(server: BenchServer, seconds: number, log: (line: string) => void): Promise<SoakResult> {
  await server.api("POST", "/api/v1/model-versions", { key: "soak-base", name: "Soak base" });
  await server.api("POST", "/api/v1/model-versions", { key: "soak-new", name: "Soak new" });
  await server.api("POST", "/api/v1/experiments", {
    key: "soak-exp",
    name: "Soak",
    variants: [
      { key: "control", modelVersion: "soak-base", weight: 0.5 },
      { key: "treatment", modelVersion: "soak-new", weight: 0.5 },
    ],
  });
  await server.api("POST", "/api/v1/experiments/soak-exp/start");
  const statuses: Record<string, number> = {};
  const tally = (status: number) => void (statuses[status] = (statuses[status] ?? 0) + 1);
  const rss: number[] = [residentMb(server.pid)];
  const sampler = setInterval(() => {
    rss.push(residentMb(server.pid));
    if (rss.length % 6 === 0) log(`${Math.round((rss.length * 10) / 60)} min: resident ${Math.round(rss.at(-1)!)} MB`);
  }, 10_000);
  const until = Date.now() + seconds * 1000;
  await Promise.all([
    // A busy product's steady traffic, not a flood: 5,000 events/s and 200 assignments/s.
    paced(server.port, "/api/v1/events", (i) => batch(i), 10, until, tally),
    paced(server.port, "/api/v1/assign", (i) => JSON.stringify({ userId: `soak-user-${i % 5_000}` }), 200, until, tally),
    getLoop(server.port, ["/api/v1/experiments/soak-exp/results", "/api/v1/experiments/soak-exp/results?metric=latency_p95"], until, tally),
    getLoop(
      server.port,
      ["/api/v1/refinements?limit=50", "/api/v1/refinements/outcomes", "/api/v1/model-versions", "/login"],
      until,
      tally,
    ),
  ]);
  clearInterval(sampler);
  rss.push(residentMb(server.pid));
  const requests = Object.values(statuses).reduce((sum, n) => sum + n, 0);
  const errors = Object.entries(statuses)
    .filter(([status]) => Number(status) < 200 || Number(status) >= 300)
    .reduce((sum, [, n]) => sum + n, 0);
  // The first sample after a minute of traffic is the baseline: start-up and first queries allocate once.
  const start = rss[Math.min(6, rss.length - 1)];
  return {
    seconds,
    requests,
    errors,
    statuses,
    rssStartMb: start,
    rssEndMb: rss.at(-1)!,
    rssMaxMb: Math.max(...rss),
    rssFileEndMb: residentMb(server.pid, "RssFile"),
    rssAnonEndMb: residentMb(server.pid, "RssAnon"),
  };
}
