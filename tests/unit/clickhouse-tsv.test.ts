import { describe, expect, it } from "vitest";
import { tsvBody, tsvString } from "@/lib/clickhouse/tsv";

describe("tsvBody: rows written into one TabSeparated body", () => {
  it("holds the same bytes as the rows joined, and each row's end", () => {
    const pieces = ["plain", "é ü", "漢字", "🙂", "\ud800", "tab\there", "line\nbreak", "back\\slash", "x".repeat(70_000)];
    let seed = 3;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const rows = Array.from({ length: Math.floor(next() * 8) }, () =>
        Array.from({ length: 1 + Math.floor(next() * 4) }, () => tsvString(pieces[Math.floor(next() * pieces.length)])).join("\t"),
      );
      const rowEnds = new Int32Array(rows.length);
      const body = tsvBody(rows, rowEnds);
      expect(body.equals(Buffer.from(rows.length ? rows.join("\n") + "\n" : ""))).toBe(true);
      let end = 0;
      rows.forEach((row, i) => expect(rowEnds[i]).toBe((end += Buffer.byteLength(row) + 1)));
    }
  });
});
