// ApiError.rateLimited through the one error mapping: RESOURCE_EXHAUSTED with its own retry delay
// in Retry-After and google.rpc.RetryInfo; UNAVAILABLE keeps the default delay.
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { ApiError } from "../../src/errors/api-error.js";
import { connectErrorFrom, RETRY_AFTER_SECONDS } from "../../src/errors/connect-error-from.js";
import { HTTP_STATUS_OF_CODE } from "../../src/errors/http-status.js";

describe("ApiError.rateLimited", () => {
  it("becomes RESOURCE_EXHAUSTED (HTTP 429) with Retry-After, RetryInfo and ErrorInfo RATE_LIMITED", () => {
    const { error, unexpected } = connectErrorFrom(ApiError.rateLimited(7), "req-1");
    expect(unexpected).toBe(false);
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(HTTP_STATUS_OF_CODE[error.code]).toBe(429);
    expect(error.rawMessage).toBe("Rate limit exceeded for this credential: retry after 7 seconds.");
    expect(error.metadata.get("retry-after")).toBe("7");
    expect(error.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds).toBe(7n);
    expect(error.findDetails(ErrorInfoSchema)[0]).toMatchObject({
      reason: "RATE_LIMITED",
      domain: "customer-api",
    });
  });

  it.each([
    [0.001, 1, "1 second"],
    [1, 1, "1 second"],
    [1.2, 2, "2 seconds"],
  ])("rounds %s s up to whole seconds (%s)", (wait, seconds, words) => {
    const { error } = connectErrorFrom(ApiError.rateLimited(wait), "req-2");
    expect(error.metadata.get("retry-after")).toBe(String(seconds));
    expect(error.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds).toBe(BigInt(seconds));
    expect(error.rawMessage).toContain(words);
  });

  it("leaves UNAVAILABLE with the default delay and other errors without one", () => {
    const unavailable = connectErrorFrom(
      ApiError.unavailable("DATABASE_UNAVAILABLE", "down", undefined),
      "r",
    );
    expect(unavailable.error.metadata.get("retry-after")).toBe(String(RETRY_AFTER_SECONDS));
    expect(unavailable.error.findDetails(RetryInfoSchema)).toHaveLength(1);
    const notFound = connectErrorFrom(ApiError.notFound("gone"), "r");
    expect(notFound.error.metadata.get("retry-after")).toBeNull();
    expect(notFound.error.findDetails(RetryInfoSchema)).toHaveLength(0);
  });
});
