// createAuthInterceptor as a unit: the interceptor is called with a fake `next` and a minimal request
// object carrying only what it reads (headers, the method and service descriptors, context values).
// Missing and refused credentials are UNAUTHENTICATED, told apart by the ApiError's reason and class;
// a credential without the method's scope is PERMISSION_DENIED; only permitted calls reach `next`.
import type { DescMethod } from "@bufbuild/protobuf";
import { Code, createContextValues, type UnaryRequest, type UnaryResponse } from "@connectrpc/connect";
import pino from "pino";
import { describe, expect, it, vi } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { InsufficientScopeError, InvalidTokenError } from "../../src/auth/auth-errors.js";
import { createAuthInterceptor } from "../../src/auth/auth-interceptor.js";
import { createCredentialVerifier } from "../../src/auth/credential-verifier.js";
import { customerServiceScopes } from "../../src/auth/method-scopes.js";
import { ApiError } from "../../src/errors/api-error.js";
import { type RequestContext, requestContextKey } from "../../src/observability/request-context.js";

const KEY = "auth-interceptor-key-0123456789";
const OTHER_KEY = "another-accepted-key-abcdefghij";
const READ_ONLY_KEY = "read-only-key-0123456789abcdef";
const API_KEYS = [
  { key: KEY, subject: "api-key#1", scopes: ["customers.read", "customers.write"] as const },
  { key: OTHER_KEY, subject: "api-key#2", scopes: ["customers.read", "customers.write"] as const },
  { key: READ_ONLY_KEY, subject: "api-key#3", scopes: ["customers.read"] as const },
];
const { getCustomer, createCustomer } = CustomerService.method;

/** A request with just what the interceptor reads, and the request context it records the subject in. */
function fakeRequest(headers: Record<string, string>, method: DescMethod = getCustomer) {
  const context: RequestContext = { requestId: "rid", log: pino({ level: "silent" }) };
  const req = {
    header: new Headers(headers),
    method,
    service: CustomerService,
    contextValues: createContextValues().set(requestContextKey, context),
  } as unknown as UnaryRequest;
  return { req, context };
}

/** Runs the interceptor once; returns what `next` produced or the error thrown, and the calls to `next`. */
async function intercept(headers: Record<string, string>, method?: DescMethod) {
  const verified: string[] = [];
  const verifyCredential = createCredentialVerifier({ apiKeys: API_KEYS });
  const verify = (token: string) => {
    verified.push(token);
    return verifyCredential(token);
  };
  const response = { marker: "from next" } as unknown as UnaryResponse;
  const next = vi.fn(async (_req: UnaryRequest) => response);
  const { req, context } = fakeRequest(headers, method);
  const handler = createAuthInterceptor({ verify, requiredScopes: customerServiceScopes() })(next as never);
  try {
    const result = await handler(req);
    return { result, error: undefined, next, req, context, response, verified };
  } catch (error) {
    return { result: undefined, error, next, req, context, response, verified };
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
    expect(error).not.toBeInstanceOf(InvalidTokenError);
    expect((error as ApiError).message).toMatch(/authorization: Bearer/);
    expect(next).not.toHaveBeenCalled();
    expect(verified).toEqual([]);
  });

  it.each<[string, string]>([
    ["the Basic scheme", "Basic xyz"],
    ["Basic with an accepted key", `Basic ${KEY}`],
    ["an accepted key without a scheme", KEY],
    ["the scheme without a key", "Bearer"],
    ["the scheme and blanks only", "Bearer    "],
    ["an accepted key glued to the scheme", `Bearer${KEY}`],
    ["an accepted key plus another word", `Bearer ${KEY} extra`],
  ])(
    "rejects %s (no bearer value) as INVALID_CREDENTIALS without verifying",
    async (_label, authorization) => {
      const { error, next, verified } = await intercept({ authorization });
      expectUnauthenticated(error, "INVALID_CREDENTIALS");
      // Not an attempt at Bearer authentication: the plain challenge, not invalid_token (RFC 6750 §3.1).
      expect(error).not.toBeInstanceOf(InvalidTokenError);
      expect(next).not.toHaveBeenCalled();
      expect(verified).toEqual([]);
    },
  );

  it.each<[string, string]>([
    ["a wrong bearer key", "Bearer wrong"],
    ["an accepted key with a character more", `Bearer ${KEY}x`],
    ["an accepted key in upper case", `Bearer ${KEY.toUpperCase()}`],
  ])("rejects %s as an invalid token without calling next", async (_label, authorization) => {
    const { error, next } = await intercept({ authorization });
    expectUnauthenticated(error, "INVALID_CREDENTIALS");
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as InvalidTokenError).problem).toBe("unknown-api-key");
    expect((error as Error).message).not.toContain(KEY.slice(0, 8));
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

  it("records the credential's subject, never the key, in the request context", async () => {
    const { context } = await intercept({ authorization: `Bearer ${OTHER_KEY}` });
    expect(context.subject).toBe("api-key#2");
    const refused = await intercept({ authorization: "Bearer wrong" });
    expect(refused.context.subject).toBeUndefined();
  });

  it("lets a read-only key read", async () => {
    const { error, next } = await intercept({ authorization: `Bearer ${READ_ONLY_KEY}` }, getCustomer);
    expect(error).toBeUndefined();
    expect(next).toHaveBeenCalledTimes(1);
  });

  it("refuses a read-only key a write as PERMISSION_DENIED / INSUFFICIENT_SCOPE, naming the scope", async () => {
    const { error, next, context } = await intercept(
      { authorization: `Bearer ${READ_ONLY_KEY}` },
      createCustomer,
    );
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({
      code: Code.PermissionDenied,
      reason: "INSUFFICIENT_SCOPE",
      scope: "customers.write",
    });
    expect((error as Error).message).toMatch(/CreateCustomer needs the scope customers\.write/);
    expect(next).not.toHaveBeenCalled();
    // Who was refused is still worth a line in the access log.
    expect(context.subject).toBe("api-key#3");
  });

  it("fails closed for a method it has no scope rule for", async () => {
    const next = vi.fn(async () => ({}) as UnaryResponse);
    const handler = createAuthInterceptor({
      verify: createCredentialVerifier({ apiKeys: API_KEYS }),
      requiredScopes: new Map(),
    })(next as never);
    const { req } = fakeRequest({ authorization: `Bearer ${KEY}` });
    await expect(handler(req)).rejects.toThrow(
      /no scope rule for customers\.v1\.CustomerService\/GetCustomer/,
    );
    expect(next).not.toHaveBeenCalled();
  });

  it("lets an error thrown by next through unchanged", async () => {
    const failure = new Error("handler failed");
    const next = vi.fn(async () => {
      throw failure;
    });
    const handler = createAuthInterceptor({
      verify: createCredentialVerifier({ apiKeys: [KEY] }),
      requiredScopes: customerServiceScopes(),
    })(next as never);
    await expect(handler(fakeRequest({ authorization: `Bearer ${KEY}` }).req)).rejects.toBe(failure);
  });
});
