import type { Interceptor } from "@connectrpc/connect";
import { ApiError } from "../errors/api-error.js";
import { requestContextKey } from "../observability/request-context.js";
import { createKeyedRateLimiter } from "./keyed-rate-limiter.js";
import type { TokenBucketRate } from "./token-bucket.js";

/** The per-credential rate limit (RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST; README, docs/api.md). */
export interface RateLimitSettings extends TokenBucketRate {
  /** Most credentials tracked at once; DEFAULT_MAX_SUBJECTS unless set. */
  maxSubjects?: number;
  /** Milliseconds from a monotonic clock, for tests. */
  now?: () => number;
}

/**
 * Buckets kept at most. A bucket and its key take a few hundred bytes, so this caps the limiter at a
 * few megabytes; only more subjects than this calling within one refill period lose a bucket early.
 */
export const DEFAULT_MAX_SUBJECTS = 10_000;

/**
 * Lets a call through only while its credential's token bucket has a token, else RESOURCE_EXHAUSTED
 * (REST 429) with Retry-After and RetryInfo. It runs after the auth step, so it is keyed by the
 * verified subject, and calls refused for their credential or scope never take a token.
 */
export function createRateLimitInterceptor(settings: RateLimitSettings): Interceptor {
  const limiter = createKeyedRateLimiter({
    perSecond: settings.perSecond,
    burst: settings.burst,
    maxKeys: settings.maxSubjects ?? DEFAULT_MAX_SUBJECTS,
    now: settings.now,
  });
  return (next) => async (req) => {
    const subject = req.contextValues.get(requestContextKey)?.subject;
    // Fail closed: only a wiring mistake (this step before the auth step) gets here.
    if (subject === undefined) throw new Error("rate limit step reached without a verified subject");
    const waitMs = limiter.take(subject);
    if (waitMs > 0) throw ApiError.rateLimited(waitMs / 1000);
    return next(req);
  };
}
