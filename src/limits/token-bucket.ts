/** How fast a bucket refills and how much it holds. */
export interface TokenBucketRate {
  /** Tokens added per second (may be fractional: 0.5 is one call every two seconds). */
  perSecond: number;
  /** Most tokens the bucket holds: how many calls may come at once after a quiet spell. */
  burst: number;
}

/**
 * One token bucket. It starts full, refills continuously at `perSecond` up to `burst`, and a call
 * takes one token. Time is passed in (milliseconds from any monotonic clock), so the arithmetic is
 * pure and tests need no timers.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly rate: TokenBucketRate,
    now: number,
  ) {
    this.tokens = rate.burst;
    this.updatedAt = now;
  }

  /** Takes a token at `now`: 0 when one was taken, else the milliseconds until one will be there. */
  take(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return ((1 - this.tokens) * 1000) / this.rate.perSecond;
  }

  /** The last time the bucket was used (a take, granted or not). */
  get lastUsedAt(): number {
    return this.updatedAt;
  }

  private refill(now: number): void {
    // A clock that steps back (it should not: callers pass a monotonic one) adds nothing.
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.rate.burst, this.tokens + (elapsed * this.rate.perSecond) / 1000);
    this.updatedAt = now;
  }
}

/** How long a bucket must go unused to be full again, whatever it held: then it equals a new one. */
export function refillMilliseconds(rate: TokenBucketRate): number {
  return (rate.burst * 1000) / rate.perSecond;
}
