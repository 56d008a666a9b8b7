// createRateLimitInterceptor as a unit, on an injected clock: a fake `next` and a minimal request
// carrying the request context the auth step fills in. Calls within the burst reach `next`; the next
// one is ApiError.rateLimited with the seconds until a token; a call with no verified subject (the
// step wired before auth) is refused rather than let through unlimited.
import { Code, createContextValues, type UnaryRequest, type UnaryResponse } from "@connectrpc/connect";
import pino from "pino";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/errors/api-error.js";
import { createRateLimitInterceptor } from "../../src/limits/rate-limit-interceptor.js";
import { type RequestContext, requestContextKey } from "../../src/observability/request-context.js";

function fakeRequest(subject: string | undefined): UnaryRequest {
  const context: RequestContext = { requestId: "rid", log: pino({ level: "silent" }), subject };
  return { contextValues: createContextValues().set(requestContextKey, context) } as unknown as UnaryRequest;
}

describe("createRateLimitInterceptor", () => {
  const clock = { ms: 0 };
  const response = { marker: "from next" } as unknown as UnaryResponse;
  const next = vi.fn(async (_req: UnaryRequest) => response);
  const handler = createRateLimitInterceptor({ perSecond: 0.4, burst: 2, now: () => clock.ms })(
    next as never,
  );

  it("lets the burst through, then refuses with the whole seconds until a token", async () => {
    await expect(handler(fakeRequest("api-key#1"))).resolves.toBe(response);
    await expect(handler(fakeRequest("api-key#1"))).resolves.toBe(response);
    const error = await handler(fakeRequest("api-key#1")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    // A token every 2.5 s: Retry-After says 3.
    expect(error).toMatchObject({
      code: Code.ResourceExhausted,
      reason: "RATE_LIMITED",
      retryAfterSeconds: 3,
    });
    expect(next).toHaveBeenCalledTimes(2);
    clock.ms = 2500;
    await expect(handler(fakeRequest("api-key#1"))).resolves.toBe(response);
  });

  it("refuses a call without a verified subject", async () => {
    await expect(handler(fakeRequest(undefined))).rejects.toThrow(/without a verified subject/);
  });
});
