import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EVENT_COLUMNS } from "@/lib/clickhouse/tables";
import { eventTsv } from "@/lib/events/rows";
import { eventSchema } from "@/lib/events/schema";
import { readSegment, WriteAheadLog, type WalBlock } from "@/lib/ingestion/wal";
import { RecentIds } from "@/lib/ingestion/recentIds";

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-wal-test-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A log whose consumer records what it was handed; rotation is driven by drain() only. */
function log(dir: string, fail = false) {
  const consumed: WalBlock[][] = [];
  const wal = new WriteAheadLog({
    dir,
    rotateMs: 3_600_000,
    consume: async (blocks) => {
      if (fail) throw new Error("store down");
      consumed.push(blocks);
    },
  });
  return { wal, consumed };
}

const rowsOf = (blocks: WalBlock[]) =>
  blocks.flatMap((b) =>
    b.data
      .toString("utf8")
      .split("\n")
      .filter(Boolean)
      .map((row) => `${b.tag}:${row}`),
  );

describe("write-ahead log", () => {
  it("hands each append to the consumer as one block with the bytes that were written", async () => {
    const { wal, consumed } = log(tempDir());
    wal.start();
    await Promise.all([wal.append("E", ["a\t1", "b\t2"]), wal.append("X", ["x\t9"]), wal.append("E", ["c\t3"])]);
    await wal.drain();
    wal.stop();
    const blocks = consumed.flat();
    expect(blocks.map((b) => [b.tag, b.rows, b.replayed])).toEqual([
      ["E", 2, false],
      ["X", 1, false],
      ["E", 1, false],
    ]);
    expect(rowsOf(blocks)).toEqual(["E:a\t1", "E:b\t2", "X:x\t9", "E:c\t3"]);
  });

  it("stores a lone append within a rotation, then paces the consumer: rows wait for the interval or a large insert, or a drain", async () => {
    const consumed: WalBlock[][] = [];
    const wal = new WriteAheadLog({
      dir: tempDir(),
      rotateMs: 10,
      consumeIntervalMs: 3_600_000, // after the first store, only the row count or a drain makes segments due
      minRowsPerConsume: 1_000,
      consume: async (blocks) => void consumed.push(blocks),
    });
    wal.start();
    const consumedRows = async (count: number) => {
      for (let waited = 0; consumed.flat().reduce((sum, b) => sum + b.rows, 0) < count; waited += 10) {
        if (waited > 5_000) throw new Error(`${count} rows were not stored`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await wal.append("E", ["first\t1"]);
    await consumedRows(1); // nothing stored before: due at once
    await wal.append("E", ["held\t2"]);
    await new Promise((r) => setTimeout(r, 300)); // thirty rotations
    expect(consumed).toHaveLength(1);
    expect(wal.backlog()).toMatchObject({ rows: 1 });
    const many = Array.from({ length: 1_000 }, (_, i) => `many\t${i}`);
    await wal.append("E", many);
    await consumedRows(1_002); // 1,000 rows are due whatever the interval: stored together with the held one
    expect(consumed).toHaveLength(2);
    expect(rowsOf(consumed[1])).toEqual(["E:held\t2", ...many.map((row) => `E:${row}`)]);
    await wal.append("E", ["last\t3"]);
    await within(wal.drain(), 2_000, "drain"); // a drain takes everything at once
    wal.stop();
    expect(rowsOf(consumed.flat()).at(-1)).toBe("E:last\t3");
  });

  it("replays what a previous process logged but did not store, and deletes segments once stored", async () => {
    const dir = tempDir();
    const first = log(dir, true); // the store is down: nothing is consumed
    first.wal.start();
    await first.wal.append("E", ["kept\t1", "kept\t2"]);
    first.wal.stop();
    // The file is on disk as the process left it (no rotation, no close): a crash.
    const second = log(dir);
    second.wal.start();
    await second.wal.drain();
    second.wal.stop();
    const blocks = second.consumed.flat();
    expect(blocks.every((b) => b.replayed)).toBe(true);
    expect(rowsOf(blocks)).toEqual(["E:kept\t1", "E:kept\t2"]);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("drops a torn block (a crash mid-write) whole, never a part of it", () => {
    const dir = tempDir();
    const file = path.join(dir, "000000000001.log");
    const whole = "#E 2 10\nab\t1\ncd\t2\n";
    fs.writeFileSync(file, whole + "#E 3 12\nef\t3\ngh\t4\n"); // the second block lost its last row
    expect(rowsOf(readSegment(file))).toEqual(["E:ab\t1", "E:cd\t2"]);
    fs.writeFileSync(file, whole + "#E 3"); // torn inside the header
    expect(rowsOf(readSegment(file))).toEqual(["E:ab\t1", "E:cd\t2"]);
  });

  it("reads the line-per-row segments of Echo 0.1.0, so an upgrade replays them", () => {
    const dir = tempDir();
    const file = path.join(dir, "000000000001.log");
    fs.writeFileSync(file, "E\tproj\tid-1\tproj\tid-1\tshown\nX\tproj\texp\t1\nE\tproj\tid-2\tproj\tid-2\ttor");
    expect(rowsOf(readSegment(file))).toEqual(["E:proj\tid-1\tshown", "X:proj\texp\t1"]);
  });
});

/** The log's directory stops being one (a removed or remounted volume): opening a segment fails. */
function breakDirectory(dir: string) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.writeFileSync(dir, "");
}

function restoreDirectory(dir: string) {
  fs.rmSync(dir, { force: true });
  fs.mkdirSync(dir);
}

/** Rejects when `promise` has not settled within `ms`, so a wedged log fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe("write-ahead log when a segment cannot be opened", () => {
  it("rejects the append, reports the log as not writable, and takes appends again once the directory is back", async () => {
    const dir = tempDir();
    const { wal, consumed } = log(dir);
    wal.start();
    await wal.append("E", ["before\t1"]);
    await wal.drain(); // closes the segment: the next append must open a new one
    breakDirectory(dir);

    await expect(within(wal.append("E", ["lost\t2"]), 2_000, "the failing append")).rejects.toThrow(/ENOTDIR/);
    expect(wal.backlog()).toMatchObject({ writable: false, lastError: expect.stringMatching(/ENOTDIR/), failures: 1 });
    await expect(within(wal.append("E", ["lost\t3"]), 2_000, "the second failing append")).rejects.toThrow(/ENOTDIR/);
    expect(wal.backlog()).toMatchObject({ writable: false, failures: 2 });

    restoreDirectory(dir);
    await within(wal.append("E", ["after\t4"]), 2_000, "the append after recovery");
    expect(wal.backlog()).toMatchObject({ writable: true, lastError: null, failures: 0 });
    await within(wal.drain(), 2_000, "drain");
    wal.stop();
    expect(rowsOf(consumed.flat())).toEqual(["E:before\t1", "E:after\t4"]);
  });

  it("does not wedge the process: rotation after the failed append finishes", async () => {
    // A wedged log spins on an already-settled promise and starves every timer of its process, this
    // test's included; so the scenario runs in a child process that is killed when it does not finish.
    const dir = tempDir();
    const script = path.join(tempDir(), "wedge.mts");
    fs.writeFileSync(
      script,
      `import fs from "node:fs";
import { WriteAheadLog } from ${JSON.stringify(path.resolve("lib/ingestion/wal.ts"))};
const dir = ${JSON.stringify(dir)};
const wal = new WriteAheadLog({ dir, rotateMs: 3_600_000, consume: async () => {} });
wal.start();
fs.rmSync(dir, { recursive: true });
fs.writeFileSync(dir, "");
const outcome = await wal.append("E", ["a\\t1"]).then(() => "stored", (error) => error.code);
await wal.drain();
console.log("DRAINED " + outcome);
`,
    );
    const output = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["--import", "tsx", script], { timeout: 15_000, killSignal: "SIGKILL" }, (error, stdout, stderr) =>
        error ? reject(new Error(`the child did not finish (${error.signal ?? error.code}): ${stderr}`)) : resolve(stdout),
      ),
    );
    expect(output.trim()).toBe("DRAINED ENOTDIR");
  }, 30_000);
});

describe("eventTsv", () => {
  const parse = (event: Record<string, unknown>) =>
    eventSchema.parse({
      eventId: "0B9E7F3A-1C2D-4E5F-8A9B-0C1D2E3F4A5B",
      timestamp: "2026-11-24T10:00:00.123Z",
      userId: "u1",
      modelVersion: "v2",
      ...event,
    });
  const fields = (line: string) => Object.fromEntries(line.split("\t").map((value, i) => [EVENT_COLUMNS[i], value]));

  it("writes every column in EVENT_COLUMNS order", () => {
    const line = eventTsv(
      "proj",
      parse({
        type: "shown",
        suggestionId: "s1",
        completionChars: 48,
        completionLines: 2,
        latencyMs: 140,
        language: "python",
        ide: "vscode",
        userGroup: "internal",
      }),
      { experimentKey: "exp", variantKey: "treatment" },
    );
    expect(line.split("\t")).toHaveLength(EVENT_COLUMNS.length);
    expect(fields(line)).toMatchObject({
      project_id: "proj",
      event_id: "0b9e7f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
      type: "shown",
      timestamp: "2026-11-24 10:00:00.123",
      user_id: "u1",
      suggestion_id: "s1",
      model_version: "v2",
      experiment_key: "exp",
      variant_key: "treatment",
      language: "python",
      ide: "vscode",
      user_group: "internal",
      completion_chars: "48",
      completion_lines: "2",
      latency_ms: "140",
      accepted_chars: "0",
      retained_chars: "\\N",
      human_chars: "0",
    });
  });

  it("keeps the client's experiment over the assignment, and an absent retainedChars as NULL", () => {
    const refined = fields(
      eventTsv(
        "p",
        parse({ type: "refined", suggestionId: "s", windowSeconds: 30, proposal: "a", final: "b", experimentKey: "mine", variantKey: "v" }),
        { experimentKey: "other", variantKey: "w" },
      ),
    );
    expect([refined.experiment_key, refined.variant_key, refined.retained_chars, refined.window_seconds]).toEqual([
      "mine",
      "v",
      "\\N",
      "30",
    ]);
    expect(
      fields(eventTsv("p", parse({ type: "refined", suggestionId: "s", windowSeconds: 30, proposal: "a", final: "b", retainedChars: 0 })))
        .retained_chars,
    ).toBe("0");
  });

  it("escapes code so that a row stays one line, and redacts secrets before they are logged", () => {
    const line = eventTsv(
      "p",
      parse({
        type: "refined",
        suggestionId: "s",
        windowSeconds: 30,
        proposal: "a\tb\nc\\d",
        final: 'gh.auth("ghp_abcdefghijklmnopqrstuvwxyz0123456789")\n',
        retainedChars: 3,
      }),
    );
    expect(line).not.toContain("\n");
    expect(line.split("\t")).toHaveLength(EVENT_COLUMNS.length);
    const row = fields(line);
    expect(row.proposal).toBe("a\\tb\\nc\\\\d");
    expect(row.final).toContain("[REDACTED:github_token]");
    expect(line).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
  });
});

describe("RecentIds", () => {
  it("remembers ids per project and forgets the oldest generation past its capacity", () => {
    const recent = new RecentIds<number>(4);
    recent.add("p1", "a", 1);
    recent.add("p1", "b", 2);
    expect(recent.has("p1", "a")).toBe(true);
    expect(recent.get("p1", "b")).toBe(2);
    expect(recent.has("p2", "a")).toBe(false);
    recent.add("p1", "c", 3); // young generation full: a and b become old
    recent.add("p1", "d", 4);
    expect(recent.get("p1", "a")).toBe(1);
    recent.add("p1", "e", 5); // c and d become old, a and b are forgotten
    expect([recent.has("p1", "a"), recent.has("p1", "c"), recent.has("p1", "e")]).toEqual([false, true, true]);
    recent.delete("p1", "e");
    expect(recent.get("p1", "e")).toBeUndefined();
  });

  it("counts an id added twice once toward the capacity, and keeps its latest value", () => {
    const recent = new RecentIds<string>(4);
    recent.add("p1", "a", "first");
    recent.add("p1", "a", "second");
    recent.add("p1", "b", "b");
    expect(recent.get("p1", "a")).toBe("second");
    recent.add("p1", "c", "c"); // a and b fill the young generation: they become old, c is young
    expect([recent.get("p1", "a"), recent.get("p1", "c")]).toEqual(["second", "c"]);
  });

  it("keeps UUIDs as their 128 bits: per project, whatever the case, forgetting the oldest generation past its capacity", () => {
    const ids = Array.from({ length: 3_000 }, () => crypto.randomUUID());
    const recent = new RecentIds<number>(2_000);
    ids.forEach((id, i) => recent.add("p1", id, i));
    // The young generation holds the last 1,000 at most, the old one the 1,000 before: the first 1,000 are forgotten.
    expect(recent.get("p1", ids[2_999])).toBe(2_999);
    expect(recent.get("p1", ids[2_000].toUpperCase())).toBe(2_000);
    expect(recent.get("p1", ids[1_000])).toBe(1_000);
    expect(ids.slice(0, 1_000).some((id) => recent.has("p1", id))).toBe(false);
    expect(ids.slice(1_000).every((id, i) => recent.get("p1", id) === 1_000 + i)).toBe(true);
    expect(recent.has("p2", ids[2_999])).toBe(false);
    expect(recent.size).toBe(2_000);
    // Ids that differ in one bit anywhere are different ids.
    const id = ids[2_999];
    for (let at = 0; at < 36; at++) {
      if (id[at] === "-") continue;
      const flipped = id.slice(0, at) + (parseInt(id[at], 16) ^ 1).toString(16) + id.slice(at + 1);
      expect(recent.has("p1", flipped)).toBe(false);
    }
  });

  it("reuses deleted slots without losing the ids past them in a probe chain", () => {
    const recent = new RecentIds<string>(20_000);
    const ids = Array.from({ length: 9_000 }, () => crypto.randomUUID());
    for (const id of ids) recent.add("p", id, id);
    // Delete every other id (a failed append forgets its ids), then add them back: all found, none twice.
    ids.forEach((id, i) => i % 2 === 0 && recent.delete("p", id));
    expect(ids.every((id, i) => recent.has("p", id) === (i % 2 === 1))).toBe(true);
    for (const id of ids) recent.add("p", id, `again ${id}`);
    expect(ids.every((id) => recent.get("p", id) === `again ${id}`)).toBe(true);
    expect(recent.size).toBe(9_000);
  });

  it("claims an id as get-then-add does, through rotations, deletions and ids that are not UUIDs", () => {
    // Two tables fed the same operations, one claiming, one looking up then adding: the same answers throughout.
    // The same hash seed for both: reusing deleted slots depends on the layout, and with it when a generation fills.
    const random = vi.spyOn(Math, "random").mockReturnValue(0.25);
    const claiming = new RecentIds<number>(600);
    const reference = new RecentIds<number>(600);
    random.mockRestore();
    const pool = [...Array.from({ length: 900 }, () => crypto.randomUUID()), ...Array.from({ length: 30 }, (_, i) => `plain-${i}`)];
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    let claimed = 0;
    for (let step = 0; step < 20_000; step++) {
      const project = next() < 0.8 ? "p1" : "p2";
      const id = pool[Math.floor(next() * pool.length)];
      const cased = next() < 0.1 ? id.toUpperCase() : id;
      if (next() < 0.1) {
        claiming.delete(project, cased);
        reference.delete(project, cased);
        continue;
      }
      const seen = reference.get(project, cased);
      if (seen === undefined) reference.add(project, cased, step);
      const answer = claiming.claim(project, cased, step);
      expect(answer, `step ${step}`).toBe(seen);
      if (answer === undefined) claimed++;
    }
    expect(claimed).toBeGreaterThan(1_000); // rotations happened: ids were forgotten and claimed again
    expect(claiming.size).toBe(reference.size);
    for (const project of ["p1", "p2"]) for (const id of pool) expect(claiming.get(project, id)).toBe(reference.get(project, id));
  });

  it("keeps an id that is not a UUID beside the UUIDs, with the same semantics", () => {
    const recent = new RecentIds<string>(4);
    const uuid = "0b9b6a3e-4c1d-4f7a-9e2b-1c2d3e4f5a6b";
    recent.add("p1", "not-a-uuid", "x");
    recent.add("p1", uuid, "u");
    expect([recent.get("p1", "not-a-uuid"), recent.get("p1", uuid), recent.get("p2", "not-a-uuid")]).toEqual(["x", "u", undefined]);
    expect(recent.has("p1", "0b9b6a3e-4c1d-4f7a-9e2b-1c2d3e4f5a6g")).toBe(false); // not hex: looked up as a string
    recent.add("p1", "c", "c"); // the young generation was full: x and u become old
    recent.add("p1", "d", "d");
    recent.add("p1", "e", "e"); // x and u are forgotten
    expect([recent.has("p1", "not-a-uuid"), recent.has("p1", uuid), recent.get("p1", "e")]).toEqual([false, false, "e"]);
  });
});
