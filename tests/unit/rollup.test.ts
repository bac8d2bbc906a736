import { describe, expect, it } from "vitest";
import { staleDays, type DayState } from "@/lib/results/rollup";

const built: DayState = {
  day: "2026-11-20",
  insertedRows: 1000,
  maxIngestedAt: "2026-11-20 10:00:00.000",
  built: {
    buildId: "1",
    builtAtMs: Date.parse("2026-11-20T10:00:05Z"),
    insertedRows: 1000,
    maxIngestedAt: "2026-11-20 10:00:00.000",
    maxFirstAt: "2026-11-20 09:00:00.000",
    users: 20_000,
    usersChecksum: "0",
  },
  relevantUsers: 20_000,
  coveredUsers: 20_000,
};

describe("which rollup days are built", () => {
  it("leaves a day alone while its events and exposures are what its build saw, however old the build", () => {
    expect(staleDays([built])).toEqual([]);
  });

  it("builds a day that was never built, and a day whose events changed in any way since its build", () => {
    const later = "2026-11-20 10:00:01.000";
    const days = [
      { ...built, day: "never", built: null },
      // a tail: rows inserted after the build (patched at the next pass, see buildDay)
      { ...built, day: "tail", insertedRows: 1001, maxIngestedAt: later },
      // duplicates merged away: fewer rows than inserted
      { ...built, day: "merged", insertedRows: 999 },
      // a duplicate merged away and a row inserted: the same count, a later insert
      { ...built, day: "same count, later insert", maxIngestedAt: later },
    ];
    expect(staleDays(days).map((d) => d.day)).toEqual(["never", "tail", "merged", "same count, later insert"]);
  });

  it("tolerates a few users exposed since the build (read raw), not many, and not a changed exposure", () => {
    expect(staleDays([{ ...built, relevantUsers: 20_150 }])).toEqual([]); // 150 ≤ 1% of 20,150
    expect(staleDays([{ ...built, relevantUsers: 20_300 }])).toHaveLength(1);
    expect(staleDays([{ ...built, relevantUsers: 150, coveredUsers: 60 }])).toEqual([]); // 90 ≤ 100
    expect(staleDays([{ ...built, coveredUsers: 0 }])).toHaveLength(1); // a covered user's exposure changed: the checksum no longer matches
  });
});
