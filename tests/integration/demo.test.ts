import { beforeAll, describe, expect, it } from "vitest";
import { assignUser } from "@/lib/assignment";
import { clickhouse } from "@/lib/clickhouse";
import { database } from "@/lib/runtime/database";
import { DEMO_EXPERIMENTS, DEMO_DATASET, DEMO_MODEL_VERSIONS, demoSeeding, seedDemoData, type DemoResult } from "@/lib/demo/seed";
import { DEMO_SECRETS } from "@/lib/demo/templates";
import { loadAssignmentConfig } from "@/lib/experiments/assignmentConfig";
import { flushIngestion } from "@/lib/ingestion/log";
import { runPipelinePass } from "@/lib/refinements/pipeline";
import { startup } from "@/lib/runtime/startup";
import { ADMIN_KEY, call } from "./http";

const USERS = 200;
const DAYS = 7;

async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const client = await clickhouse();
  return (await client.query({ query, query_params: params, format: "JSONEachRow" })).json<T>();
}

async function eventCount(projectId: string): Promise<number> {
  await flushIngestion();
  const [row] = await rows<{ n: string }>("SELECT count() AS n FROM events FINAL WHERE project_id = {p:String}", { p: projectId });
  return Number(row.n);
}

let projectId: string;
let result: DemoResult;
let startedAt: number;

beforeAll(async () => {
  await startup();
  const client = await database();
  projectId = (await client.project.findFirstOrThrow({ orderBy: { createdAt: "asc" } })).id;
  startedAt = Date.now();
  result = await seedDemoData(client, { users: USERS, days: DAYS });
  await flushIngestion();
});

describe("demo data", () => {
  it("is not started in the background when ECHO_DEMO=0", () => {
    expect(demoSeeding()).toBeUndefined();
  });

  it("registers the three model versions with their lineage, audited as demo-seed", async () => {
    expect(result.seeded).toBe(true);
    const client = await database();
    const versions = await client.modelVersion.findMany({ where: { projectId }, orderBy: { key: "asc" } });
    expect(versions.map((v) => [v.key, v.status, v.baseModel, v.trainedOnDatasetId])).toEqual([
      [DEMO_MODEL_VERSIONS.production, "production", "starcoder2-7b", null],
      // Made production after its experiment, then rolled back (lib/demo/releases.ts).
      [DEMO_MODEL_VERSIONS.distilled, "retired", "starcoder2-3b", null],
      [DEMO_MODEL_VERSIONS.refined, "candidate", "starcoder2-7b", expect.any(String)],
    ]);
    // The refined model names a real dataset: the production model's samples, frozen.
    const dataset = await client.dataset.findFirstOrThrow({ where: { projectId, name: DEMO_DATASET } });
    expect(versions.find((v) => v.key === DEMO_MODEL_VERSIONS.refined)!.trainedOnDatasetId).toBe(dataset.id);
    expect(dataset.sampleCount).toBeGreaterThan(0);
    const audit = await client.auditLog.findMany({ where: { projectId } });
    expect(audit.length).toBeGreaterThanOrEqual(9);
    expect(new Set(audit.map((a) => a.actor))).toEqual(new Set(["demo-seed"]));
  });

  it("has a release history: a past rollback and a ramp of the refined model in progress, with its guardrails evaluated", async () => {
    const client = await database();
    const changes = await client.productionChange.findMany({ where: { projectId }, orderBy: { at: "asc" } });
    expect(changes.map((c) => [c.kind, c.modelVersionKey, c.previousVersionKey])).toEqual([
      ["manual", DEMO_MODEL_VERSIONS.production, null],
      ["promotion", DEMO_MODEL_VERSIONS.distilled, DEMO_MODEL_VERSIONS.production],
      ["rollback", DEMO_MODEL_VERSIONS.production, DEMO_MODEL_VERSIONS.distilled],
    ]);
    expect(changes[2].at.getTime()).toBeLessThan(Date.now() - 4 * 86_400_000);
    const ramp = await client.promotion.findFirstOrThrow({ where: { projectId, status: "running" } });
    expect(ramp).toMatchObject({
      modelVersionKey: DEMO_MODEL_VERSIONS.refined,
      baselineVersionKey: DEMO_MODEL_VERSIONS.production,
      stepIndex: 0,
    });
    expect(ramp.checks).toMatchObject({ step: 0, percent: 5 });
    const config = await loadAssignmentConfig(client, projectId);
    expect(config.rollout).toMatchObject({ modelVersion: DEMO_MODEL_VERSIONS.refined, share: 0.05 });
    // The landing page says the same: production since the rollback, not since the seeding ran.
    const { GET } = await import("@/app/api/v1/overview/route");
    const overview = await call(GET, "GET", "/api/v1/overview", { key: ADMIN_KEY });
    expect(overview.status).toBe(200);
    expect(overview.body.production).toMatchObject({ key: DEMO_MODEL_VERSIONS.production, since: changes[2].at.toISOString() });
  });

  it("runs the refinement experiment and has stopped the distilled one", async () => {
    const client = await database();
    const experiments = await client.experiment.findMany({
      where: { projectId },
      include: { variants: { include: { modelVersion: true }, orderBy: { position: "asc" } } },
    });
    const byKey = new Map(experiments.map((e) => [e.key, e]));
    const running = byKey.get(DEMO_EXPERIMENTS.running)!;
    const stopped = byKey.get(DEMO_EXPERIMENTS.stopped)!;
    expect(running.status).toBe("running");
    expect(running.variants.map((v) => [v.key, v.modelVersion.key, v.weight])).toEqual([
      ["control", DEMO_MODEL_VERSIONS.production, 0.5],
      ["treatment", DEMO_MODEL_VERSIONS.refined, 0.5],
    ]);
    expect(stopped.status).toBe("stopped");
    expect(stopped.stoppedAt).not.toBeNull();
    expect(stopped.variants.map((v) => v.modelVersion.key)).toEqual([DEMO_MODEL_VERSIONS.production, DEMO_MODEL_VERSIONS.distilled]);
    // The running experiment starts where its synthetic data does, so its results window covers it.
    const [first] = await rows<{ at: string }>(
      "SELECT toUnixTimestamp64Milli(min(first_exposed_at)) AS at FROM exposures WHERE project_id = {p:String} AND experiment_key = {e:String}",
      { p: projectId, e: DEMO_EXPERIMENTS.running },
    );
    expect(running.startedAt!.getTime()).toBeLessThanOrEqual(Number(first.at));
    expect(running.startedAt!.getTime()).toBeGreaterThan(startedAt - (DAYS + 1) * 86_400_000);
  });

  it("gives the stopped experiment a week of its own users before the running one, with a faster distilled model", async () => {
    const client = await database();
    const stopped = await client.experiment.findUniqueOrThrow({ where: { projectId_key: { projectId, key: DEMO_EXPERIMENTS.stopped } } });
    const running = await client.experiment.findUniqueOrThrow({ where: { projectId_key: { projectId, key: DEMO_EXPERIMENTS.running } } });
    const [from, to] = [stopped.startedAt!.getTime(), stopped.stoppedAt!.getTime()];
    expect(to - from).toBe(7 * 86_400_000);
    expect(to).toBeLessThan(running.startedAt!.getTime());
    const [exposed] = await rows<{ users: string; first: string; last: string; shared: string }>(
      `SELECT uniqExact(user_id) AS users, toUnixTimestamp64Milli(min(first_exposed_at)) AS first,
              toUnixTimestamp64Milli(max(first_exposed_at)) AS last,
              (SELECT count() FROM exposures WHERE project_id = {p:String} AND experiment_key = {r:String}
                 AND user_id IN (SELECT user_id FROM exposures WHERE project_id = {p:String} AND experiment_key = {e:String})) AS shared
       FROM exposures WHERE project_id = {p:String} AND experiment_key = {e:String}`,
      { p: projectId, e: DEMO_EXPERIMENTS.stopped, r: DEMO_EXPERIMENTS.running },
    );
    expect(Number(exposed.users)).toBe(Math.round(USERS * 0.4));
    expect(Number(exposed.first)).toBeGreaterThanOrEqual(from);
    expect(Number(exposed.last)).toBeLessThan(to);
    expect(Number(exposed.shared)).toBe(0); // users of its own
    const [late] = await rows<{ n: string }>(
      "SELECT count() AS n FROM events FINAL WHERE project_id = {p:String} AND experiment_key = {e:String} AND (timestamp < {from:DateTime64(3)} OR timestamp >= {to:DateTime64(3)})",
      { p: projectId, e: DEMO_EXPERIMENTS.stopped, from: from / 1000, to: to / 1000 },
    );
    expect(Number(late.n)).toBe(0);

    // Its result, as the page shows it over its own dates: p95 latency down by about a third, significant.
    const { GET } = await import("@/app/api/v1/experiments/[key]/results/route");
    const latency = await call(GET, "GET", "/x", {
      key: ADMIN_KEY,
      params: { key: DEMO_EXPERIMENTS.stopped },
      query: { metric: "latency_p95" },
    });
    expect(latency.status).toBe(200);
    const [control, distilled] = latency.body.variants;
    expect(control.users + distilled.users).toBe(Number(exposed.users));
    expect(distilled.lift.relative).toBeLessThan(-0.25);
    expect(distilled.lift.relative).toBeGreaterThan(-0.45);
    expect(distilled.significant).toBe(true);
    const acceptance = await call(GET, "GET", "/x", {
      key: ADMIN_KEY,
      params: { key: DEMO_EXPERIMENTS.stopped },
      query: { metric: "acceptance_rate" },
    });
    for (const variant of acceptance.body.variants) {
      expect(variant.rate).toBeGreaterThan(0.15);
      expect(variant.rate).toBeLessThan(0.5);
    }
  });

  it("stores every generated event, none in the future", async () => {
    expect(result.events).toBeGreaterThan(5_000);
    expect(await eventCount(projectId)).toBe(result.events);
    const [span] = await rows<{ latest: string; types: string[] }>(
      "SELECT toUnixTimestamp64Milli(max(timestamp)) AS latest, groupUniqArray(type) AS types FROM events FINAL WHERE project_id = {p:String}",
      { p: projectId },
    );
    expect(Number(span.latest)).toBeLessThanOrEqual(Date.now());
    expect([...span.types].sort()).toEqual(["accepted", "exposure", "refined", "rejected", "requested", "shown", "typed"]);
    // A plain accept reports its proposal as the final, with every character retained; the others changed it.
    const [refined] = await rows<{ n: string; bad: string; unchanged: string }>(
      `SELECT count() AS n, countIf(final = proposal) AS unchanged,
              countIf(retained_chars > length(proposal) OR window_seconds != 60 OR prefix = ''
                      OR (final = proposal AND retained_chars != length(proposal))) AS bad
       FROM events FINAL WHERE project_id = {p:String} AND type = 'refined'`,
      { p: projectId },
    );
    expect(Number(refined.n)).toBeGreaterThan(0);
    expect(Number(refined.bad)).toBe(0);
    expect(Number(refined.unchanged) / Number(refined.n)).toBeGreaterThan(0.2);
    expect(Number(refined.unchanged) / Number(refined.n)).toBeLessThan(0.6);
  });

  it("exposes every user in the variant the server's assignment gives them", async () => {
    const config = await loadAssignmentConfig(await database(), projectId);
    const exposed = await rows<{ user_id: string; variants: string[] }>(
      "SELECT user_id, groupUniqArray(variant_key) AS variants FROM exposures WHERE project_id = {p:String} AND experiment_key = {e:String} GROUP BY user_id",
      { p: projectId, e: DEMO_EXPERIMENTS.running },
    );
    expect(exposed).toHaveLength(USERS);
    for (const { user_id, variants } of exposed) {
      expect(variants).toEqual([
        assignUser(config, user_id).assignments.find((a) => a.experimentKey === DEMO_EXPERIMENTS.running)!.variantKey,
      ]);
    }
    const treated = exposed.filter((e) => e.variants[0] === "treatment").length;
    expect(Math.abs(treated - USERS / 2)).toBeLessThan(USERS * 0.15);
  });

  it("shows a higher acceptance rate for the refinement-trained model after exposure", async () => {
    const rates = await rows<{ variant: string; model: string; shown: string; accepted: string }>(
      `SELECT x.variant AS variant, any(e.model_version) AS model, countIf(e.type = 'shown') AS shown, countIf(e.type = 'accepted') AS accepted
       FROM events AS e FINAL
       INNER JOIN (SELECT user_id, any(variant_key) AS variant, min(first_exposed_at) AS first_at FROM exposures
                   WHERE project_id = {p:String} AND experiment_key = {e:String} GROUP BY user_id) AS x ON e.user_id = x.user_id
       WHERE e.project_id = {p:String} AND e.timestamp >= x.first_at
       GROUP BY variant ORDER BY variant`,
      { p: projectId, e: DEMO_EXPERIMENTS.running },
    );
    const rate = Object.fromEntries(rates.map((r) => [r.variant, Number(r.accepted) / Number(r.shown)]));
    expect(rates.map((r) => [r.variant, r.model])).toEqual([
      ["control", DEMO_MODEL_VERSIONS.production],
      ["treatment", DEMO_MODEL_VERSIONS.refined],
    ]);
    expect(rate.treatment).toBeGreaterThan(rate.control);
    expect(rate.control).toBeGreaterThan(0.15);
    expect(rate.treatment).toBeLessThan(0.5);
  });

  it("includes pre-exposure activity on the production model for CUPED", async () => {
    const [pre] = await rows<{ users: string; events: string; models: string[] }>(
      `SELECT uniqExact(e.user_id) AS users, count() AS events, groupUniqArray(e.model_version) AS models
       FROM events AS e FINAL
       INNER JOIN (SELECT user_id, min(first_exposed_at) AS first_at FROM exposures WHERE project_id = {p:String} GROUP BY user_id) AS x ON e.user_id = x.user_id
       WHERE e.project_id = {p:String} AND e.timestamp < x.first_at`,
      { p: projectId },
    );
    expect(Number(pre.users)).toBeGreaterThan(USERS * 0.4);
    expect(Number(pre.users)).toBeLessThan(USERS);
    expect(Number(pre.events)).toBeGreaterThan(result.events * 0.05);
    expect(pre.models).toEqual([DEMO_MODEL_VERSIONS.production]);
  });

  it("gives the refinement pipeline varied samples: kept, unchanged, noise, syntax errors and redacted secrets", async () => {
    await flushIngestion();
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the pipeline reads events inserted until a second ago
    await runPipelinePass(await database());
    const outcomes = await rows<{ outcome: string; n: string }>(
      "SELECT outcome, count() AS n FROM refinement_samples FINAL WHERE project_id = {p:String} GROUP BY outcome",
      { p: projectId },
    );
    const byOutcome = Object.fromEntries(outcomes.map((r) => [r.outcome, Number(r.n)]));
    const total = Object.values(byOutcome).reduce((a, b) => a + b, 0);
    const refinedQuery = "SELECT count() AS n FROM events FINAL WHERE project_id = {p:String} AND type = 'refined'";
    const [refined] = await rows<{ n: string }>(refinedQuery, { p: projectId });
    expect(total).toBe(Number(refined.n)); // one sample per refined suggestion
    for (const outcome of ["kept", "unchanged", "noise", "syntax_error", "secret"]) expect(byOutcome[outcome] ?? 0).toBeGreaterThan(0);
    // Slots vary the templates' code, so most samples are new rather than duplicates; secrets stay rare.
    expect((byOutcome.duplicate ?? 0) / total).toBeLessThan(0.25);
    expect(byOutcome.secret / total).toBeLessThan(0.04);

    const languages = await rows<{ language: string; outcomes: string[] }>(
      `SELECT language, groupUniqArray(outcome) AS outcomes FROM refinement_samples FINAL
       WHERE project_id = {p:String} GROUP BY language ORDER BY language`,
      { p: projectId },
    );
    expect(languages.map((l) => l.language)).toEqual(["go", "java", "python", "rust", "typescript"]);
    for (const { outcomes } of languages) expect(outcomes).toEqual(expect.arrayContaining(["kept", "unchanged"]));

    // The refinement-trained model's completions need fewer edits than production's.
    const variants = await rows<{ variant: string; unchanged: string; ratio: string }>(
      `SELECT variant_key AS variant, countIf(outcome = 'unchanged' OR (outcome = 'duplicate' AND edit_ratio = 0)) / count() AS unchanged,
              avg(edit_ratio) AS ratio
       FROM refinement_samples FINAL WHERE project_id = {p:String} AND experiment_key = {e:String}
       GROUP BY variant ORDER BY variant`,
      { p: projectId, e: DEMO_EXPERIMENTS.running },
    );
    expect(variants.map((v) => v.variant)).toEqual(["control", "treatment"]);
    const [control, treatment] = variants;
    expect(Number(treatment.unchanged)).toBeGreaterThan(Number(control.unchanged));
    expect(Number(treatment.ratio)).toBeLessThan(Number(control.ratio));

    // Secrets pasted into the demo code were redacted at ingestion: no sample (nor event) holds one in clear.
    const secrets = Object.values(DEMO_SECRETS);
    const [clear] = await rows<{ samples: string; events: string }>(
      `SELECT
         (SELECT count() FROM refinement_samples FINAL WHERE project_id = {p:String}
            AND multiSearchAny(concat(prefix, proposal, final, suffix, target), {s:Array(String)})) AS samples,
         (SELECT count() FROM events FINAL WHERE project_id = {p:String} AND type = 'refined'
            AND multiSearchAny(concat(prefix, proposal, final, suffix), {s:Array(String)})) AS events`,
      { p: projectId, s: secrets },
    );
    expect([Number(clear.samples), Number(clear.events)]).toEqual([0, 0]);
    const redacted = await rows<{ final: string; reasons: string[] }>(
      "SELECT final, reasons FROM refinement_samples FINAL WHERE project_id = {p:String} AND outcome = 'secret'",
      { p: projectId },
    );
    expect(redacted).toHaveLength(byOutcome.secret);
    for (const { final, reasons } of redacted) {
      expect(final).toMatch(/\[REDACTED:[\w-]+\]/);
      expect(reasons.some((r) => r.startsWith("secret:"))).toBe(true);
    }
  });

  it("does nothing the second time", async () => {
    const before = await eventCount(projectId);
    expect(await seedDemoData(await database(), { users: USERS, days: DAYS })).toEqual({ seeded: false, events: 0 });
    expect(await eventCount(projectId)).toBe(before);
    expect(await (await database()).experiment.count({ where: { projectId } })).toBe(2);
  });

  it("generates the same data from the same seed", async () => {
    const client = await database();
    const counts: Record<string, number>[] = [];
    for (const slug of ["demo-a", "demo-b"]) {
      const project = await client.project.create({ data: { slug, name: slug } });
      const seeded = await seedDemoData(client, { users: 40, days: 3, seed: 7, projectId: project.id });
      expect(seeded.seeded).toBe(true);
      await flushIngestion();
      const perType = await rows<{ type: string; n: string }>(
        "SELECT type, count() AS n FROM events FINAL WHERE project_id = {p:String} GROUP BY type",
        { p: project.id },
      );
      counts.push(Object.fromEntries(perType.map((r) => [r.type, Number(r.n)])));
    }
    expect(counts[1]).toEqual(counts[0]);
  });
});
