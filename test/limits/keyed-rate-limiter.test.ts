import { describe, expect, it } from "vitest";
import { createKeyedRateLimiter } from "../../src/limits/keyed-rate-limiter.js";

/** A limiter on a clock the test moves by hand. */
function limiterAt(options: { perSecond: number; burst: number; maxKeys: number }) {
  const clock = { ms: 0 };
  const limiter = createKeyedRateLimiter({ ...options, now: () => clock.ms });
  return { limiter, clock };
}

describe("createKeyedRateLimiter", () => {
  it("gives every key its own bucket", () => {
    const { limiter } = limiterAt({ perSecond: 1, burst: 2, maxKeys: 10 });
    expect([limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([0, 0, 1000]);
    expect([limiter.take("b"), limiter.take("b")]).toEqual([0, 0]);
    expect(limiter.take("b")).toBe(1000);
  });

  it("never holds more than maxKeys buckets, dropping the least recently used", () => {
    const { limiter } = limiterAt({ perSecond: 1, burst: 1, maxKeys: 3 });
    for (const key of ["a", "b", "c"]) limiter.take(key);
    // "a" is used again, so "b" is now the least recently used.
    expect(limiter.take("a")).toBe(1000);
    limiter.take("d");
    expect(limiter.size).toBe(3);
    // "a" kept its (empty) bucket; "b" lost its bucket and starts again full: the price of the bound.
    expect(limiter.take("a")).toBe(1000);
    expect(limiter.take("b")).toBe(0);
    for (let i = 0; i < 1000; i += 1) limiter.take(`key-${i}`);
    expect(limiter.size).toBe(3);
  });

  it("drops buckets idle long enough to be full again, which changes no answer", () => {
    const { limiter, clock } = limiterAt({ perSecond: 1, burst: 2, maxKeys: 100 });
    for (let i = 0; i < 50; i += 1) limiter.take(`idle-${i}`);
    limiter.take("busy");
    limiter.take("busy");
    expect(limiter.size).toBe(51);
    clock.ms = 1500;
    limiter.take("busy");
    // Refill time is 2 s: at 2 s the idle buckets are full, and the next new key sweeps them away.
    clock.ms = 2000;
    expect(limiter.take("new")).toBe(0);
    expect(limiter.size).toBe(2);
    // "busy" kept its bucket: 2 tokens, minus 2 at 0 ms, +1.5 then -1 at 1500 ms, +0.5 at 2000 ms = 1.
    expect(limiter.take("busy")).toBe(0);
    expect(limiter.take("busy")).toBe(1000);
  });
});
