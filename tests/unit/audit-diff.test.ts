import { describe, expect, it } from "vitest";
import { auditChanges } from "@/lib/audit/diff";

describe("auditChanges", () => {
  it("lists changed fields first, then the unchanged ones", () => {
    const changes = auditChanges({ role: "viewer", email: "a@x", tags: [1] }, { role: "admin", email: "a@x", tags: [1, 2] });
    expect(changes).toEqual([
      { field: "role", before: "viewer", after: "admin", changed: true },
      { field: "tags", before: [1], after: [1, 2], changed: true },
      { field: "email", before: "a@x", after: "a@x", changed: false },
    ]);
  });

  it("treats a missing side as no fields", () => {
    expect(auditChanges(null, { key: "k" })).toEqual([{ field: "key", before: undefined, after: "k", changed: true }]);
    expect(auditChanges({ key: "k" }, null)).toEqual([{ field: "key", before: "k", after: undefined, changed: true }]);
    expect(auditChanges(null, null)).toEqual([]);
  });

  it("compares non-object values whole", () => {
    expect(auditChanges(1, 2)).toEqual([{ field: "value", before: 1, after: 2, changed: true }]);
    expect(auditChanges([1], [1])).toEqual([{ field: "value", before: [1], after: [1], changed: false }]);
  });
});
