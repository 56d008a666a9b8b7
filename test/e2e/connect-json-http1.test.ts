// The Connect protocol as any HTTP client speaks it: plain fetch (undici, HTTP/1.1) with JSON bodies.
// Also the open endpoints (health, readiness, gRPC reflection) and the x-request-id rules.
import { randomUUID } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServerReflection } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const GENERATED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNKNOWN_ID = "0190a0a0-0000-7000-8000-0000000000ff";

let server: TestServer;

interface ConnectErrorBody {
  code: string;
  message?: string;
  details?: { type: string; value: string; debug?: Record<string, unknown> }[];
}

/** POSTs a Connect unary JSON request; `body` is sent as-is when it is a string. */
async function rpc(
  method: string,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${TEST_API_KEY}` },
): Promise<Response> {
  return fetch(`${server.baseUrl}/customers.v1.CustomerService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", "connect-protocol-version": "1", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function detail(body: ConnectErrorBody, type: string) {
  return body.details?.find((d) => d.type === type);
}

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

describe("Connect JSON over HTTP/1.1 (fetch)", () => {
  it("creates a customer: 200 with the customer as JSON", async () => {
    const res = await rpc("CreateCustomer", {
      customer: {
        firstName: "  Ada ",
        lastName: "Lovelace",
        email: "ada@example.com",
        phone: "+1 (415) 555-2671",
        preferredContactMethods: ["EMAIL", "SMS"],
        marketingSmsOptIn: true,
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      firstName: "Ada",
      lastName: "Lovelace",
      email: "ada@example.com",
      phone: "+14155552671",
      preferredContactMethods: ["EMAIL", "SMS"],
      marketingSmsOptIn: true,
    });
    expect(body.customerId).toMatch(UUID_V7);
    expect(body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

    const got = await rpc("GetCustomer", { customerId: body.customerId });
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual(body);
  });

  it("answers a validation failure with 400 invalid_argument and BadRequest details", async () => {
    const requestId = `json-${randomUUID()}`;
    const res = await rpc(
      "CreateCustomer",
      {
        customer: {
          firstName: "Ada",
          lastName: "L",
          address: {
            line1: "1 Main St",
            city: "Springfield",
            country: "Atlantis",
            postalCode: "1".repeat(21),
          },
        },
      },
      { authorization: `Bearer ${TEST_API_KEY}`, "x-request-id": requestId },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get("x-request-id")).toBe(requestId);
    const body = (await res.json()) as ConnectErrorBody;
    expect(body.code).toBe("invalid_argument");
    expect(body.message).toBe("5 fields are invalid.");
    const badRequest = detail(body, "google.rpc.BadRequest");
    expect(badRequest?.value).toEqual(expect.any(String));
    const violations = (badRequest?.debug?.fieldViolations ?? []) as { field: string; reason: string }[];
    expect(violations.map((v) => [v.field, v.reason])).toEqual([
      ["customer.last_name", "TOO_SHORT"],
      ["customer.email", "REQUIRED"],
      ["customer.phone", "REQUIRED"],
      ["customer.address.postal_code", "TOO_LONG"],
      ["customer.address.country", "INVALID_FORMAT"],
    ]);
    expect(detail(body, "google.rpc.ErrorInfo")?.debug).toMatchObject({
      reason: "INVALID_INPUT",
      domain: "customer-api",
    });
    expect(detail(body, "google.rpc.RequestInfo")?.debug).toEqual({ requestId });
  });

  it.each([
    ["no authorization header", {}],
    ["a wrong key", { authorization: "Bearer wrong-key-0123456789abcdef" }],
  ])("answers a call with %s with 401 unauthenticated", async (_label, headers) => {
    const res = await rpc("GetCustomer", { customerId: UNKNOWN_ID }, headers);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const body = (await res.json()) as ConnectErrorBody;
    expect(body.code).toBe("unauthenticated");
    expect(detail(body, "google.rpc.RequestInfo")?.debug).toEqual({
      requestId: res.headers.get("x-request-id"),
    });
  });

  it("answers GetCustomer of an unknown id with 404 not_found", async () => {
    const res = await rpc("GetCustomer", { customerId: UNKNOWN_ID });
    expect(res.status).toBe(404);
    const body = (await res.json()) as ConnectErrorBody;
    expect(body.code).toBe("not_found");
    expect(detail(body, "google.rpc.ErrorInfo")?.debug).toMatchObject({ reason: "NOT_FOUND" });
  });

  it.each([
    ["truncated JSON", '{"customer": {"firstName": "Ada"'],
    ["not JSON at all", "hello"],
    ["a JSON array", "[]"],
    ["a wrong value type", '{"customer": {"firstName": 42}}'],
  ])("answers malformed JSON (%s) with 400 invalid_argument, never internal", async (_label, raw) => {
    const res = await rpc("CreateCustomer", raw);
    expect(res.status).toBe(400);
    const body = (await res.json()) as ConnectErrorBody;
    expect(body.code).toBe("invalid_argument");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  // Body-decoding errors are raised by connect-es before the interceptor chain runs;
  // src/transport/protocol-error-details.ts gives them the same details as every other error.
  it("carries ErrorInfo and RequestInfo on a malformed-JSON error, like every other error", async () => {
    const requestId = `malformed-${randomUUID()}`;
    const res = await rpc("CreateCustomer", '{"customer": {', {
      authorization: `Bearer ${TEST_API_KEY}`,
      "x-request-id": requestId,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-request-id")).toBe(requestId);
    const body = (await res.json()) as ConnectErrorBody;
    expect(body.code).toBe("invalid_argument");
    expect(detail(body, "google.rpc.ErrorInfo")?.debug).toMatchObject({ domain: "customer-api" });
    expect(detail(body, "google.rpc.RequestInfo")?.debug).toEqual({ requestId });
  });

  it.each([
    ["at the top level", { customer: { firstName: "Ada", lastName: "Lovelace", email: "a@b.co" }, extra: 1 }],
    ["inside the customer", { customer: { firstName: "Ada", lastName: "Lovelace", nickname: "Countess" } }],
  ])("answers an unknown JSON field %s with 400 invalid_argument", async (_label, payload) => {
    const res = await rpc("CreateCustomer", payload);
    expect(res.status).toBe(400);
    const body = (await res.json()) as ConnectErrorBody;
    expect(body.code).toBe("invalid_argument");
  });
});

describe("x-request-id", () => {
  it.each([
    ["a simple id", "abc-123"],
    ["every allowed character", "Az09._:-"],
    ["128 characters", "a".repeat(128)],
  ])("echoes a valid id (%s) on success and on error", async (_label, requestId) => {
    const headers = { authorization: `Bearer ${TEST_API_KEY}`, "x-request-id": requestId };
    const ok = await rpc("SearchCustomers", { email: "nobody@example.com" }, headers);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-request-id")).toBe(requestId);
    const failed = await rpc("GetCustomer", { customerId: UNKNOWN_ID }, headers);
    expect(failed.status).toBe(404);
    expect(failed.headers.get("x-request-id")).toBe(requestId);
  });

  it.each([
    ["129 characters", "a".repeat(129)],
    ["200 characters", "b".repeat(200)],
    ["spaces", "has some spaces"],
    ["a slash", "a/b"],
  ])("replaces an invalid id (%s) with a generated one", async (_label, requestId) => {
    const res = await rpc(
      "GetCustomer",
      { customerId: UNKNOWN_ID },
      {
        authorization: `Bearer ${TEST_API_KEY}`,
        "x-request-id": requestId,
      },
    );
    expect(res.status).toBe(404);
    const generated = res.headers.get("x-request-id");
    expect(generated).not.toBe(requestId);
    expect(generated).toMatch(GENERATED_ID);
    const body = (await res.json()) as ConnectErrorBody;
    expect(detail(body, "google.rpc.RequestInfo")?.debug).toEqual({ requestId: generated });
  });

  it("generates a different id for each request that sends none", async () => {
    const a = await fetch(`${server.baseUrl}/healthz`);
    const b = await fetch(`${server.baseUrl}/healthz`);
    expect(a.headers.get("x-request-id")).toMatch(GENERATED_ID);
    expect(b.headers.get("x-request-id")).toMatch(GENERATED_ID);
    expect(a.headers.get("x-request-id")).not.toBe(b.headers.get("x-request-id"));
  });

  it("is on responses outside the API too (unknown route)", async () => {
    const res = await fetch(`${server.baseUrl}/no/such/route`, { headers: { "x-request-id": "r-404" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("x-request-id")).toBe("r-404");
  });
});

describe("open endpoints", () => {
  it.each([["/healthz"], ["/readyz"]])("%s answers 200 without credentials", async (path) => {
    const res = await fetch(`${server.baseUrl}${path}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("gRPC reflection (v1) lists customers.v1.CustomerService without credentials", async () => {
    const sessionManager = new Http2SessionManager(server.baseUrl);
    try {
      // gRPC is always HTTP/2 (createGrpcTransport has no httpVersion option in connect-node 2.1).
      const reflection = createClient(
        ServerReflection,
        createGrpcTransport({ baseUrl: server.baseUrl, sessionManager }),
      );
      async function* requests() {
        yield { messageRequest: { case: "listServices" as const, value: "*" } };
      }
      const services: string[] = [];
      for await (const res of reflection.serverReflectionInfo(requests())) {
        expect(res.messageResponse.case).toBe("listServicesResponse");
        if (res.messageResponse.case === "listServicesResponse") {
          services.push(...res.messageResponse.value.service.map((s) => s.name));
        }
      }
      expect(services).toContain("customers.v1.CustomerService");
      expect(services).toContain("grpc.reflection.v1.ServerReflection");
    } finally {
      sessionManager.abort();
    }
  });
});
