import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { clickhouse } from "@/lib/clickhouse";
import { clickhouseTime, fromClickhouseTime } from "@/lib/clickhouse/time";
import { flushIngestion } from "@/lib/ingestion/log";
import { runPipelinePass } from "@/lib/refinements/pipeline";
import { dedupeKey } from "@/lib/refinements/outcome";
import { dedupeKeyHash, pipelineWatermark, refinedSuggestions } from "@/lib/refinements/queries";
import { database } from "@/lib/runtime/database";
import { ADMIN_KEY, INGEST_KEY, call } from "./http";

// Refinement samples end to end: events posted through the API, the pipeline run over them, and the
// samples read back through the API, with every outcome, the opt-out deletion, labels and paging.

const AWS_KEY = "AKIAIOSFODNN7REALKEY";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const GITHUB_TOKEN = "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R";
const PLANTED = [AWS_KEY, AWS_SECRET, GITHUB_TOKEN, "hunter2-db-password"];

const routes = {
  events: () => import("@/app/api/v1/events/route"),
  list: () => import("@/app/api/v1/refinements/route"),
  outcomes: () => import("@/app/api/v1/refinements/outcomes/route"),
  one: () => import("@/app/api/v1/refinements/[suggestionId]/route"),
  label: () => import("@/app/api/v1/refinements/[suggestionId]/label/route"),
  optOut: () => import("@/app/api/v1/opt-outs/route"),
  settings: () => import("@/app/api/v1/settings/route"),
};

const start = Date.now() - 3_600_000;
let clock = 0;
const at = () => new Date(start + clock++ * 10_000).toISOString();

interface Case {
  suggestionId: string;
  userId: string;
  language: string;
  prefix?: string;
  suffix?: string;
  proposal: string;
  final: string;
  accepted?: boolean;
}

function refinementEvents(c: Case, modelVersion = "rf-new"): Record<string, unknown>[] {
  const common = {
    userId: c.userId,
    suggestionId: c.suggestionId,
    modelVersion,
    language: c.language,
    ide: "vscode",
    userGroup: "external",
  };
  const events: Record<string, unknown>[] = [
    { ...common, eventId: randomUUID(), type: "shown", timestamp: at(), completionChars: c.proposal.length, latencyMs: 120 },
  ];
  if (c.accepted !== false) {
    events.push({ ...common, eventId: randomUUID(), type: "accepted", timestamp: at(), acceptedChars: c.proposal.length });
  }
  events.push({
    ...common,
    eventId: randomUUID(),
    type: "refined",
    timestamp: at(),
    windowSeconds: 120,
    proposal: c.proposal,
    final: c.final,
    ...(c.prefix !== undefined ? { prefix: c.prefix } : {}),
    ...(c.suffix !== undefined ? { suffix: c.suffix } : {}),
  });
  return events;
}

const pyPrefix = "import os\n\n\ndef load_config(path):\n";
const cases: Record<string, Case> = {
  kept: {
    suggestionId: "rf-kept",
    userId: "rf-u1",
    language: "python",
    prefix: pyPrefix,
    proposal: "    with open(path) as f:\n        return f.read()\n",
    final: "    with open(path, encoding='utf-8') as handle:\n        return handle.read()\n",
  },
  unchanged: {
    suggestionId: "rf-unchanged",
    userId: "rf-u2",
    language: "python",
    prefix: "def add(a, b):\n",
    proposal: "    return a + b\n",
    final: "    return a + b\n",
  },
  noise: {
    suggestionId: "rf-noise",
    userId: "rf-u1",
    language: "python",
    prefix: "def greet(name):\n",
    proposal: "    print('hello ' + name)\n",
    final:
      '    raise NotImplementedError(\n        f"unsupported locale {LOCALE!r}; configure GREETINGS_BACKEND or install the i18n extras"\n    )\n',
  },
  duplicateFirst: {
    suggestionId: "rf-dup-1",
    userId: "rf-u2",
    language: "go",
    prefix: "func double(x int) int {\n",
    suffix: "}\n",
    proposal: "\treturn x + x\n",
    final: "\treturn 2 * x\n",
  },
  duplicateSecond: {
    suggestionId: "rf-dup-2",
    userId: "rf-u3",
    language: "go",
    prefix: "func double(x int) int {\n",
    suffix: "}\n",
    proposal: "\treturn x+x\n",
    final: "\treturn 2 * x\n",
  },
  secret: {
    suggestionId: "rf-secret",
    userId: "rf-u3",
    language: "python",
    prefix: "import boto3\n\n",
    proposal: "client = boto3.client('s3')\n",
    final: `client = boto3.client('s3', aws_access_key_id='${AWS_KEY}', aws_secret_access_key='${AWS_SECRET}')\n`,
  },
  envSecret: {
    suggestionId: "rf-env",
    userId: "rf-u2",
    language: "python",
    prefix: `# settings\nGITHUB_TOKEN = "${GITHUB_TOKEN}"\n`,
    proposal: "DEBUG = False\n",
    final: "DEBUG = False\nDB_PASSWORD=hunter2-db-password\n",
  },
  syntax: {
    suggestionId: "rf-syntax",
    userId: "rf-u1",
    language: "typescript",
    prefix: "export function total(items: number[]): number {\n",
    suffix: "}\n",
    proposal: "  return items.reduce((sum, item) => sum + item, 0);\n",
    final: "  return items.reduce((sum, item) => sum + item, 0;\n",
  },
  neverAccepted: {
    suggestionId: "rf-never",
    userId: "rf-u1",
    language: "python",
    proposal: "x = 1\n",
    final: "x = 2\n",
    accepted: false,
  },
  optedOut: {
    suggestionId: "rf-opted",
    userId: "rf-leaver",
    language: "python",
    prefix: "def area(r):\n",
    proposal: "    return 3.14 * r * r\n",
    final: "    return math.pi * r ** 2\n",
  },
};

async function post(events: Record<string, unknown>[]) {
  const { POST } = await routes.events();
  const answer = await call(POST, "POST", "/api/v1/events", { key: INGEST_KEY, body: { events } });
  expect(answer.body.rejected).toEqual([]);
}

/** Stores what was posted and runs the pipeline over it (the slice ends a second before now). */
async function pipeline() {
  await flushIngestion();
  await new Promise((r) => setTimeout(r, 1_100));
  return runPipelinePass(await database());
}

async function api(route: keyof typeof routes, options: Parameters<typeof call>[3] = {}, method = "GET") {
  const handlers = (await routes[route]()) as Record<string, any>;
  return call(handlers[method], method, "/x", { key: ADMIN_KEY, ...options });
}

beforeAll(async () => {
  const all = Object.values(cases).flatMap((c) => refinementEvents(c));
  // a later refined event of the kept suggestion replaces the earlier one: the last state counts
  const kept = cases.kept;
  all.push({
    eventId: randomUUID(),
    type: "refined",
    timestamp: new Date(start - 60_000).toISOString(),
    userId: kept.userId,
    suggestionId: kept.suggestionId,
    modelVersion: "rf-new",
    language: "python",
    windowSeconds: 30,
    proposal: kept.proposal,
    final: "an earlier, abandoned state",
  });
  await post(all);
  await pipeline();
}, 120_000);

describe("refinement samples", () => {
  it("classifies each suggestion into one outcome; a suggestion never accepted is no sample", async () => {
    const answer = await api("outcomes");
    expect(answer.status).toBe(200);
    const counts = Object.fromEntries(answer.body.outcomes.map((o: any) => [o.outcome, o.count]));
    expect(counts).toEqual({ kept: 3, unchanged: 1, noise: 1, duplicate: 1, secret: 2, syntax_error: 1, opted_out: 0 });
    expect(answer.body.total).toBe(9);
    expect((await api("one", { params: { suggestionId: "rf-never" } })).status).toBe(404);
  });

  it("serves one sample with its trimmed target, measures, unified diff and the last refined state", async () => {
    const answer = await api("one", { params: { suggestionId: "rf-kept" } });
    expect(answer.status).toBe(200);
    const sample = answer.body;
    expect(sample.outcome).toBe("kept");
    expect(sample.final).toContain("encoding='utf-8'");
    expect(sample.target).toBe(cases.kept.final);
    expect(sample.editDistance).toBeGreaterThan(0);
    expect(sample.editRatio).toBeGreaterThan(0);
    expect(sample.editRatio).toBeLessThan(0.8);
    expect(sample.diff).toContain("+    with open(path, encoding='utf-8') as handle:");
    expect(sample.linesAdded).toBe(2);
    expect(sample.linesRemoved).toBe(2);
    expect(sample.prefix).toBe(pyPrefix);
    expect(sample.language).toBe("python");
    expect(sample.label).toBeNull();
  });

  it("marks the later of two identical context + target pairs as the duplicate", async () => {
    expect((await api("one", { params: { suggestionId: "rf-dup-1" } })).body.outcome).toBe("kept");
    const second = (await api("one", { params: { suggestionId: "rf-dup-2" } })).body;
    expect(second.outcome).toBe("duplicate");
    expect(second.reasons).toContain("duplicate");
  });

  it("never keeps a planted secret: not in ClickHouse, not in an answer", async () => {
    const secret = (await api("one", { params: { suggestionId: "rf-secret" } })).body;
    expect(secret.outcome).toBe("secret");
    expect(secret.reasons.some((r: string) => r.startsWith("secret:"))).toBe(true);
    expect(secret.final).toContain("[REDACTED:");
    const client = await clickhouse();
    for (const table of ["events", "refinement_samples"]) {
      const result = await client.query({ query: `SELECT * FROM ${table}`, format: "JSONEachRow" });
      const text = await result.text();
      for (const planted of PLANTED) expect(text, `${planted} in ${table}`).not.toContain(planted);
    }
    const listed = JSON.stringify((await api("list", { query: { limit: "200" } })).body);
    for (const planted of PLANTED) expect(listed).not.toContain(planted);
  });

  it("filters by outcome, language, edit ratio and text, and pages with a stable cursor", async () => {
    const python = (await api("list", { query: { language: "python" } })).body.items;
    expect(python.map((s: any) => s.language)).toEqual(python.map(() => "python"));
    expect((await api("list", { query: { outcome: "noise" } })).body.items.map((s: any) => s.suggestionId)).toEqual(["rf-noise"]);
    const edited = (await api("list", { query: { minEditRatio: "0.8" } })).body.items;
    expect(edited.every((s: any) => s.editRatio >= 0.8)).toBe(true);
    expect((await api("list", { query: { q: "ENCODING" } })).body.items.map((s: any) => s.suggestionId)).toEqual(["rf-kept"]);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api("list", { query: { limit: "4", ...(cursor ? { cursor } : {}) } });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((s: any) => s.suggestionId));
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
    const mostEdited = (await api("list", { query: { sort: "most_edited" } })).body.items.map((s: any) => s.editRatio);
    expect(mostEdited).toEqual([...mostEdited].sort((a, b) => b - a));

    const bad = await api("list", { query: { cursor: "not-a-cursor" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe("query.cursor");
    expect((await api("list", { query: { minEditRatio: "0.9", maxEditRatio: "0.1" } })).status).toBe(400);
  });

  it("keeps a researcher's label with who and when, filterable, and audited", async () => {
    const labeled = await api("label", { params: { suggestionId: "rf-kept" }, body: { label: "good", note: "clean rename" } }, "POST");
    expect(labeled.status).toBe(200);
    expect(labeled.body.label).toBe("good");
    const again = (await api("one", { params: { suggestionId: "rf-kept" } })).body;
    expect(again).toMatchObject({ label: "good", labelNote: "clean rename" });
    expect(again.labeledBy).toMatch(/^api-key:/);
    expect(Date.parse(again.labeledAt)).toBeGreaterThan(Date.now() - 60_000);
    expect((await api("list", { query: { label: "good" } })).body.items.map((s: any) => s.suggestionId)).toEqual(["rf-kept"]);
    expect((await api("list", { query: { label: "unlabeled" } })).body.items).toHaveLength(8);
    const audit = await (await database()).auditLog.findMany({ where: { target: "refinement:rf-kept" } });
    expect(audit.map((a) => a.action)).toEqual(["refinement.label"]);
    const refused = await api("label", { params: { suggestionId: "rf-kept" }, body: { label: "great" } }, "POST");
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0].path).toBe("label");
    const ingestKey = await api("label", { key: INGEST_KEY, params: { suggestionId: "rf-kept" }, body: { label: "bad" } }, "POST");
    expect(ingestKey.status).toBe(403);
  });

  it("writes each sample once however often the pipeline runs over the same events", async () => {
    const client = await clickhouse();
    await client.command({ query: "TRUNCATE TABLE refinement_pipeline_state" });
    await pipeline();
    const counts = await client.query({
      query: "SELECT count() AS n, uniqExact(suggestion_id) AS u FROM refinement_samples FINAL",
      format: "JSONEachRow",
    });
    const [row] = await counts.json<{ n: number; u: number }>();
    expect(Number(row.n)).toBe(9);
    expect(Number(row.u)).toBe(9);
    expect((await api("outcomes")).body.total).toBe(9);
  });

  it("after an opt-out keeps no code of the user: samples deleted, events emptied, later samples without code", async () => {
    expect((await api("one", { params: { suggestionId: "rf-opted" } })).body.outcome).toBe("kept");
    const answer = await api("optOut", { key: INGEST_KEY, body: { userId: "rf-leaver" } }, "POST");
    expect(answer.status).toBe(200);
    expect((await api("one", { params: { suggestionId: "rf-opted" } })).status).toBe(404);
    const client = await clickhouse();
    const codeLeft = await client.query({
      query: "SELECT count() AS n FROM events FINAL WHERE user_id = 'rf-leaver' AND (proposal != '' OR final != '' OR prefix != '')",
      format: "JSONEachRow",
    });
    expect(Number((await codeLeft.json<{ n: number }>())[0].n)).toBe(0);
    const shownLeft = await client.query({
      query: "SELECT count() AS n FROM events FINAL WHERE user_id = 'rf-leaver'",
      format: "JSONEachRow",
    });
    expect(Number((await shownLeft.json<{ n: number }>())[0].n)).toBe(3); // the numbers stay
    const keysLeft = await client.query({
      query: "SELECT count() AS n FROM refinement_dedupe_keys WHERE user_id = 'rf-leaver'",
      format: "JSONEachRow",
    });
    expect(Number((await keysLeft.json<{ n: number }>())[0].n)).toBe(0); // not even hashes of the code

    await post(refinementEvents({ ...cases.optedOut, suggestionId: "rf-opted-later" }));
    await pipeline();
    const later = (await api("one", { params: { suggestionId: "rf-opted-later" } })).body;
    expect(later.outcome).toBe("opted_out");
    expect([later.proposal, later.final, later.target, later.prefix, later.diff]).toEqual(["", "", "", "", ""]);
    const stored = await client.query({
      query: "SELECT count() AS n FROM events FINAL WHERE suggestion_id = 'rf-opted-later' AND final != ''",
      format: "JSONEachRow",
    });
    expect(Number((await stored.json<{ n: number }>())[0].n)).toBe(0);
  });

  it("counts as duplicates only of earlier clean samples, not of a noise sample with the same context and target", async () => {
    const proposal = cases.noise.final.replace("unsupported locale", "unknown locale");
    await post(refinementEvents({ ...cases.noise, suggestionId: "rf-after-noise", userId: "rf-u10", proposal }));
    await pipeline();
    expect((await api("one", { params: { suggestionId: "rf-noise" } })).body.outcome).toBe("noise");
    const later = (await api("one", { params: { suggestionId: "rf-after-noise" } })).body;
    expect(later.outcome).toBe("kept");
    expect(later.target).toBe((await api("one", { params: { suggestionId: "rf-noise" } })).body.target);
  });

  it("forgets a key whose sample no longer has it: a later sample with that context and target is kept", async () => {
    const first = { ...cases.kept, suggestionId: "rf-rewritten", userId: "rf-u11", final: cases.kept.final + "    # first\n" };
    await post(refinementEvents(first));
    await pipeline();
    expect((await api("one", { params: { suggestionId: "rf-rewritten" } })).body.outcome).toBe("kept");
    // its user refines it further: the sample now holds another target, so another key
    await post(refinementEvents({ ...first, final: cases.kept.final + "    # second\n" }).filter((e) => e.type === "refined"));
    await pipeline();
    expect((await api("one", { params: { suggestionId: "rf-rewritten" } })).body.final).toContain("# second");
    await post(refinementEvents({ ...first, suggestionId: "rf-first-again", userId: "rf-u12" }));
    await pipeline();
    expect((await api("one", { params: { suggestionId: "rf-first-again" } })).body.outcome).toBe("kept");
    await post(refinementEvents({ ...first, suggestionId: "rf-first-twice", userId: "rf-u13" }));
    await pipeline();
    expect((await api("one", { params: { suggestionId: "rf-first-twice" } })).body.outcome).toBe("duplicate");
  });

  it("decides a key within the slice that rebuilds its stored sample: the sample's earlier version is no original", async () => {
    const moved = { ...cases.kept, suggestionId: "rf-moved", userId: "rf-u14", final: cases.kept.final + "    # moved\n" };
    await post(refinementEvents(moved));
    await pipeline();
    expect((await api("one", { params: { suggestionId: "rf-moved" } })).body.outcome).toBe("kept");
    // In one slice: rf-moved is refined again (another target, another key), then another suggestion has its old one.
    const again = refinementEvents({ ...moved, final: cases.kept.final + "    # moved again\n" }).filter((e) => e.type === "refined");
    await post([...again, ...refinementEvents({ ...moved, suggestionId: "rf-takes-over", userId: "rf-u15" })]);
    await pipeline();
    expect((await api("one", { params: { suggestionId: "rf-moved" } })).body.final).toContain("# moved again");
    expect((await api("one", { params: { suggestionId: "rf-takes-over" } })).body.outcome).toBe("kept");
  });

  it("re-reading stored events extracts only suggestions refined again since their sample was built", async () => {
    // rf-opted's sample went with its user's opt-out (a later pass that re-reads it writes it again
    // without code, or none does): nothing stored to skip, whichever happened.
    const ids = (rows: { suggestionId: string }[]) =>
      rows
        .map((r) => r.suggestionId)
        .filter((id) => id !== "rf-opted")
        .sort();
    const everything = ["1970-01-01 00:00:00.000", "2299-01-01 00:00:00.000"] as const;
    expect((await refinedSuggestions(...everything)).length).toBeGreaterThan(0);
    expect(ids(await refinedSuggestions(...everything, { skipStored: true }))).toEqual([]);
    const again = refinementEvents({ ...cases.kept, final: cases.kept.final + "\n# reviewed\n" }).filter((e) => e.type === "refined");
    await post(again);
    await flushIngestion();
    expect(ids(await refinedSuggestions(...everything, { skipStored: true }))).toEqual([cases.kept.suggestionId]);
    await pipeline();
    expect(ids(await refinedSuggestions(...everything, { skipStored: true }))).toEqual([]);
    expect((await api("one", { params: { suggestionId: cases.kept.suggestionId } })).body.final).toContain("# reviewed");
  });

  it("builds the samples of inserts that committed late, inside the seconds a pass re-reads", async () => {
    await pipeline(); // every insert so far written: this process knows the inserts before the watermark
    const watermark = await pipelineWatermark();
    const client = await clickhouse();
    // The kept suggestion's accepted and refined events again, under a new suggestion, inserted with an
    // insert time the watermark has already passed (an insert that took that long to commit).
    const late = (suggestionId: string, ingestedAt: string) =>
      client.command({
        query: `INSERT INTO events SELECT * REPLACE (generateUUIDv4() AS event_id, {id:String} AS suggestion_id,
                                                     toDateTime64({at:String}, 3, 'UTC') AS ingested_at)
                FROM (SELECT * FROM events FINAL WHERE suggestion_id = {kept:String} AND type IN ('accepted', 'refined'))`,
        query_params: { id: suggestionId, at: ingestedAt, kept: cases.kept.suggestionId },
      });
    const built = async (suggestionId: string) => (await api("one", { params: { suggestionId } })).body.final;
    // One sharing the insert time of the last insert written (it has more rows now)...
    const [{ last }] = await (
      await client.query({
        query: "SELECT toString(max(ingested_at)) AS last FROM events WHERE type = 'refined' AND ingested_at <= {watermark:String}",
        query_params: { watermark },
        format: "JSONEachRow",
      })
    ).json<{ last: string }>();
    await late("rf-late-1", last);
    await pipeline();
    expect(await built("rf-late-1")).toContain("encoding='utf-8'");
    // ... and one at an insert time no pass has read.
    await late("rf-late-2", clickhouseTime(fromClickhouseTime(await pipelineWatermark()) - 1_500));
    await pipeline();
    expect(await built("rf-late-2")).toContain("encoding='utf-8'");
  });

  it("pairs a refinement with its own user's acceptance, looked for within a day of it", async () => {
    const refinedAt = Date.now() - 60_000;
    const events = (suggestionId: string, acceptedBy: string, acceptedAt: number) => {
      const [, accepted, refined] = refinementEvents({ ...cases.kept, suggestionId, userId: "rf-horizon-user" });
      return [
        { ...accepted, userId: acceptedBy, timestamp: new Date(acceptedAt).toISOString() },
        { ...refined, timestamp: new Date(refinedAt).toISOString() },
      ];
    };
    const hour = 3_600_000;
    await post([
      ...events("rf-horizon-within", "rf-horizon-user", refinedAt - 23 * hour),
      ...events("rf-horizon-beyond", "rf-horizon-user", refinedAt - 25 * hour),
      // the same suggestion id accepted by another user: not this user's suggestion
      ...events("rf-horizon-other-user", "rf-horizon-someone-else", refinedAt - 2_000),
    ]);
    await flushIngestion();
    await pipeline();
    expect((await api("one", { params: { suggestionId: "rf-horizon-within" } })).status).toBe(200);
    expect((await api("one", { params: { suggestionId: "rf-horizon-beyond" } })).status).toBe(404);
    expect((await api("one", { params: { suggestionId: "rf-horizon-other-user" } })).status).toBe(404);
  });

  it("numbers each dedupe key as the engine does (migration 0010)", async () => {
    const keys = ["0123456789abcdef" + "0".repeat(48), "ffffffffffffffff" + "1".repeat(48), dedupeKey({ target: "x" })];
    const client = await clickhouse();
    const answer = await client.query({
      query: "SELECT toString(reinterpretAsUInt64(reverse(unhex(substring(arrayJoin({keys:Array(String)}), 1, 16))))) AS n",
      query_params: { keys },
      format: "JSONEachRow",
    });
    const engine = ((await answer.json()) as { n: string }[]).map((row) => row.n);
    expect(engine).toEqual(keys.map((key) => dedupeKeyHash(key).toString()));
    expect(engine[0]).toBe("81985529216486895");
  });

  it("re-reading a refined event that arrived late, older than the stored sample's, builds nothing again", async () => {
    // A client flushes an older refined event after a later one was built (an offline queue): the re-read
    // range holds only the older event, and the stored sample, built from the later one, stays as it is.
    const retried = { ...cases.kept, suggestionId: "rf-retried", userId: "rf-u16" };
    const [shown, accepted, first] = refinementEvents(retried);
    const later = refinementEvents({ ...retried, final: retried.final + "    # later\n" }).filter((e) => e.type === "refined");
    await post([shown, accepted, first, ...later]);
    await pipeline();
    expect((await api("one", { params: { suggestionId: "rf-retried" } })).body.final).toContain("# later");
    const retryFrom = clickhouseTime(Date.now() - 1);
    await post([{ ...first, eventId: randomUUID() }]);
    await flushIngestion();
    const range = [retryFrom, "2299-01-01 00:00:00.000"] as const;
    // The range's refined event is not the suggestion's latest (an insert before it holds a later one, which
    // the sample was built from): nothing to read there, whether or not stored samples are skipped.
    expect(await refinedSuggestions(...range)).toEqual([]);
    expect(await refinedSuggestions(...range, { skipStored: true })).toEqual([]);
    // A range holding the later event too reads the suggestion at its latest state.
    const everything = ["1970-01-01 00:00:00.000", "2299-01-01 00:00:00.000"] as const;
    const read = (await refinedSuggestions(...everything)).find((s) => s.suggestionId === "rf-retried");
    expect(read?.final).toContain("# later");
    await pipeline();
    expect((await api("one", { params: { suggestionId: "rf-retried" } })).body.final).toContain("# later");
  });

  it("with collection turned off keeps neither samples nor code, and only an admin may turn it off", async () => {
    expect((await api("settings", { key: INGEST_KEY, body: { collectSamples: false } }, "PATCH")).status).toBe(403);
    const off = await api("settings", { body: { collectSamples: false } }, "PATCH");
    expect(off.body).toEqual({ collectSamples: false });
    await post(refinementEvents({ ...cases.kept, suggestionId: "rf-while-off", userId: "rf-u9" }));
    await pipeline();
    expect((await api("one", { params: { suggestionId: "rf-while-off" } })).status).toBe(404);
    const client = await clickhouse();
    const code = await client.query({
      query: "SELECT count() AS n FROM events FINAL WHERE suggestion_id = 'rf-while-off' AND (final != '' OR proposal != '')",
      format: "JSONEachRow",
    });
    expect(Number((await code.json<{ n: number }>())[0].n)).toBe(0);
    expect((await api("settings", { body: { collectSamples: true } }, "PATCH")).body).toEqual({ collectSamples: true });
    expect((await api("settings")).body).toEqual({ collectSamples: true });
  });
});
