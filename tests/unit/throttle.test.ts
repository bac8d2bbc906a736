import { describe, expect, it } from "vitest";
import { hashPassword, mostConcurrentHashes, verifyPassword } from "@/lib/auth/crypto";
import { ACCOUNT_POLICY, delayAfter, SignInThrottle } from "@/lib/auth/throttle";

describe("sign-in throttling", () => {
  it("allows a few failures, then doubles the wait with each one, up to a quarter of an hour", () => {
    expect([5, 6, 7, 8, 15, 30].map((n) => delayAfter(n, ACCOUNT_POLICY))).toEqual([0, 1_000, 2_000, 4_000, 512_000, 900_000]);
  });

  it("makes an account wait after its free failures, forgets after a quiet quarter of an hour, and clears on success", () => {
    const throttle = new SignInThrottle(ACCOUNT_POLICY);
    for (let i = 0; i < 5; i++) throttle.failure("a@x", 1_000 * i);
    expect(throttle.waitFor("a@x", 5_000)).toBe(0);
    throttle.failure("a@x", 5_000); // the sixth
    expect(throttle.waitFor("a@x", 5_000)).toBe(1_000);
    expect(throttle.waitFor("a@x", 6_000)).toBe(0);
    for (let i = 0; i < 300; i++) throttle.failure("a@x", 6_000);
    expect(throttle.waitFor("a@x", 6_000)).toBe(900_000);
    expect(throttle.waitFor("other@x", 6_000)).toBe(0);
    expect(throttle.waitFor("a@x", 6_000 + 15 * 60_000 + 1)).toBe(0);
    throttle.failure("b@x", 0);
    throttle.success("b@x");
    expect(throttle.waitFor("b@x", 0)).toBe(0);
  });
});

describe("password hashing", () => {
  it("runs one hash at a time, however many arrive together (the thread pool stays free for the log)", async () => {
    const stored = await hashPassword("a correct horse");
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => verifyPassword(i === 0 ? "a correct horse" : "wrong", stored)));
    expect(answers).toEqual([true, false, false, false, false, false]);
    expect(mostConcurrentHashes()).toBe(1);
  });
});
