import { describe, expect, it } from "vitest";
import { refillMilliseconds, TokenBucket } from "../../src/limits/token-bucket.js";

describe("TokenBucket", () => {
  it("starts full: a burst of calls passes at once, the next one waits for the refill", () => {
    const bucket = new TokenBucket({ perSecond: 2, burst: 3 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0]);
    // Empty: the next token comes 1 / 2 s later.
    expect(bucket.take(0)).toBe(500);
  });

  it("refills at the rate, continuously, and says how long is left", () => {
    const bucket = new TokenBucket({ perSecond: 2, burst: 1 }, 0);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(250)).toBe(250);
    expect(bucket.take(500)).toBe(0);
    expect(bucket.take(500)).toBe(500);
  });

  it("a refused call takes nothing", () => {
    const bucket = new TokenBucket({ perSecond: 1, burst: 1 }, 0);
    bucket.take(0);
    for (let i = 0; i < 5; i += 1) expect(bucket.take(0)).toBe(1000);
    expect(bucket.take(1000)).toBe(0);
  });

  it("never holds more than the burst, however long it rests", () => {
    const bucket = new TokenBucket({ perSecond: 10, burst: 2 }, 0);
    const granted = Array.from({ length: 5 }, () => bucket.take(3_600_000)).filter((wait) => wait === 0);
    expect(granted).toHaveLength(2);
  });

  it("supports rates under one per second", () => {
    const bucket = new TokenBucket({ perSecond: 0.5, burst: 1 }, 0);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(2000);
    expect(bucket.take(1500)).toBe(500);
    expect(bucket.take(2000)).toBe(0);
  });

  it("adds nothing when the clock steps back", () => {
    const bucket = new TokenBucket({ perSecond: 1, burst: 1 }, 1000);
    bucket.take(1000);
    expect(bucket.take(0)).toBe(1000);
    expect(bucket.lastUsedAt).toBe(0);
  });

  it("is full again after burst / rate seconds", () => {
    expect(refillMilliseconds({ perSecond: 2, burst: 10 })).toBe(5000);
  });
});
