import { refillMilliseconds, TokenBucket, type TokenBucketRate } from "./token-bucket.js";

/** A token bucket per key, in a map of bounded size. */
export interface KeyedRateLimiter {
  /** Takes a token from `key`'s bucket: 0 when granted, else the milliseconds until a token is there. */
  take(key: string): number;
  /** How many buckets are held now (at most `maxKeys`). */
  readonly size: number;
}

/** The rate every key gets, how many keys are kept at most, and (for tests) the clock. */
export interface KeyedRateLimiterOptions extends TokenBucketRate {
  maxKeys: number;
  /** Milliseconds from a monotonic clock; performance.now() unless a test passes its own. */
  now?: () => number;
}

/**
 * Keeps one TokenBucket per key in a Map ordered by last use (each take moves its key to the end).
 * Memory stays bounded two ways: buckets unused long enough to have refilled completely are dropped
 * from the front — a full bucket is the same as a new one, so this changes no answer — and past
 * `maxKeys` the least recently used bucket is dropped even if not full (its key then starts again
 * with a full burst: the price of the bound, paid only when more keys than that are active at once).
 */
export function createKeyedRateLimiter(options: KeyedRateLimiterOptions): KeyedRateLimiter {
  const { maxKeys, now = () => performance.now() } = options;
  const rate: TokenBucketRate = { perSecond: options.perSecond, burst: options.burst };
  const idleMs = refillMilliseconds(rate);
  const buckets = new Map<string, TokenBucket>();

  const evict = (at: number): void => {
    // Map iteration follows insertion order, which is last-use order here: the front is the idlest.
    for (const [key, bucket] of buckets) {
      if (at - bucket.lastUsedAt < idleMs && buckets.size < maxKeys) break;
      buckets.delete(key);
    }
  };

  return {
    take(key) {
      const at = now();
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        evict(at);
        bucket = new TokenBucket(rate, at);
      } else {
        buckets.delete(key);
      }
      buckets.set(key, bucket);
      return bucket.take(at);
    },
    get size() {
      return buckets.size;
    },
  };
}
