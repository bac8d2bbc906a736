import { describe, expect, it } from "vitest";
import { createDatasetSchema } from "@/lib/datasets/schemas";
import { filterSql } from "@/lib/refinements/queries";

const issues = (input: unknown) => {
  const result = createDatasetSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join("."));
};

describe("dataset requests", () => {
  it("default to kept and unchanged samples, jsonl and a 10% validation share", () => {
    expect(createDatasetSchema.parse({ name: " kept " })).toEqual({
      name: "kept",
      filter: { outcome: ["kept", "unchanged"] },
      format: "jsonl",
      validationShare: 0.1,
    });
  });

  it("take one outcome or label, or lists of them, normalized to sorted lists without duplicates", () => {
    const { filter } = createDatasetSchema.parse({
      name: "x",
      filter: { outcome: ["unchanged", "kept", "unchanged"], label: "good", language: "go", from: "2026-11-01" },
    });
    expect(filter).toMatchObject({ outcome: ["kept", "unchanged"], label: ["good"], language: "go" });
    expect(filter.from).toEqual(new Date("2026-11-01"));
    expect(createDatasetSchema.parse({ name: "x", filter: { outcome: "noise", label: ["unlabeled", "good"] } }).filter).toMatchObject({
      outcome: ["noise"],
      label: ["good", "unlabeled"],
    });
  });

  it("name the bad field", () => {
    expect(issues({})).toEqual(["name"]);
    expect(issues({ name: "x", filter: { outcome: "opted_out" } })).toEqual(["filter.outcome"]);
    expect(issues({ name: "x", filter: { outcome: [] } })).toEqual(["filter.outcome"]);
    expect(issues({ name: "x", filter: { outcome: ["kept", "nope"] } })).toEqual(["filter.outcome"]);
    expect(issues({ name: "x", filter: { colour: "red" } })).toEqual(["filter"]);
    expect(issues({ name: "x", filter: { minEditRatio: 0.5, maxEditRatio: 0.2 } })).toEqual(["filter.minEditRatio"]);
    expect(issues({ name: "x", filter: { from: "2026-11-02", to: "2026-11-01" } })).toEqual(["filter.to"]);
    expect(issues({ name: "x", validationShare: 0.6 })).toEqual(["validationShare"]);
    expect(issues({ name: "x", format: "csv" })).toEqual(["format"]);
    expect(issues({ name: "x", format: "jsonl", fim: {} })).toEqual(["fim"]);
    expect(issues({ name: "x", format: "fim", fim: { prefixToken: "" } })).toEqual(["fim.prefixToken"]);
    expect(issues({ name: "x", format: "fim", fim: { prefixToken: "<a>", suffixToken: "<a>" } })).toEqual(["fim.middleToken"]);
  });

  it("fill missing fill-in-the-middle tokens with StarCoder's", () => {
    expect(createDatasetSchema.parse({ name: "x", format: "fim", fim: { middleToken: "<mid>" } }).fim).toEqual({
      prefixToken: "<fim_prefix>",
      suffixToken: "<fim_suffix>",
      middleToken: "<mid>",
    });
  });
});

describe("filterSql with lists", () => {
  it("matches any of several outcomes and labels, unlabeled included", () => {
    const { where, params } = filterSql("p", { outcome: ["kept", "unchanged"], label: ["good", "unlabeled"] });
    expect(where).toContain("s.outcome IN {outcomes:Array(String)}");
    expect(where).toContain("(s.suggestion_id IN (SELECT suggestion_id FROM refinement_labels FINAL");
    expect(where).toContain("AND label IN {labels:Array(String)}) OR s.suggestion_id NOT IN (");
    expect(params).toMatchObject({ projectId: "p", outcomes: ["kept", "unchanged"], labels: ["good"] });
  });

  it("keeps the single-value conditions as they were", () => {
    const { where, params } = filterSql("p", { outcome: "kept", label: "good" });
    expect(where).toContain("s.outcome = {outcome:String}");
    expect(where).toContain("AND label = {label:String})");
    expect(params).toMatchObject({ outcome: "kept", label: "good" });
    expect(filterSql("p", { label: ["unlabeled"] }).where).toBe(
      "s.project_id = {projectId:String} AND s.suggestion_id NOT IN (SELECT suggestion_id FROM refinement_labels FINAL WHERE project_id = {projectId:String})",
    );
  });
});
