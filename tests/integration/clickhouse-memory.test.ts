import { describe, expect, it } from "vitest";
import { clickhouseHandle } from "@/lib/clickhouse/client";

// The embedded engine's allocator returns freed pages after about a second (lib/clickhouse/client.ts): its
// options are read once, when the native library loads, so they only apply if the handle sets them first.
describe.skipIf(process.env.ECHO_TEST_CLICKHOUSE === "http")("embedded engine memory", () => {
  it("runs the engine's allocator with a one-second decay of freed pages, in huge pages", async () => {
    const handle = await clickhouseHandle();
    expect(handle.engine).toBe("chdb");
    const result = await handle.client.query({ query: "SELECT * FROM system.jemalloc_stats", format: "TabSeparatedRaw" });
    const stats = await result.text();
    expect(stats).toMatch(/opt\.dirty_decay_ms: 1000 \(arenas\.dirty_decay_ms: 1000\)/);
    // and asks for transparent huge pages on its mappings
    expect(stats).toMatch(/opt\.thp: "always"/);
  });

  // Under steady ingestion the engine removes a burst of outdated parts minutes in; a pool sized for a
  // server (128) started a thread per part, and the global pool kept them all, idle, for the process's life.
  it("removes a burst of outdated parts with a few threads, not one per part", async () => {
    const { queryRows, runStatement } = await import("@/lib/clickhouse");
    const count = async (sql: string) => (await queryRows({ tag: "test.count", sql, columns: { n: "number" } }))[0].n;
    const threads = () => count("SELECT value AS n FROM system.metrics WHERE metric = 'GlobalThread'");
    const parts = () => count("SELECT count() AS n FROM system.parts WHERE database = currentDatabase() AND table = 'parts_burst'");
    const run = (sql: string) => runStatement({ tag: "test.partsBurst", sql });
    await run("DROP TABLE IF EXISTS parts_burst");
    // Parts become removable a second after a merge replaced them, and are removed in parallel from 10 on.
    await run(
      "CREATE TABLE parts_burst (n UInt32) ENGINE = MergeTree ORDER BY n SETTINGS old_parts_lifetime = 1, " +
        "cleanup_delay_period = 1, cleanup_delay_period_random_add = 0, concurrent_part_removal_threshold = 10",
    );
    await run("SYSTEM STOP MERGES parts_burst");
    for (let i = 0; i < 60; i++) await run(`INSERT INTO parts_burst VALUES (${i})`);
    const before = await threads();
    await run("SYSTEM START MERGES parts_burst");
    await run("OPTIMIZE TABLE parts_burst FINAL");
    await expect.poll(parts, { timeout: 30_000, interval: 250 }).toBe(1);
    expect((await threads()) - before).toBeLessThanOrEqual(8);
    await run("DROP TABLE parts_burst");
  }, 60_000);
});
