import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../../src/kube/runtime/index.js";

describe("RateLimiter (token bucket per client)", () => {
  it("allows a burst, then refills at the rate, separately per client", () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 2, burst: 2, now: () => now });
    expect([limiter.take("a"), limiter.take("a")]).toEqual([0, 0]);
    expect(limiter.take("a")).toBeCloseTo(0.5);
    expect(limiter.take("b")).toBe(0);
    now += 500;
    expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBeGreaterThan(0);
    now += 10_000;
    expect([limiter.take("a"), limiter.take("a"), limiter.take("a")].map((w) => w === 0)).toEqual([true, true, false]);
  });

  it("forgets the least recently seen clients beyond maxClients", () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 1, burst: 1, maxClients: 2, now: () => now });
    limiter.take("a");
    limiter.take("b");
    limiter.take("c");
    expect(limiter.take("a"), "a was forgotten, so it starts with a full bucket").toBe(0);
    now += 1;
    expect(limiter.take("c")).toBeGreaterThan(0);
  });
});
