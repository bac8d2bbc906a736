import { describe, expect, it } from "vitest";
import { staleDays, type DayState } from "@/lib/results/rollup";

const built: DayState = { day: "2026-11-20", insertedRows: 1000, maxIngestedAt: "2026-11-20 10:00:00.000", builtRows: 1000, builtMaxIngestedAt: "2026-11-20 10:00:00.000", relevantUsers: 20_000, coveredUsers: 20_000 };

describe("which rollup days are rebuilt", () => {
  it("leaves a day alone while its events and exposures are what its build saw", () => {
    expect(staleDays([built])).toEqual([]);
  });

  it("rebuilds a day that was never built or whose events changed (an insert, or a merge of duplicates)", () => {
    const days = [
      { ...built, day: "never", builtRows: null, builtMaxIngestedAt: null },
      { ...built, day: "inserted", insertedRows: 1001, maxIngestedAt: "2026-11-20 10:00:01.000" },
      { ...built, day: "same count, later insert", maxIngestedAt: "2026-11-20 10:00:01.000" },
    ];
    expect(staleDays(days).map((d) => d.day)).toEqual(["never", "inserted", "same count, later insert"]);
  });

  it("tolerates a few users exposed since the build (read raw), not many, and not a changed exposure", () => {
    expect(staleDays([{ ...built, relevantUsers: 20_150 }])).toEqual([]); // 150 ≤ 1% of 20,150
    expect(staleDays([{ ...built, relevantUsers: 20_300 }])).toHaveLength(1);
    expect(staleDays([{ ...built, relevantUsers: 150, coveredUsers: 60 }])).toEqual([]); // 90 ≤ 100
    expect(staleDays([{ ...built, coveredUsers: 0 }])).toHaveLength(1); // a covered user's exposure changed: the checksum no longer matches
  });
});
