import { describe, expect, it } from "vitest";
import { ExpiringCache } from "@/lib/auth/expiringCache";

describe("the API-key cache", () => {
  it("stays within its bound however many distinct keys are looked up, dropping the oldest first", () => {
    const cache = new ExpiringCache<string | null>(30_000, 1_000);
    for (let i = 0; i < 200_000; i++) cache.set(`random-token-${i}`, null, 0);
    expect(cache.size).toBe(1_000);
    expect(cache.get("random-token-0", 1)).toBeUndefined();
    expect(cache.get("random-token-199999", 1)).toEqual({ value: null });
  });

  it("forgets an entry once it expires, and a re-set entry counts as the newest", () => {
    const cache = new ExpiringCache<number>(100, 2);
    cache.set("a", 1, 0);
    cache.set("b", 2, 0);
    cache.set("a", 3, 10);
    cache.set("c", 4, 10); // evicts b, the oldest
    expect(cache.get("b", 20)).toBeUndefined();
    expect(cache.get("a", 20)).toEqual({ value: 3 });
    expect(cache.get("a", 110)).toBeUndefined();
    expect(cache.get("c", 109)).toEqual({ value: 4 });
  });
});
