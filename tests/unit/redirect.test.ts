import { describe, expect, it } from "vitest";
import { safeNextPath } from "@/lib/auth/redirect";

describe("the page after sign-in", () => {
  it("is a path of this site, whatever the next parameter says", () => {
    for (const attack of [
      "/%5Cevil.test/x",
      "/%09/evil.test/x",
      "/\\evil.test/x",
      "/\t/evil.test/x",
      "//evil.test/x",
      "/%2F/evil.test",
      "https://evil.test/x",
      "javascript:alert(1)",
      "/%E0%A4%A",
      "",
    ]) {
      expect(safeNextPath(attack), JSON.stringify(attack)).toBe("/");
    }
    expect(safeNextPath(null)).toBe("/");
  });

  it("keeps an ordinary path with its query and fragment", () => {
    expect(safeNextPath("/experiments/refined-vs-production?metric=latency_p95#results")).toBe(
      "/experiments/refined-vs-production?metric=latency_p95#results",
    );
    expect(safeNextPath("/refinements?q=%3Cscript%3E")).toBe("/refinements?q=%3Cscript%3E");
  });
});
