// Child process of crash.test.ts. Usage: tsx crash-child.ts ingest|count|refine|samples <batch.json>
//   ingest:  posts the batch to the real route, prints "ACK <json>" once answered, then waits to be killed.
//   count:   starts like a server would (replaying the write-ahead log), optionally re-posts the batch
//            (a client retry), flushes, and prints "COUNT <n>" for the batch's user.
//   refine:  stores the batch in several inserts, then runs the refinement pipeline in small slices,
//            printing "SLICE <n>" after each, and waits to be killed.
//   samples: runs the pipeline to the end and prints "SAMPLES <rows> <distinct suggestions>".
//   stream:  starts like a server, then sends batches of 200 events (one user each, 4 at a time) and
//            prints "ACK <user>" for every batch answered 2xx and "REFUSED <user> <status>" for any other
//            answer, until killed; with --health also "HEALTH <json>" whenever GET /api/health's
//            ingestion state changes.
//   tally:   starts like a server, stores what the log holds, and prints "TALLY <json>": per streamed
//            user, the events stored (FINAL) and their distinct ids; with --retry <users.json>, first
//            resends those users' batches, as a client does after a 503.
import fs from "node:fs";

const [mode, batchFile] = process.argv.slice(2);

/**
 * Prints the answer line and exits once it is written: writes to a pipe are asynchronous, and a line
 * longer than the pipe's free space (a tally of many users) would be cut off by an immediate exit.
 */
const answerAndExit = (line: string) => process.stdout.write(`${line}\n`, () => process.exit(0));
const batch = JSON.parse(fs.readFileSync(batchFile, "utf8"));
const { POST } = await import("../../app/api/v1/events/route");
const post = async (body: unknown = batch) => {
  const response = await POST(
    new Request("http://localhost/api/v1/events", {
      method: "POST",
      headers: { authorization: `Bearer ${process.env.ECHO_INIT_INGEST_API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({}) },
  );
  return { status: response.status, body: await response.json() };
};

/** The batch a streamed user sends: the same events (ids and times) whenever it is built, so a client can retry it. */
const streamBatch = async (userId: string) => {
  const { createHash } = await import("node:crypto");
  const sentAt = Number(userId.split(".")[1].split("-")[0]);
  const uuid = (i: number) =>
    createHash("sha256")
      .update(`${userId}/${i}`)
      .digest("hex")
      .replace(/^(.{8})(.{4}).(.{3}).(.{3})(.{12}).*$/, "$1-$2-4$3-a$4-$5");
  return {
    events: Array.from({ length: 200 }, (_, i) => ({
      eventId: uuid(i),
      type: "shown",
      timestamp: sentAt - 1000 * i,
      userId,
      suggestionId: `s-${i}`,
      modelVersion: "v1",
      completionChars: 10,
      latencyMs: 100,
    })),
  };
};

if (mode === "stream") {
  const { startup } = await import("../../lib/runtime/startup");
  const { randomUUID } = await import("node:crypto");
  await startup();
  const run = `${randomUUID().slice(0, 8)}.${Date.now()}`;
  let next = 0;
  const sender = async () => {
    for (;;) {
      const userId = `stream-${run}-${next++}`;
      const answer = await post(await streamBatch(userId));
      if (answer.status >= 200 && answer.status < 300) process.stdout.write(`ACK ${userId}\n`);
      else process.stdout.write(`REFUSED ${userId} ${answer.status}\n`);
    }
  };
  if (process.argv.includes("--health")) {
    const { GET } = await import("../../app/api/health/route");
    let last = "";
    setInterval(async () => {
      const response = await GET(new Request("http://localhost/api/health"), { params: Promise.resolve({}) });
      const { ingestion } = await response.json();
      const line = JSON.stringify({ writable: ingestion.writable, lastError: ingestion.lastError });
      if (line !== last) process.stdout.write(`HEALTH ${(last = line)}\n`);
    }, 50);
  }
  await Promise.all([sender(), sender(), sender(), sender()]);
} else if (mode === "tally") {
  const { startup } = await import("../../lib/runtime/startup");
  const { flushIngestion } = await import("../../lib/ingestion/log");
  const { clickhouse } = await import("../../lib/clickhouse");
  await startup();
  // --retry <file>: first resend the batches of the users listed there (a client retrying what was refused)
  const retryFile = process.argv[process.argv.indexOf("--retry") + 1];
  if (process.argv.includes("--retry")) {
    for (const userId of JSON.parse(fs.readFileSync(retryFile, "utf8")) as string[]) {
      // As a client does: a 503 is retried after a pause (the log's disk may still hold the segments the
      // restart is replaying into the engine, which it frees once they are stored).
      let answer = await post(await streamBatch(userId));
      for (let attempt = 1; answer.status === 503 && attempt < 50; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        answer = await post(await streamBatch(userId));
      }
      if (answer.status !== 200) throw new Error(`the retry of ${userId} was answered ${answer.status}`);
    }
  }
  await flushIngestion();
  const client = await clickhouse();
  const rows = await (
    await client.query({
      query: `SELECT user_id AS user, count() AS stored, uniqExact(event_id) AS ids FROM events FINAL
              WHERE user_id LIKE 'stream-%' GROUP BY user_id`,
      format: "JSONEachRow",
    })
  ).json<{ user: string; stored: number; ids: number }>();
  answerAndExit(`TALLY ${JSON.stringify(Object.fromEntries(rows.map((r) => [r.user, [Number(r.stored), Number(r.ids)]])))}`);
} else if (mode === "ingest") {
  const answer = await post();
  process.stdout.write(`ACK ${JSON.stringify(answer)}\n`);
  setInterval(() => {}, 1000); // stay alive until killed
} else if (mode === "refine" || mode === "samples") {
  const { flushIngestion } = await import("../../lib/ingestion/log");
  const { runPipelinePass } = await import("../../lib/refinements/pipeline");
  const { database } = await import("../../lib/runtime/database");
  const { clickhouse } = await import("../../lib/clickhouse");
  if (mode === "refine") {
    const events = batch.events as unknown[];
    for (let i = 0; i < events.length; i += 40) {
      batch.events = events.slice(i, i + 40);
      if ((await post()).status !== 200) throw new Error("the batch was refused");
      await flushIngestion(); // one insert each: the pipeline's slices end at insert boundaries
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 1_100));
  }
  const client = await database();
  await runPipelinePass(client, { sliceSuggestions: 40, onSlice: (report) => process.stdout.write(`SLICE ${report.slices}\n`) });
  if (mode === "refine") setInterval(() => {}, 1000);
  else {
    const ch = await clickhouse();
    const [row] = await (
      await ch.query({ query: "SELECT count() AS n, uniqExact(suggestion_id) AS u FROM refinement_samples FINAL", format: "JSONEachRow" })
    ).json<{ n: number; u: number }>();
    answerAndExit(`SAMPLES ${row.n} ${row.u}`);
  }
} else {
  const { startup } = await import("../../lib/runtime/startup");
  const { flushIngestion } = await import("../../lib/ingestion/log");
  const { clickhouse } = await import("../../lib/clickhouse");
  await startup();
  const retry = process.argv.includes("--retry") ? await post() : null;
  await flushIngestion();
  const client = await clickhouse();
  const rows = await (
    await client.query({
      query: "SELECT count() AS n FROM events FINAL WHERE user_id = {u:String}",
      query_params: { u: batch.events[0].userId },
      format: "JSONEachRow",
    })
  ).json<{ n: number }>();
  answerAndExit(`COUNT ${rows[0].n} ${JSON.stringify(retry)}`);
}
