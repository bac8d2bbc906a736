import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkSyntax, SYNTAX_LOAD_RETRY_MS } from "@/lib/refinements/syntax";

// Grammars are resolved from the app's directory (the process's working directory): started elsewhere, none
// can load. This file loads no grammar before its test, so the first load happens in it.
describe("a grammar that cannot load", () => {
  const appDirectory = process.cwd();
  afterEach(() => {
    process.chdir(appDirectory);
    vi.useRealTimers();
  });

  it("is answered with its error until the retry interval has passed, then tried again", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-12-04T12:00:00Z") });
    process.chdir(fs.mkdtempSync(path.join(os.tmpdir(), "echo-no-grammars-")));
    await expect(checkSyntax("css", "a { color: red; }")).rejects.toThrow(/web-tree-sitter/);

    // Back in the app's directory the grammar could load, but the failure is remembered: no new attempt.
    process.chdir(appDirectory);
    await expect(checkSyntax("css", "a { color: red; }")).rejects.toThrow(/web-tree-sitter/);
    vi.setSystemTime(Date.now() + SYNTAX_LOAD_RETRY_MS - 1);
    await expect(checkSyntax("bash", "echo hi")).rejects.toThrow(/web-tree-sitter/);

    // Once the interval has passed, the next check tries again and loads.
    vi.setSystemTime(Date.now() + 1);
    expect(await checkSyntax("css", "a { color: red; }")).toBe("ok");
    expect(await checkSyntax("css", "a { color: red; ")).toBe("error");
  });
});
