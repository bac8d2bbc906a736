import { describe, expect, it } from "vitest";
import { userDayRowAt, userDayTable, type UserDayRow, type UserDayTable } from "@/lib/metrics/userDayTable";
import {
  bucketWindows,
  latencyClustering,
  LATENCY_WINDOW_BUCKETS,
  quantilesFromWindows,
  userValuesAtOrBelow,
  windowsCover,
  type LatencyQuantile,
} from "@/lib/results/latencyWindow";
import { parseUserDayRows } from "@/lib/results/userDayRows";
import { bracketRanks, normalQuantile } from "@/lib/stats";
import {
  addToHistogram,
  histogramOrderStatistic,
  latencyBucket,
  rankPosition,
  valuesAtOrBelow,
  type LatencyHistogram,
} from "@/lib/stats/histogramQuantile";

/** A deterministic pseudo-random generator (mulberry32), so that a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the sums query answers for a user's histogram and a window's first bucket (lib/results/sql.ts userDayRowsSql with latency). */
function windowed(histogram: LatencyHistogram, low: number): NonNullable<UserDayRow["latency"]> {
  const count = (keep: (bucket: number) => boolean) => [...histogram].filter(([bucket]) => keep(bucket)).reduce((sum, [, c]) => sum + c, 0);
  return {
    n: count(() => true),
    below: count((bucket) => bucket < low),
    at: Array.from({ length: LATENCY_WINDOW_BUCKETS }, (_, k) => count((bucket) => bucket === low + k)),
  };
}

const rowsOf = (table: UserDayTable) => Array.from({ length: table.length }, (_, r) => userDayRowAt(table, r));

const quantileAt = (variant: string, bucket: number, bucketFraction: number): LatencyQuantile => ({
  variant,
  n: 0,
  ranks: { quantile: 0, lower: 0, upper: 0 },
  quantile: 0,
  lowerValue: 0,
  upperValue: 0,
  bucket,
  bucketFraction,
});

describe("the latency window of the users' rows", () => {
  it("gives each user's count at or below the quantile exactly as the histogram definition, wherever the quantile lies in the window", () => {
    const next = random(7);
    let covered = 0;
    for (let trial = 0; trial < 500; trial++) {
      const latencies = Array.from({ length: 1 + Math.floor(next() * 60) }, () => Math.round(50 + next() * 400));
      const histogram = addToHistogram(new Map(), latencies);
      const group = addToHistogram(
        new Map(histogram),
        Array.from({ length: 200 }, () => Math.round(50 + next() * 400)),
      );
      const position = rankPosition(group, 1 + Math.floor(next() * (latencies.length + 200)));
      const low = bucketWindows(new Map([["v", position.bucket + Math.round((next() - 0.5) * 6)]])).get("v")!;
      const quantile = quantileAt("v", position.bucket, position.fraction);
      if (!windowsCover(new Map([["v", low]]), [quantile])) continue;
      covered++;
      const { below, at } = windowed(histogram, low);
      expect(userValuesAtOrBelow(below, at, 0, low, quantile)).toBeCloseTo(valuesAtOrBelow(histogram, position), 9);
    }
    expect(covered).toBeGreaterThan(250);
  });

  it("finds each variant's quantile and bracket from the rows' sums exactly as from its whole histogram, or says it cannot", () => {
    const next = random(11);
    const z = normalQuantile(0.975);
    let found = 0;
    let refused = 0;
    for (let trial = 0; trial < 300; trial++) {
      const users = 1 + Math.floor(next() * 40);
      // each user's latencies repeated up to a thousand times: the volume at which the bracket's ends lie
      // within a bucket or two of the quantile (at small n the window cannot hold them, and the histograms are read)
      const histograms = Array.from({ length: users }, () => {
        const repeats = 1 + Math.floor(next() * 1000);
        const histogram = addToHistogram(
          new Map(),
          Array.from({ length: Math.floor(next() * 100) }, () => Math.round(80 + next() * next() * 400)),
        );
        return new Map([...histogram].map(([bucket, count]) => [bucket, count * repeats]));
      });
      const group = new Map<number, number>();
      for (const h of histograms) for (const [bucket, count] of h) group.set(bucket, (group.get(bucket) ?? 0) + count);
      const n = [...group.values()].reduce((a, b) => a + b, 0);
      if (n === 0) continue;
      const rank = Math.min(n, Math.floor(0.95 * n) + 1);
      // the expectation: the last answer's bucket, off by up to three buckets
      const low = bucketWindows(new Map([["v", rankPosition(group, rank).bucket + Math.round((next() - 0.5) * 6)]])).get("v")!;
      const rows = userDayTable(
        histograms.map((h, i) => ({ variant: "v", userId: `u${i}`, day: "post", segment: "", sums: [], latency: windowed(h, low) })),
        0,
      );
      const answer = quantilesFromWindows(rows, new Map([["v", low]]), ["v"], 0.95, z);
      const bracket = bracketRanks(n, 0.95, z);
      const inWindow = (r: number) => {
        const bucket = rankPosition(group, r).bucket;
        return bucket >= low && bucket < low + LATENCY_WINDOW_BUCKETS;
      };
      if (!inWindow(rank) || (bracket && (!inWindow(bracket.lower) || !inWindow(bracket.upper)))) {
        expect(answer).toBeNull();
        refused++;
        continue;
      }
      found++;
      const [q] = answer!;
      const position = rankPosition(group, rank);
      expect(q).toMatchObject({ variant: "v", n, bucket: position.bucket, bucketFraction: position.fraction });
      expect(q.quantile).toBe(histogramOrderStatistic(group, rank));
      expect(q.ranks.quantile).toBe(rank);
      if (bracket) {
        expect([q.ranks.lower, q.ranks.upper]).toEqual([bracket.lower, bracket.upper]);
        expect([q.lowerValue, q.upperValue]).toEqual([
          histogramOrderStatistic(group, bracket.lower),
          histogramOrderStatistic(group, bracket.upper),
        ]);
      } else expect(q.lowerValue).toBeNaN();
    }
    expect(found).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(20);
    // a variant with latencies but no window of its own: the histograms must be read
    const row = userDayTable(
      [{ variant: "w", userId: "u", day: "post", segment: "", sums: [], latency: { n: 3, below: 0, at: [3, 0, 0, 0, 0] } }],
      0,
    );
    expect(quantilesFromWindows(row, new Map([["v", 10]]), ["v", "w"], 0.95, z)).toBeNull();
    expect(quantilesFromWindows(row, new Map([["w", 10]]), ["v", "w"], 0.95, z)).toHaveLength(1); // v has no latencies: no quantile
  });

  it("centres each variant's window on its bucket, and tells when a quantile left it", () => {
    const windows = bucketWindows(
      new Map([
        ["a", 560],
        ["b", 566],
        ["c", 1],
      ]),
    );
    expect(windows).toEqual(
      new Map([
        ["a", 558],
        ["b", 564],
        ["c", 0],
      ]),
    );
    expect(windowsCover(windows, [quantileAt("a", 558, 1), quantileAt("b", 568, 0.5)])).toBe(true);
    expect(windowsCover(windows, [quantileAt("a", 560, 1), quantileAt("b", 569, 0.5)])).toBe(false);
    expect(windowsCover(windows, [quantileAt("a", 557, 1)])).toBe(false);
    expect(windowsCover(windows, [quantileAt("d", 560, 1)])).toBe(false); // a variant without a window
  });

  it("sums X, Y and their products per variant over the users with latencies, from post rows only", () => {
    const q = quantileAt("control", latencyBucket(200), 0.5);
    const row = (userId: string, day: string, latency: UserDayRow["latency"]): UserDayRow => ({
      variant: "control",
      userId,
      day,
      segment: "",
      sums: [],
      latency,
    });
    const low = q.bucket - 2;
    const rows = [
      row("u1", "post", { n: 5, below: 2, at: [0, 1, 1, 0, 1] }), // x = 2 + 1 + 0.5
      row("u2", "post", { n: 4, below: 4, at: [0, 0, 0, 0, 0] }), // x = 4
      row("u3", "post", { n: 0, below: 0, at: [0, 0, 0, 0, 0] }), // no latencies: not a user of the quantile
      row("u1", "pre", { n: 9, below: 9, at: [0, 0, 0, 0, 0] }), // before exposure: not counted
      { ...row("u4", "post", { n: 1, below: 1, at: [0, 0, 0, 0, 0] }), variant: "other" }, // a variant without a quantile
    ];
    expect(latencyClustering(userDayTable(rows, 0), new Map([["control", low]]), [q]).get("control")).toEqual({
      users: 2,
      sumX: 3.5 + 4,
      sumY: 9,
      sumX2: 3.5 ** 2 + 16,
      sumY2: 25 + 16,
      sumXY: 3.5 * 5 + 16,
    });
  });

  it("reads the rows' latency columns after the sums and the series, and refuses a row without them", () => {
    const text = "control\tu1\tpost\t\t5\t[0]\t[1]\t[3]\t7\t2\t[3,2,0,0,0]\ncontrol\tu2\tpre\t\t1\t[]\t[]\t[]\t0\t0\t[0,0,0,0,0]\n";
    const rows = rowsOf(parseUserDayRows(text, 1, true, true));
    expect(rows.map((r) => r.latency)).toEqual([
      { n: 7, below: 2, at: [3, 2, 0, 0, 0] },
      { n: 0, below: 0, at: [0, 0, 0, 0, 0] },
    ]);
    expect(rowsOf(parseUserDayRows("control\tu1\tpost\t\t7\t2\t[3]\n", 0, false, true))[0].latency).toEqual({ n: 7, below: 2, at: [3] });
    expect(() => parseUserDayRows("control\tu1\tpost\t\t5\n", 1, false, true)).toThrow(/field 5/);
    expect(() => parseUserDayRows("control\tu1\tpost\t\t5\t7\t2\t\n", 1, false, true)).toThrow(/array/);
  });
});
