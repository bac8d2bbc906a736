import { beforeAll, describe, expect, it } from "vitest";
import { assignUser } from "@/lib/assignment";
import { clickhouse } from "@/lib/clickhouse";
import { database } from "@/lib/runtime/database";
import { DEMO_EXPERIMENTS, DEMO_MODEL_VERSIONS, demoSeeding, seedDemoData, type DemoResult } from "@/lib/demo/seed";
import { loadAssignmentConfig } from "@/lib/experiments/assignmentConfig";
import { flushIngestion } from "@/lib/ingestion/log";
import { startup } from "@/lib/runtime/startup";

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
      [DEMO_MODEL_VERSIONS.distilled, "candidate", "starcoder2-3b", null],
      [DEMO_MODEL_VERSIONS.refined, "candidate", "starcoder2-7b", "ds-refinements-2026-10"],
    ]);
    const audit = await client.auditLog.findMany({ where: { projectId } });
    expect(audit.length).toBeGreaterThanOrEqual(9);
    expect(new Set(audit.map((a) => a.actor))).toEqual(new Set(["demo-seed"]));
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
      "SELECT toUnixTimestamp64Milli(min(first_exposed_at)) AS at FROM exposures WHERE project_id = {p:String}",
      { p: projectId },
    );
    expect(running.startedAt!.getTime()).toBeLessThanOrEqual(Number(first.at));
    expect(running.startedAt!.getTime()).toBeGreaterThan(startedAt - (DAYS + 1) * 86_400_000);
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
    const [refined] = await rows<{ n: string; bad: string }>(
      `SELECT count() AS n, countIf(retained_chars > length(proposal) OR window_seconds != 60 OR final = proposal OR prefix = '') AS bad
       FROM events FINAL WHERE project_id = {p:String} AND type = 'refined'`,
      { p: projectId },
    );
    expect(Number(refined.n)).toBeGreaterThan(0);
    expect(Number(refined.bad)).toBe(0);
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
