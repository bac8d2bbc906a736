import { describe, expect, it } from "vitest";
import { clickhouseHandle } from "@/lib/clickhouse/client";

// The embedded engine's allocator returns freed pages after about a second (lib/clickhouse/client.ts): its
// options are read once, when the native library loads, so they only apply if the handle sets them first.
describe.skipIf(process.env.ECHO_TEST_CLICKHOUSE === "http")("embedded engine memory", () => {
  it("runs the engine's allocator with a one-second decay of freed pages", async () => {
    const handle = await clickhouseHandle();
    expect(handle.engine).toBe("chdb");
    const result = await handle.client.query({ query: "SELECT * FROM system.jemalloc_stats", format: "TabSeparatedRaw" });
    const stats = await result.text();
    expect(stats).toMatch(/opt\.dirty_decay_ms: 1000 \(arenas\.dirty_decay_ms: 1000\)/);
  });
});
