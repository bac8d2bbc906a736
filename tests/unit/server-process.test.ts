import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { HEAP_GROWING_FLAG, SERVER_MEMORY_FLAGS, SERVER_NODE_ARGS, serverEnv } from "@/lib/runtime/serverProcess";

describe("the server process's settings", () => {
  it("starts Node with the flags and environment it sets (a misspelt flag stops Node)", () => {
    const args = SERVER_MEMORY_FLAGS;
    expect(SERVER_NODE_ARGS).toEqual([...args, "--import", "tsx"]);
    expect(args).toContain(HEAP_GROWING_FLAG);
    const script =
      "console.log(JSON.stringify([process.execArgv.slice(0, -2), process.env.MALLOC_ARENA_MAX, process.env.MALLOC_MMAP_THRESHOLD_]))";
    const output = execFileSync(process.execPath, [...args, "-e", script], {
      env: serverEnv({ ...process.env, MALLOC_ARENA_MAX: undefined, MALLOC_MMAP_THRESHOLD_: undefined }),
    });
    expect(JSON.parse(output.toString())).toEqual([args, "2", "131072"]);
  });

  it("leaves an operator's own allocator settings as they are", () => {
    expect(serverEnv({ ...process.env, MALLOC_ARENA_MAX: "4", PORT: "3000" })).toMatchObject({
      MALLOC_ARENA_MAX: "4",
      MALLOC_MMAP_THRESHOLD_: "131072",
      PORT: "3000",
    });
  });
});
