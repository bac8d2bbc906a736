import { describe, expect, it } from "vitest";
import { queryRows } from "@/lib/clickhouse";
import { LATENCY_ORDER_STATISTICS_COLUMNS } from "@/lib/results/queries";
import { latencyBucketSql, latencyHistogramSql, latencyQuantileSql } from "@/lib/results/sql";
import {
  addToHistogram,
  histogramOrderStatistic,
  latencyBucket,
  rankPosition,
  valuesAtOrBelow,
  type LatencyHistogram,
} from "@/lib/stats/histogramQuantile";
import { quantileConfidenceIndices } from "@/lib/stats/quantile";

// The SQL of the latency histograms (lib/results/sql.ts) against their definition in
// lib/stats/histogramQuantile.ts, in a real engine.

describe("latency histograms in SQL", () => {
  it("puts every latency up to 100,000 ms (and a few far above) in the bucket the definition does", async () => {
    const rows = await queryRows({
      tag: "test.buckets",
      sql: `SELECT groupArray(${latencyBucketSql("v")}) AS buckets
            FROM (SELECT arrayJoin(arrayConcat(range(100001), [1000000, 123456789, 4294967295])) AS v)`,
      columns: { buckets: "numbers" },
    });
    const values = [...Array.from({ length: 100_001 }, (_, v) => v), 1_000_000, 123_456_789, 4_294_967_295];
    const mismatches = values.filter((v, i) => rows[0].buckets[i] !== latencyBucket(v));
    expect(mismatches).toEqual([]);
  });

  it("builds a row's histogram from its latency arrays: buckets ascending without repeats, their counts", async () => {
    const arrays = [[180, 181, 180, 0], [], [5000, 181], [180]];
    const [buckets, counts] = latencyHistogramSql("latencies");
    const rows = await queryRows({
      tag: "test.histogram",
      sql: `SELECT ${buckets} AS buckets, ${counts} AS counts FROM (SELECT arrayJoin({arrays:Array(Array(UInt32))}) AS latencies)`,
      params: { arrays },
      columns: { buckets: "numbers", counts: "numbers" },
    });
    const expected = addToHistogram(new Map(), arrays.flat());
    const sorted = [...expected.keys()].sort((a, b) => a - b);
    expect(rows[0].buckets).toEqual(sorted);
    expect(rows[0].counts).toEqual(sorted.map((b) => expected.get(b)));
    // a row without any latency (a user who only requested that day) has an empty histogram
    const empty = await queryRows({
      tag: "test.histogram",
      sql: `SELECT ${buckets} AS buckets, ${counts} AS counts FROM (SELECT arrayJoin({arrays:Array(Array(UInt32))}) AS latencies)`,
      params: { arrays: [[], []] },
      columns: { buckets: "numbers", counts: "numbers" },
    });
    expect(empty).toEqual([{ buckets: [], counts: [] }]);
  });

  it("answers the quantile, its bracketing order statistics and the clustering sums the definition gives", async () => {
    // Two groups of users with lognormal-ish whole-millisecond latencies, each user's split over several rows.
    const users: { group: string; user: string; rows: number[][] }[] = [];
    let seed = 11;
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let u = 0; u < 300; u++) {
      const group = u % 2 === 0 ? "a" : "b";
      const count = 1 + Math.floor(next() * 40);
      const latencies = Array.from({ length: count }, () =>
        Math.round((group === "a" ? 150 : 170) * Math.exp(0.4 * (next() + next() + next() - 1.5))),
      );
      users.push({ group, user: `u${u}`, rows: [latencies.slice(0, count >> 1), latencies.slice(count >> 1)] });
    }
    const [p, z] = [0.95, 1.959963984540054];
    const rows = users.flatMap((u) => u.rows.map((latencies) => [u.group, u.user, latencies] as [string, string, number[]]));
    const [buckets, counts] = latencyHistogramSql("latencies");
    const answer = await queryRows({
      tag: "test.quantile",
      sql: `WITH ${latencyQuantileSql(
        "g",
        "{groups:Array(String)}",
        `SELECT g, user_id, ${buckets} AS latency_buckets, ${counts} AS latency_counts
         FROM (SELECT r.1 AS g, r.2 AS user_id, r.3 AS latencies
               FROM (SELECT arrayJoin(arrayZip({rowGroups:Array(String)}, {rowUsers:Array(String)}, {rowLatencies:Array(Array(UInt32))})) AS r))
         GROUP BY g, user_id, latencies`,
      )} ORDER BY g`,
      params: {
        rowGroups: rows.map((r) => r[0]),
        rowUsers: rows.map((r) => r[1]),
        rowLatencies: rows.map((r) => r[2]),
        groups: ["a", "b"],
        p,
        z,
      },
      columns: { g: "string", ...LATENCY_ORDER_STATISTICS_COLUMNS },
    });
    expect(answer.map((r) => r.g)).toEqual(["a", "b"]);
    for (const row of answer) {
      const members = users.filter((u) => u.group === row.g);
      const histogram: LatencyHistogram = addToHistogram(
        new Map(),
        members.flatMap((u) => u.rows.flat()),
      );
      const n = members.reduce((s, u) => s + u.rows.flat().length, 0);
      const rank = Math.floor(p * n) + 1;
      const { lower, upper } = quantileConfidenceIndices(n, p, 0.05);
      expect(row.n).toBe(n);
      expect(row.ranks).toEqual([rank, lower, upper]);
      expect(row.quantile).toBeCloseTo(histogramOrderStatistic(histogram, rank), 9);
      expect(row.lowerValue).toBeCloseTo(histogramOrderStatistic(histogram, lower), 9);
      expect(row.upperValue).toBeCloseTo(histogramOrderStatistic(histogram, upper), 9);
      const position = rankPosition(histogram, rank);
      const xs = members.map((u) => valuesAtOrBelow(addToHistogram(new Map(), u.rows.flat()), position));
      const ys = members.map((u) => u.rows.flat().length);
      expect(row.users).toBe(members.length);
      expect(row.sumX).toBeCloseTo(rank, 6);
      expect(row.sumY).toBe(n);
      expect(row.sumX2).toBeCloseTo(
        xs.reduce((s, x) => s + x * x, 0),
        6,
      );
      expect(row.sumXY).toBeCloseTo(
        xs.reduce((s, x, i) => s + x * ys[i], 0),
        6,
      );
    }
  });
});
