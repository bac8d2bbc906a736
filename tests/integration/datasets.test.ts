import { createHash, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import vm from "node:vm";
import v8 from "node:v8";
import { beforeAll, describe, expect, it } from "vitest";
import { clickhouse } from "@/lib/clickhouse";
import { serveCore } from "@/lib/api/serveNode";
import { createUser } from "@/lib/auth/service";
import { exportableCount } from "@/lib/datasets/queries";
import { datasetLineSchema } from "@/lib/datasets/schemas";
import { flushIngestion } from "@/lib/ingestion/log";
import { runPipelinePass } from "@/lib/refinements/pipeline";
import { database } from "@/lib/runtime/database";
import { ADMIN_KEY, INGEST_KEY, call, signInCookie } from "./http";

// Datasets end to end: refined events posted through the API and turned into samples by the pipeline,
// then frozen into datasets in each format through the API, their manifests, byte-identical streamed
// downloads with the advertised hash, the deterministic split, validation and permissions, lineage to
// model versions and experiments, and memory that stays flat while 100,000 samples stream.

const routes = {
  events: () => import("@/app/api/v1/events/route"),
  datasets: () => import("@/app/api/v1/datasets/route"),
  one: () => import("@/app/api/v1/datasets/[id]/route"),
  download: () => import("@/app/api/v1/datasets/[id]/download/route"),
  label: () => import("@/app/api/v1/refinements/[suggestionId]/label/route"),
  optOut: () => import("@/app/api/v1/opt-outs/route"),
  modelVersions: () => import("@/app/api/v1/model-versions/route"),
  experiments: () => import("@/app/api/v1/experiments/route"),
};

const MODEL = "ds-model";
const EXPERIMENT = "ds-exp";
const start = Date.now() - 3_600_000;
let clock = 0;
const at = () => new Date(start + clock++ * 1_000).toISOString();

type Kind = "kept" | "unchanged" | "noise";
interface Suggestion {
  id: string;
  userId: string;
  language: "python" | "go";
  kind: Kind;
}

// 160 suggestions: per 8, five kept, two unchanged, one noise; every third one in Go; ten users, the
// first four exposed to an experiment (two per variant) before they refined anything.
const suggestions: Suggestion[] = Array.from({ length: 160 }, (_, i) => ({
  id: `ds-${String(i).padStart(3, "0")}`,
  userId: `ds-u${i % 10}`,
  language: i % 3 === 0 ? "go" : "python",
  kind: i % 8 < 5 ? "kept" : i % 8 < 7 ? "unchanged" : "noise",
}));
const exposed: Record<string, string> = { "ds-u0": "control", "ds-u1": "control", "ds-u2": "treatment", "ds-u3": "treatment" };
const exported = suggestions.filter((s) => s.kind !== "noise");

const REWRITTEN = "this was rewritten entirely by the user, and nothing of the proposal was kept";

function code(s: Suggestion, n: number) {
  if (s.language === "go") {
    const proposal = `\treturn x + ${n}\n`;
    const final = s.kind === "kept" ? `\treturn (x + ${n}) * 1\n` : s.kind === "unchanged" ? proposal : `\tpanic("${REWRITTEN} ${n}")\n`;
    return { prefix: `package main\n\nfunc f${n}(x int) int {\n`, suffix: "}\n", proposal, final };
  }
  const proposal = `    return x + ${n}\n`;
  const final =
    s.kind === "kept"
      ? `    return (x + ${n}) * 1\n`
      : s.kind === "unchanged"
        ? proposal
        : `    raise NotImplementedError("${REWRITTEN} ${n}")\n`;
  return { prefix: `def f${n}(x):\n`, suffix: "", proposal, final };
}

function events(s: Suggestion, n: number): Record<string, unknown>[] {
  const { prefix, suffix, proposal, final } = code(s, n);
  const common = { userId: s.userId, suggestionId: s.id, modelVersion: MODEL, language: s.language, ide: "vscode", userGroup: "external" };
  return [
    { ...common, eventId: randomUUID(), type: "shown", timestamp: at(), completionChars: proposal.length, latencyMs: 100 },
    { ...common, eventId: randomUUID(), type: "accepted", timestamp: at(), acceptedChars: proposal.length },
    { ...common, eventId: randomUUID(), type: "refined", timestamp: at(), windowSeconds: 60, proposal, final, prefix, suffix },
  ];
}

async function handlers(route: keyof typeof routes) {
  return (await routes[route]()) as Record<string, any>;
}

async function api(route: keyof typeof routes, method: string, options: Parameters<typeof call>[3] = {}) {
  return call((await handlers(route))[method], method, "/x", { key: ADMIN_KEY, ...options });
}

const createDataset = (body: unknown, options: Parameters<typeof call>[3] = {}) => api("datasets", "POST", { body, ...options });

/** A download as the client gets it: status, headers and the body's bytes, read chunk by chunk from the stream. */
async function download(id: string, split?: string, options: { key?: string; cookie?: string } = { key: ADMIN_KEY }) {
  const { GET } = await handlers("download");
  const url = new URL(`http://localhost/api/v1/datasets/${id}/download`);
  if (split) url.searchParams.set("split", split);
  const headers: Record<string, string> = {};
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.cookie) headers.cookie = options.cookie;
  const response: Response = await GET(new Request(url, { headers }), { params: Promise.resolve({ id }) });
  const chunks: Uint8Array[] = [];
  for await (const chunk of readChunks(response)) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  const text = bytes.toString("utf8");
  return {
    status: response.status,
    headers: response.headers,
    bytes,
    text,
    lines: text
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  };
}

async function* readChunks(response: Response): AsyncGenerator<Uint8Array> {
  if (!response.body) return;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

let projectId = "";
beforeAll(async () => {
  const db = await database();
  projectId = (await db.project.findFirstOrThrow({ orderBy: { createdAt: "asc" } })).id;
  const client = await clickhouse();
  await client.insert({
    table: "exposures",
    format: "JSONEachRow",
    values: Object.entries(exposed).map(([userId, variant]) => ({
      project_id: projectId,
      experiment_key: EXPERIMENT,
      phase: 1,
      user_id: userId,
      variant_key: variant,
      model_version: MODEL,
      first_exposed_at: new Date(start - 60_000).toISOString().replace("T", " ").replace("Z", ""),
      last_exposed_at: new Date(start - 60_000).toISOString().replace("T", " ").replace("Z", ""),
    })),
  });
  const answer = await call((await handlers("events")).POST, "POST", "/api/v1/events", {
    key: INGEST_KEY,
    body: { events: suggestions.flatMap((s, n) => events(s, n)) },
  });
  expect(answer.body.rejected).toEqual([]);
  await flushIngestion();
  await new Promise((r) => setTimeout(r, 1_100));
  await runPipelinePass(db);
  // two labels before any dataset is frozen
  for (const [suggestionId, label] of [
    ["ds-000", "good"],
    ["ds-001", "bad"],
  ]) {
    expect((await api("label", "POST", { params: { suggestionId }, body: { label } })).status).toBe(200);
  }
}, 120_000);

const count = <T>(items: T[], key: (item: T) => string) => {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
};
const asRecord = (list: { count: number }[], key: (e: any) => string) => Object.fromEntries(list.map((e) => [key(e), e.count]));

let jsonl: any;

describe("datasets", () => {
  it("freezes kept and unchanged samples by default, with a manifest per outcome, language, experiment and model version", async () => {
    const answer = await createDataset({ name: "ds-jsonl", filter: { modelVersion: MODEL } });
    expect(answer.status).toBe(201);
    jsonl = answer.body;
    expect(jsonl).toMatchObject({ name: "ds-jsonl", status: "ready", format: "jsonl", fim: null, validationShare: 0.1 });
    expect(jsonl.id).toMatch(/^c[a-z0-9]{20,}$/);
    expect(jsonl.filter).toEqual({ modelVersion: MODEL, outcome: ["kept", "unchanged"] });
    expect(jsonl.sampleCount).toBe(exported.length);
    expect(jsonl.trainCount + jsonl.validationCount).toBe(exported.length);
    expect(jsonl.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(jsonl.createdBy).toMatch(/^api-key:/);
    expect(jsonl.trainedModelVersions).toEqual([]);
    const { manifest } = jsonl;
    expect(asRecord(manifest.outcomes, (e) => e.outcome)).toEqual(count(exported, (s) => s.kind));
    expect(asRecord(manifest.languages, (e) => e.language)).toEqual(count(exported, (s) => s.language));
    expect(asRecord(manifest.experiments, (e) => `${e.experimentKey}/${e.variantKey}`)).toEqual(
      count(exported, (s) => (exposed[s.userId] ? `${EXPERIMENT}/${exposed[s.userId]}` : "/")),
    );
    expect(manifest.modelVersions).toEqual([{ modelVersion: MODEL, count: exported.length }]);
    expect(asRecord(manifest.labels, (e) => e.label)).toEqual({ good: 1, bad: 1, unlabeled: exported.length - 2 });
    expect(manifest.splits.train.count).toBe(jsonl.trainCount);
    // most frequent first
    expect(manifest.outcomes.map((o: any) => o.outcome)).toEqual(["kept", "unchanged"]);

    const audit = await (await database()).auditLog.findFirst({ where: { action: "dataset.create", target: `dataset:${jsonl.id}` } });
    expect(audit?.after).toMatchObject({ name: "ds-jsonl", sampleCount: exported.length, contentHash: jsonl.contentHash });

    const listed = await api("datasets", "GET");
    expect(listed.body.items.map((d: any) => d.id)).toContain(jsonl.id);
    expect((await api("one", "GET", { params: { id: jsonl.id } })).body).toEqual(jsonl);
  });

  it("streams a download as x-ndjson that is byte-identical every time and hashes to the advertised hash", async () => {
    const first = await download(jsonl.id);
    const second = await download(jsonl.id);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect(first.headers.get("content-disposition")).toBe('attachment; filename="ds-jsonl.jsonl"');
    expect(first.headers.get("x-echo-content-hash")).toBe(jsonl.contentHash);
    expect(first.headers.get("x-echo-removed-samples")).toBe("0");
    expect(first.headers.get("etag")).toBe(`"sha256-${jsonl.contentHash}"`);
    expect(first.bytes.equals(second.bytes)).toBe(true);
    expect(sha256(first.bytes)).toBe(jsonl.contentHash);

    // one line per sample, in the frozen order (by suggestion id), each a jsonl record
    expect(first.text.endsWith("\n")).toBe(true);
    expect(first.lines.map((l) => l.metadata.suggestionId)).toEqual(exported.map((s) => s.id));
    const line = first.lines[0];
    expect(datasetLineSchema.safeParse(line).success).toBe(true);
    expect(Object.keys(line)).toEqual(["prompt", "completion", "metadata"]);
    expect(line).toEqual({
      prompt: "package main\n\nfunc f0(x int) int {\n",
      completion: "\treturn (x + 0) * 1\n",
      metadata: {
        suggestionId: "ds-000",
        language: "go",
        modelVersion: MODEL,
        experimentKey: EXPERIMENT,
        variantKey: "control",
        outcome: "kept",
        label: "good",
        editRatio: line.metadata.editRatio,
        split: line.metadata.split,
      },
    });
    expect(first.lines.find((l) => l.metadata.suggestionId === "ds-005").metadata).toMatchObject({ outcome: "unchanged", label: null });
    expect(first.lines.find((l) => l.metadata.suggestionId === "ds-004").metadata).toMatchObject({ experimentKey: null, variantKey: null });
  });

  it("streams the same bytes from Node's own request handling (the production server's path)", async () => {
    const { GET } = await handlers("download");
    const server = http.createServer((req, res) => void serveCore(GET.core, req, res, { id: jsonl.id }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/datasets/${jsonl.id}/download`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("transfer-encoding")).toBe("chunked");
      expect(response.headers.get("x-echo-content-hash")).toBe(jsonl.contentHash);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(sha256(bytes)).toBe(jsonl.contentHash);
      expect(bytes.equals((await download(jsonl.id)).bytes)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("keeps a frozen version's bytes when a sample is relabeled afterwards", async () => {
    const before = await download(jsonl.id);
    expect((await api("label", "POST", { params: { suggestionId: "ds-000" }, body: { label: "needs_review" } })).status).toBe(200);
    const after = await download(jsonl.id);
    expect(after.bytes.equals(before.bytes)).toBe(true);
    expect(after.lines[0].metadata.label).toBe("good");
    // a new version of the same filter sees the new label
    const again = await createDataset({ name: "ds-jsonl-v2", filter: { modelVersion: MODEL } });
    expect(again.body.contentHash).not.toBe(jsonl.contentHash);
    expect((await download(again.body.id)).lines[0].metadata.label).toBe("needs_review");
  });

  it("splits by a hash of the suggestion id: deterministic, close to the share, each split its own hashed download", async () => {
    const filter = { modelVersion: MODEL, outcome: ["kept", "unchanged", "noise"] };
    const half = (await createDataset({ name: "ds-half", filter, validationShare: 0.5 })).body;
    const again = (await createDataset({ name: "ds-half-again", filter, validationShare: 0.5 })).body;
    expect(half.sampleCount).toBe(suggestions.length);
    expect(half.validationCount).toBeGreaterThan(suggestions.length * 0.3);
    expect(half.validationCount).toBeLessThan(suggestions.length * 0.7);
    // the same selection frozen again is the same bytes
    expect(again.contentHash).toBe(half.contentHash);
    expect(again.manifest.splits).toEqual(half.manifest.splits);

    const client = await clickhouse();
    const expected = await (
      await client.query({
        query: "SELECT id, cityHash64(id) % 10000 < 5000 AS validation FROM (SELECT arrayJoin({ids:Array(String)}) AS id)",
        query_params: { ids: suggestions.map((s) => s.id) },
        format: "JSONEachRow",
      })
    ).json<{ id: string; validation: number }>();
    const all = await download(half.id, "all");
    expect(Object.fromEntries(all.lines.map((l) => [l.metadata.suggestionId, l.metadata.split]))).toEqual(
      Object.fromEntries(expected.map((e) => [e.id, Number(e.validation) ? "validation" : "train"])),
    );

    const train = await download(half.id, "train");
    const validation = await download(half.id, "validation");
    expect(train.headers.get("content-disposition")).toBe('attachment; filename="ds-half.train.jsonl"');
    expect(train.lines.every((l) => l.metadata.split === "train")).toBe(true);
    expect(validation.lines.every((l) => l.metadata.split === "validation")).toBe(true);
    expect(train.lines.length).toBe(half.trainCount);
    expect(validation.lines.length).toBe(half.validationCount);
    expect(train.headers.get("x-echo-content-hash")).toBe(half.manifest.splits.train.contentHash);
    expect(sha256(train.bytes)).toBe(half.manifest.splits.train.contentHash);
    expect(sha256(validation.bytes)).toBe(half.manifest.splits.validation.contentHash);
    // the splits are the whole, in its order
    const whole = all.text.split("\n");
    expect(train.text.split("\n").filter(Boolean)).toEqual(whole.filter((l) => l.includes('"split":"train"')));

    const none = (await createDataset({ name: "ds-no-validation", filter, validationShare: 0 })).body;
    expect([none.trainCount, none.validationCount]).toEqual([suggestions.length, 0]);
    expect((await download(none.id, "validation")).bytes.length).toBe(0);
  });

  it("renders the chat format, and fim with StarCoder's sentinels or configured ones", async () => {
    const filter = { modelVersion: MODEL, language: "python", outcome: "kept" };
    const chat = (await createDataset({ name: "ds-chat", filter, format: "chat" })).body;
    expect(chat.manifest.languages).toEqual([{ language: "python", count: chat.sampleCount }]);
    const chatLine = (await download(chat.id)).lines[0];
    expect(Object.keys(chatLine)).toEqual(["messages", "metadata"]);
    expect(chatLine.messages).toEqual([
      { role: "system", content: "Complete the code at the cursor." },
      { role: "user", content: "def f1(x):\n⟨cursor⟩" },
      { role: "assistant", content: "    return (x + 1) * 1\n" },
    ]);

    const fim = (await createDataset({ name: "ds-fim", filter: { modelVersion: MODEL, language: "go" }, format: "fim" })).body;
    expect(fim.fim).toEqual({ prefixToken: "<fim_prefix>", suffixToken: "<fim_suffix>", middleToken: "<fim_middle>" });
    const fimLine = (await download(fim.id)).lines[0];
    expect(fimLine.text).toBe("<fim_prefix>package main\n\nfunc f0(x int) int {\n<fim_suffix>}\n<fim_middle>\treturn (x + 0) * 1\n");

    const tokens = { prefixToken: "<PRE>", suffixToken: "<SUF>", middleToken: "<MID>" };
    const custom = (
      await createDataset({ name: "ds-fim-custom", filter: { modelVersion: MODEL, language: "go" }, format: "fim", fim: tokens })
    ).body;
    expect(custom.fim).toEqual(tokens);
    expect((await download(custom.id)).lines[0].text).toBe(
      "<PRE>package main\n\nfunc f0(x int) int {\n<SUF>}\n<MID>\treturn (x + 0) * 1\n",
    );
    expect(custom.contentHash).not.toBe(fim.contentHash);
  });

  it("filters by lists of outcomes and labels", async () => {
    const noise = (await createDataset({ name: "ds-noise", filter: { modelVersion: MODEL, outcome: ["noise"] } })).body;
    expect(noise.sampleCount).toBe(suggestions.length - exported.length);
    const labeled = (await createDataset({ name: "ds-labeled", filter: { modelVersion: MODEL, label: ["bad", "needs_review"] } })).body;
    expect(labeled.sampleCount).toBe(2);
    expect(asRecord(labeled.manifest.labels, (e) => e.label)).toEqual({ bad: 1, needs_review: 1 });
    const unlabeled = (await createDataset({ name: "ds-unlabeled", filter: { modelVersion: MODEL, label: "unlabeled" } })).body;
    expect(unlabeled.sampleCount).toBe(exported.length - 2);
  });

  it("answers 400 naming the field, 409 for a taken name, 422 for an empty selection and 404 for an unknown dataset", async () => {
    const bad = async (body: unknown, path: string) => {
      const answer = await createDataset(body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.error.details.map((d: any) => d.path)).toContain(path);
      expect(answer.body.error.message).toContain(path);
    };
    await bad({ filter: {} }, "name");
    await bad({ name: "x", format: "parquet" }, "format");
    await bad({ name: "x", validationShare: 0.9 }, "validationShare");
    await bad({ name: "x", filter: { outcome: ["kept", "opted_out"] } }, "filter.outcome");
    await bad({ name: "x", filter: { minEditRatio: 0.9, maxEditRatio: 0.1 } }, "filter.minEditRatio");
    await bad({ name: "x", fim: { prefixToken: "<p>" } }, "fim");
    await bad({ name: "x", format: "fim", fim: { suffixToken: "" } }, "fim.suffixToken");

    const taken = await createDataset({ name: "ds-jsonl", filter: { modelVersion: MODEL } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.details).toEqual([{ path: "name", message: "must be unique" }]);

    const empty = await createDataset({ name: "ds-empty", filter: { modelVersion: "no-such-model" } });
    expect(empty.status).toBe(422);
    expect(empty.body.error.message).toContain("selects no samples");
    expect(empty.body.error.details[0].path).toBe("filter");
    // nothing is left of a failed creation: the name is free again
    const db = await database();
    expect(await db.dataset.count({ where: { name: "ds-empty" } })).toBe(0);

    expect((await api("one", "GET", { params: { id: "nope" } })).status).toBe(404);
    expect((await download("nope")).status).toBe(404);
    const badSplit = await download(jsonl.id, "test");
    expect(badSplit.status).toBe(400);
    expect(JSON.parse(badSplit.text).error.details[0].path).toBe("query.split");
  });

  it("lets a viewer read and download but not create; an ingest key can do neither", async () => {
    await createUser(await database(), { email: "ds-viewer@test.local", password: "viewer-password", role: "viewer" });
    const viewer = await signInCookie("ds-viewer@test.local", "viewer-password");
    const denied = await call((await handlers("datasets")).POST, "POST", "/x", { cookie: viewer, body: { name: "ds-viewer" } });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain("datasets:write");
    const ingest = await call((await handlers("datasets")).POST, "POST", "/x", { key: INGEST_KEY, body: { name: "ds-ingest" } });
    expect(ingest.status).toBe(403);
    expect((await call((await handlers("datasets")).GET, "GET", "/x", { key: INGEST_KEY })).status).toBe(403);
    expect((await download(jsonl.id, undefined, { key: INGEST_KEY })).status).toBe(403);

    expect((await call((await handlers("datasets")).GET, "GET", "/x", { cookie: viewer })).status).toBe(200);
    const viewed = await download(jsonl.id, undefined, { cookie: viewer });
    expect(viewed.status).toBe(200);
    expect(sha256(viewed.bytes)).toBe(jsonl.contentHash);
  });

  it("shows the lineage dataset → model version → experiment, and refuses a model version naming an unknown dataset", async () => {
    const unknown = await api("modelVersions", "POST", { body: { key: "ds-trained-x", name: "x", trainedOnDatasetId: "no-such-dataset" } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details).toEqual([{ path: "trainedOnDatasetId", message: "must name an existing dataset of the project" }]);

    const base = await api("modelVersions", "POST", { body: { key: "ds-base", name: "Base" } });
    expect(base.status).toBe(201);
    const trained = await api("modelVersions", "POST", {
      body: { key: "ds-trained", name: "Trained on ds-jsonl", trainedOnDatasetId: jsonl.id },
    });
    expect(trained.status).toBe(201);
    expect(trained.body.lineage.trainedOnDatasetId).toBe(jsonl.id);
    const experiment = await api("experiments", "POST", {
      body: {
        key: "ds-lineage",
        name: "Trained on refinements vs base",
        variants: [
          { key: "control", modelVersion: "ds-base", weight: 0.5 },
          { key: "treatment", modelVersion: "ds-trained", weight: 0.5 },
        ],
      },
    });
    expect(experiment.status, JSON.stringify(experiment.body)).toBe(201);

    const one = (await api("one", "GET", { params: { id: jsonl.id } })).body;
    expect(one.trainedModelVersions).toEqual([
      {
        key: "ds-trained",
        name: "Trained on ds-jsonl",
        status: "candidate",
        createdAt: trained.body.createdAt,
        experiments: [{ key: "ds-lineage", status: "draft", variantKey: "treatment" }],
      },
    ]);
    const listed = (await api("datasets", "GET")).body.items.find((d: any) => d.id === jsonl.id);
    expect(listed.trainedModelVersions.map((v: any) => v.key)).toEqual(["ds-trained"]);
  });

  it("leaves an opted-out user's samples out of later downloads, and says how many", async () => {
    const mine = exported.filter((s) => s.userId === "ds-u9").length;
    const answer = await call((await handlers("optOut")).POST, "POST", "/x", { key: INGEST_KEY, body: { userId: "ds-u9" } });
    expect(answer.status).toBe(200);
    const after = await download(jsonl.id);
    expect(after.lines.length).toBe(exported.length - mine);
    expect(after.headers.get("x-echo-removed-samples")).toBe(String(mine));
    expect(after.headers.get("x-echo-sample-count")).toBe(String(exported.length - mine));
    expect(after.headers.get("etag")).toBeNull();
    const gone = new Set(exported.filter((s) => s.userId === "ds-u9").map((s) => s.id));
    expect(after.lines.some((l) => gone.has(l.metadata.suggestionId))).toBe(false);
  });

  it("streams 100,000 samples holding one page at a time", { timeout: 300_000 }, async () => {
    const client = await clickhouse();
    await client.command({
      query: `INSERT INTO refinement_samples (project_id, suggestion_id, user_id, model_version, language, prefix, suffix, proposal, final,
                target, edit_distance, edit_ratio, outcome, syntax, dedupe_key, window_seconds, accepted_at, refined_at, refined_event_id, processed_at)
              SELECT {p:String}, concat('load-', leftPad(toString(number), 6, '0')), concat('load-u', toString(number % 500)), 'ds-load', 'python',
                     concat(repeat('# some context of the file around the cursor\\n', 12), 'def f', toString(number), '(x):\\n'), '\\n',
                     '    return x\\n', '    return x + 1\\n', '    return x + 1\\n', 4, 0.25, 'kept', 'ok', toString(number), 60,
                     now64(3), toDateTime64('2026-01-01 00:00:00', 3, 'UTC') + toIntervalMillisecond(number), generateUUIDv4(), now64(3)
              FROM numbers(100000)`,
      query_params: { p: projectId },
    });
    const created = await createDataset({ name: "ds-load", filter: { modelVersion: "ds-load" } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.sampleCount).toBe(100_000);

    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const retained = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const { GET } = await handlers("download");
    const id = created.body.id;
    const response: Response = await GET(
      new Request(`http://localhost/api/v1/datasets/${id}/download`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } }),
      {
        params: Promise.resolve({ id }),
      },
    );
    expect(response.status).toBe(200);
    const baseline = retained();
    const hash = createHash("sha256");
    let bytes = 0;
    let newlines = 0;
    let chunks = 0;
    let peak = 0;
    for await (const chunk of readChunks(response)) {
      hash.update(chunk);
      bytes += chunk.byteLength;
      for (const byte of chunk) if (byte === 10) newlines++;
      if (++chunks % 5 === 0) peak = Math.max(peak, retained() - baseline);
    }
    expect(newlines).toBe(100_000);
    expect(chunks).toBeGreaterThanOrEqual(50);
    expect(hash.digest("hex")).toBe(created.body.contentHash);
    expect(bytes).toBeGreaterThan(70 * 1024 * 1024);
    // What stays reachable while streaming is a few copies of one page (about 1.6 MB each: its text, its
    // bytes, the chunk read), not the 80 MB body; the bound leaves room for buffers freed late.
    expect(peak).toBeLessThan(32 * 1024 * 1024);
    expect(retained() - baseline).toBeLessThan(8 * 1024 * 1024);
  });

  it("counts what a download can still send from the version's own samples, not from all of the project's", async () => {
    // The test above left 100,000 other samples in the project. The count used to hold every sample id of
    // the project in the engine (about 150 MB per million samples, at each download), so it read them all.
    const client = await clickhouse();
    const selectedRows = async () => {
      const result = await client.query({ query: "SELECT value FROM system.events WHERE event = 'SelectedRows'", format: "JSONEachRow" });
      return Number((await result.json<{ value: number }>())[0]?.value ?? 0);
    };
    const mine = exported.filter((s) => s.userId === "ds-u9").length; // opted out above
    const before = await selectedRows();
    expect(await exportableCount(projectId, jsonl.id)).toBe(exported.length - mine);
    const read = (await selectedRows()) - before;
    // The version's rows and the granules (8,192 rows) that hold its samples, far from the project's 100,160.
    expect(read).toBeLessThan(40_000);
    const train = await exportableCount(projectId, jsonl.id, "train");
    const validation = await exportableCount(projectId, jsonl.id, "validation");
    expect(train).toBeGreaterThan(validation);
    expect(train + validation).toBe(exported.length - mine);
  });
  it("freezes samples in suggestion id order (the samples table's), whatever order they were refined in", async () => {
    const order: Suggestion[] = ["ds-order-z", "ds-order-m", "ds-order-a"].map((id, i) => ({
      id,
      userId: `ds-order-u${i}`,
      language: "python",
      kind: "kept",
    }));
    const posted = order.flatMap((s, n) => events(s, 200 + n).map((e) => ({ ...e, modelVersion: "ds-order" })));
    const answer = await call((await handlers("events")).POST, "POST", "/api/v1/events", { key: INGEST_KEY, body: { events: posted } });
    expect(answer.body.rejected).toEqual([]);
    await flushIngestion();
    await new Promise((r) => setTimeout(r, 1_100));
    await runPipelinePass(await database());
    const dataset = (await createDataset({ name: "ds-order", filter: { modelVersion: "ds-order" } })).body;
    expect((await download(dataset.id)).lines.map((l) => l.metadata.suggestionId)).toEqual(["ds-order-a", "ds-order-m", "ds-order-z"]);
  });
});
