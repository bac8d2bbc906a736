import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { closeEmbedded, embeddedDatabase } from "@/lib/db/adapter";

// A directory written by PGlite 0.3.16 (the embedded database of Echo 0.1): a table `legacy_rows` with one
// row, made with `new PGlite(dir)`, an INSERT and `dumpDataDir("gzip")`.
const FIXTURE = path.join(import.meta.dirname, "..", "fixtures", "pglite-0.3.16-datadir.tar.gz");

describe("embedded database (PGlite)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "echo-pglite-legacy-"));
  afterAll(async () => {
    await closeEmbedded();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads a directory an earlier PGlite wrote, where its data is", async () => {
    execFileSync("tar", ["-xzf", FIXTURE, "-C", dir]);
    const db = embeddedDatabase(`pglite:${dir}`)!;
    const { rows } = await db.query<{ note: string }>("SELECT note FROM legacy_rows");
    expect(rows).toEqual([{ note: "written by PGlite 0.3" }]);
    // The buffer pool is ours to size (PGlite 0.3 fixed it at 128 MB).
    expect((await db.query("SHOW shared_buffers")).rows).toEqual([{ shared_buffers: "16MB" }]);
    // Written to after the upgrade, read again after a restart.
    await db.query("INSERT INTO legacy_rows VALUES ($1)", ["written after the upgrade"]);
    await closeEmbedded();
    const reopened = embeddedDatabase(`pglite:${dir}`)!;
    expect((await reopened.query("SELECT count(*)::int AS n FROM legacy_rows")).rows).toEqual([{ n: 2 }]);
  });
});
