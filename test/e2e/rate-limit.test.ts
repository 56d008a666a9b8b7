// The per-credential rate limit against the real app: over the limit, REST answers 429 with
// Retry-After and the error body, gRPC, gRPC-web and Connect answer RESOURCE_EXHAUSTED with
// google.rpc.RetryInfo and ErrorInfo RATE_LIMITED. Each credential has its own bucket, shared by
// every protocol; refused credentials take no token; health, readiness and reflection are not limited.
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import {
  ErrorInfoSchema,
  RequestInfoSchema,
  RetryInfoSchema,
} from "../../gen/google/rpc/error_details_pb.js";
import { ServerReflection } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const UNKNOWN_ID = "0190a0a0-0000-7000-8000-0000000000ee";
/** One key per test, so every test starts with a full bucket of its own. */
const KEYS = {
  rest: "rate-limit-rest-key-0123456789",
  restOther: "rate-limit-rest-other-key-0123456789",
  unauthenticated: "rate-limit-unauth-key-0123456789",
  gRPC: "rate-limit-grpc-key-0123456789",
  "gRPC-web": "rate-limit-grpc-web-key-0123456789",
  Connect: "rate-limit-connect-key-0123456789",
  shared: "rate-limit-shared-key-0123456789",
  open: "rate-limit-open-key-0123456789",
};
/** Two calls at once, then one every 100 s: the test never sees a refill. */
const BURST = 2;
const PER_SECOND = 0.01;

let server: TestServer;
const sessions: Http2SessionManager[] = [];

beforeAll(async () => {
  server = await startTestServer({
    apiKeys: Object.values(KEYS),
    rateLimit: { perSecond: PER_SECOND, burst: BURST },
  });
});
afterAll(async () => {
  for (const session of sessions) session.abort();
  await server.close();
});

/** A REST GetCustomer (204: the id is unknown, but the call counts) with `key`. */
function restGet(key: string | undefined, requestId = "rate-limit-rest"): Promise<Response> {
  return fetch(`${server.baseUrl}/v1/customers/id/${UNKNOWN_ID}`, {
    headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), "x-request-id": requestId },
  });
}

/** The transports under test, by the name of their key in KEYS. */
const transports: [keyof typeof KEYS, (baseUrl: string) => Transport][] = [
  [
    "gRPC",
    (baseUrl) => {
      const sessionManager = new Http2SessionManager(baseUrl);
      sessions.push(sessionManager);
      return createGrpcTransport({ baseUrl, sessionManager });
    },
  ],
  ["gRPC-web", (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" })],
  ["Connect", (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1" })],
];

/** The error of a GetCustomer of an unknown id with `key` (NOT_FOUND while under the limit). */
async function rpcGetError(transport: Transport, key: string): Promise<ConnectError> {
  const client = createClient(CustomerService, transport);
  return client
    .getCustomer(
      { customerId: UNKNOWN_ID },
      { headers: { authorization: `Bearer ${key}`, "x-request-id": "rate-limit-rpc" } },
    )
    .then(
      () => {
        throw new Error("GetCustomer of an unknown id succeeded");
      },
      (e: unknown) => ConnectError.from(e),
    );
}

/** Seconds until the next token, as the server may say it: at most 1 / PER_SECOND. */
function expectRetryDelay(seconds: number): void {
  expect(Number.isInteger(seconds)).toBe(true);
  expect(seconds).toBeGreaterThan(90);
  expect(seconds).toBeLessThanOrEqual(1 / PER_SECOND);
}

describe("REST over the limit", () => {
  it("is 429 with Retry-After and the error body, after the burst", async () => {
    for (let i = 0; i < BURST; i += 1) expect((await restGet(KEYS.rest)).status).toBe(204);
    const res = await restGet(KEYS.rest, "rate-limit-429");
    expect(res.status).toBe(429);
    expectRetryDelay(Number(res.headers.get("retry-after")));
    const body = (await res.json()) as { error: { message: string; details: Record<string, unknown>[] } };
    expect(body.error).toMatchObject({
      code: 429,
      status: "RESOURCE_EXHAUSTED",
      requestId: "rate-limit-429",
    });
    expect(body.error.message).toMatch(
      /^Rate limit exceeded for this credential: retry after \d+ seconds\.$/,
    );
    expect(body.error.details).toContainEqual(
      expect.objectContaining({
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "RATE_LIMITED",
        domain: "customer-api",
      }),
    );
    const retryInfo = body.error.details.find(
      (d) => d["@type"] === "type.googleapis.com/google.rpc.RetryInfo",
    );
    expect(retryInfo?.retryDelay).toBe(`${res.headers.get("retry-after")}s`);
  });

  it("keeps another credential's bucket apart", async () => {
    for (let i = 0; i < BURST + 2; i += 1) await restGet(KEYS.rest);
    expect((await restGet(KEYS.rest)).status).toBe(429);
    for (let i = 0; i < BURST; i += 1) expect((await restGet(KEYS.restOther)).status).toBe(204);
    expect((await restGet(KEYS.restOther)).status).toBe(429);
  });

  it("takes no token for a call whose credential is refused", async () => {
    for (let i = 0; i < 5; i += 1) {
      expect((await restGet(undefined)).status).toBe(401);
      expect((await restGet("not-an-accepted-key-0123456789")).status).toBe(401);
    }
    for (let i = 0; i < BURST; i += 1) expect((await restGet(KEYS.unauthenticated)).status).toBe(204);
    expect((await restGet(KEYS.unauthenticated)).status).toBe(429);
  });
});

describe.each(transports)("%s over the limit", (name, transport) => {
  it("fails with RESOURCE_EXHAUSTED, RetryInfo, ErrorInfo RATE_LIMITED and Retry-After", async () => {
    for (let i = 0; i < BURST; i += 1) {
      expect((await rpcGetError(transport(server.baseUrl), KEYS[name])).code).toBe(Code.NotFound);
    }
    const error = await rpcGetError(transport(server.baseUrl), KEYS[name]);
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toMatch(/^Rate limit exceeded for this credential/);
    expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe("RATE_LIMITED");
    expect(error.findDetails(RequestInfoSchema)[0]?.requestId).toBe("rate-limit-rpc");
    const delay = Number(error.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds);
    expectRetryDelay(delay);
    expect(error.metadata.get("retry-after")).toBe(String(delay));
  });
});

describe("one bucket per credential across protocols", () => {
  it("counts REST and gRPC calls of one credential together", async () => {
    expect((await restGet(KEYS.shared)).status).toBe(204);
    const [, grpc] = transports[0];
    expect((await rpcGetError(grpc(server.baseUrl), KEYS.shared)).code).toBe(Code.NotFound);
    expect((await restGet(KEYS.shared)).status).toBe(429);
  });
});

describe("open endpoints", () => {
  it("health, readiness and reflection stay open for a credential over its limit", async () => {
    for (let i = 0; i < BURST + 1; i += 1) await restGet(KEYS.open);
    expect((await restGet(KEYS.open)).status).toBe(429);
    const auth = { authorization: `Bearer ${KEYS.open}` };
    for (let i = 0; i < 5; i += 1) {
      expect((await fetch(`${server.baseUrl}/healthz`, { headers: auth })).status).toBe(200);
      expect((await fetch(`${server.baseUrl}/readyz`, { headers: auth })).status).toBe(200);
    }
    const sessionManager = new Http2SessionManager(server.baseUrl);
    sessions.push(sessionManager);
    const reflection = createClient(
      ServerReflection,
      createGrpcTransport({ baseUrl: server.baseUrl, sessionManager }),
    );
    for (let i = 0; i < 5; i += 1) {
      async function* requests() {
        yield { messageRequest: { case: "listServices" as const, value: "*" } };
      }
      for await (const res of reflection.serverReflectionInfo(requests(), { headers: auth })) {
        expect(res.messageResponse.case).toBe("listServicesResponse");
      }
    }
  });
});
