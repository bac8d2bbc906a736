import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { WriteAheadLog, type WalBlock } from "@/lib/ingestion/wal";

// While ClickHouse is down the log grows on disk, as designed, and must not grow in memory with it: the
// blocks of closed segments are kept in memory (so the consumer need not read back what was just written)
// only up to a budget; beyond it, segments wait on disk alone and are read back when the store returns.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-wal-memory-"));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it("keeps at most its memory budget of blocks while the store is down, and stores everything once it is back", async () => {
  let storeUp = false;
  const consumed: WalBlock[] = [];
  const wal = new WriteAheadLog({
    dir,
    rotateMs: 5,
    maxBufferedBytes: 20_000,
    consume: async (blocks) => {
      if (!storeUp) throw new Error("store down");
      consumed.push(...blocks);
    },
  });
  wal.start();
  const row = (i: number) => `row-${String(i).padStart(6, "0")}\t${"x".repeat(990)}`;
  for (let i = 0; i < 200; i++) {
    await wal.append("E", [row(i)]);
    if (i % 10 === 9) await new Promise((r) => setTimeout(r, 10)); // let segments rotate
  }
  await new Promise((r) => setTimeout(r, 20));
  // 200 KB logged, none stored: the disk has it all, memory at most the budget (plus the open segment)
  expect(wal.backlog().rows).toBe(200);
  expect(wal.backlog().bufferedBytes).toBeLessThanOrEqual(20_000 + 11 * 1_000);
  storeUp = true;
  await wal.drain();
  wal.stop();
  const stored = consumed.flatMap((b) => b.data.toString("utf8").trimEnd().split("\n"));
  expect(stored).toEqual(Array.from({ length: 200 }, (_, i) => row(i)));
  expect(wal.backlog()).toMatchObject({ rows: 0, segments: 0, bufferedBytes: 0 });
}, 60_000);
