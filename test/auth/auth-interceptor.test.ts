// createAuthInterceptor as a unit: the interceptor is called with a fake `next` and a minimal request
// object carrying only the headers it reads. Missing credentials and wrong credentials are both
// UNAUTHENTICATED, told apart by the ApiError's reason; only accepted keys reach `next`.
import { Code, type UnaryRequest, type UnaryResponse } from "@connectrpc/connect";
import { describe, expect, it, vi } from "vitest";
import { createApiKeyVerifier } from "../../src/auth/api-key-verifier.js";
import { createAuthInterceptor } from "../../src/auth/auth-interceptor.js";
import { ApiError } from "../../src/errors/api-error.js";

const KEY = "auth-interceptor-key-0123456789";
const OTHER_KEY = "another-accepted-key-abcdefghij";

/** A request with just the headers (the interceptor reads nothing else). */
function fakeRequest(headers: Record<string, string>): UnaryRequest {
  return { header: new Headers(headers) } as unknown as UnaryRequest;
}

/** Runs the interceptor once; returns what `next` produced or the error thrown, and the calls to `next`. */
async function intercept(headers: Record<string, string>) {
  const verified: string[] = [];
  const verify = (token: string) => {
    verified.push(token);
    return createApiKeyVerifier([KEY, OTHER_KEY])(token);
  };
  const response = { marker: "from next" } as unknown as UnaryResponse;
  const next = vi.fn(async (_req: UnaryRequest) => response);
  const req = fakeRequest(headers);
  const handler = createAuthInterceptor(verify)(next as never);
  try {
    const result = await handler(req);
    return { result, error: undefined, next, req, response, verified };
  } catch (error) {
    return { result: undefined, error, next, req, response, verified };
  }
}

function expectUnauthenticated(error: unknown, reason: string): void {
  expect(error).toBeInstanceOf(ApiError);
  const apiError = error as ApiError;
  expect(apiError.code).toBe(Code.Unauthenticated);
  expect(apiError.reason).toBe(reason);
  expect(apiError.violations).toEqual([]);
  expect(apiError.message).toEqual(expect.any(String));
}

describe("createAuthInterceptor", () => {
  it.each<[string, Record<string, string>]>([
    ["no authorization header", {}],
    ["an empty authorization header", { authorization: "" }],
    ["a blank authorization header", { authorization: "   " }],
  ])("rejects %s as MISSING_CREDENTIALS without calling next", async (_label, headers) => {
    const { error, next, verified } = await intercept({ "content-type": "application/json", ...headers });
    expectUnauthenticated(error, "MISSING_CREDENTIALS");
    expect((error as ApiError).message).toMatch(/authorization: Bearer/);
    expect(next).not.toHaveBeenCalled();
    expect(verified).toEqual([]);
  });

  it.each<[string, string]>([
    ["a wrong bearer key", "Bearer wrong"],
    ["the Basic scheme", "Basic xyz"],
    ["Basic with an accepted key", `Basic ${KEY}`],
    ["an accepted key without a scheme", KEY],
    ["the scheme without a key", "Bearer"],
    ["the scheme and blanks only", "Bearer    "],
    ["an accepted key glued to the scheme", `Bearer${KEY}`],
    ["an accepted key plus another word", `Bearer ${KEY} extra`],
    ["an accepted key with a character more", `Bearer ${KEY}x`],
    ["an accepted key in upper case", `Bearer ${KEY.toUpperCase()}`],
  ])("rejects %s as INVALID_CREDENTIALS without calling next", async (_label, authorization) => {
    const { error, next } = await intercept({ authorization });
    expectUnauthenticated(error, "INVALID_CREDENTIALS");
    expect(next).not.toHaveBeenCalled();
  });

  it("passes the token after 'Bearer ' to the verifier", async () => {
    const { verified } = await intercept({ authorization: "Bearer wrong" });
    expect(verified).toEqual(["wrong"]);
  });

  it.each<[string, string]>([
    ["Bearer <key>", `Bearer ${KEY}`],
    ["bearer  <key> (lower-case scheme, two spaces)", `bearer  ${KEY}`],
    ["BEARER <key>", `BEARER ${KEY}`],
    ["a tab after the scheme", `Bearer\t${KEY}`],
    ["trailing blanks", `Bearer ${KEY}  `],
    ["the second accepted key", `Bearer ${OTHER_KEY}`],
  ])("accepts %s and returns next's response for the same request", async (_label, authorization) => {
    const { error, result, next, req, response, verified } = await intercept({ authorization });
    expect(error).toBeUndefined();
    expect(result).toBe(response);
    expect(next).toHaveBeenCalledTimes(1);
    expect(next).toHaveBeenCalledWith(req);
    expect(verified).toHaveLength(1);
    expect([KEY, OTHER_KEY]).toContain(verified[0]);
  });

  it("lets an error thrown by next through unchanged", async () => {
    const failure = new Error("handler failed");
    const next = vi.fn(async () => {
      throw failure;
    });
    const handler = createAuthInterceptor(createApiKeyVerifier([KEY]))(next as never);
    await expect(handler(fakeRequest({ authorization: `Bearer ${KEY}` }))).rejects.toBe(failure);
  });
});
