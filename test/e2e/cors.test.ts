import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

const ALLOWED = "https://app.example.com";

describe("CORS for browser callers", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ corsAllowedOrigins: [ALLOWED] });
  });
  afterAll(() => server.close());

  it("answers a gRPC-web preflight from an allowed origin with the headers the browser needs", async () => {
    const res = await fetch(`${server.baseUrl}/customers.v1.CustomerService/GetCustomer`, {
      method: "OPTIONS",
      headers: {
        origin: ALLOWED,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,x-grpc-web,x-user-agent",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    const allowed = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    for (const header of [
      "authorization",
      "content-type",
      "x-grpc-web",
      "x-request-id",
      "idempotency-key",
      "if-match",
      "if-none-match",
    ]) {
      expect(allowed).toContain(header);
    }
    expect(res.headers.get("access-control-allow-methods")).toContain("PATCH");
  });

  it("exposes grpc-status, x-request-id and location to the page on a REST call", async () => {
    const res = await fetch(`${server.baseUrl}/v1/customers/search?email=nobody@example.com`, {
      headers: { origin: ALLOWED, authorization: `Bearer ${TEST_API_KEY}` },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    const exposed = (res.headers.get("access-control-expose-headers") ?? "").toLowerCase();
    for (const header of [
      "grpc-status",
      "grpc-status-details-bin",
      "x-request-id",
      "location",
      "etag",
      "idempotent-replayed",
      "retry-after",
    ]) {
      expect(exposed).toContain(header);
    }
  });

  it("gives an origin that is not listed no CORS permission", async () => {
    const res = await fetch(`${server.baseUrl}/v1/customers/search?email=nobody@example.com`, {
      headers: { origin: "https://evil.example", authorization: `Bearer ${TEST_API_KEY}` },
    });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("without CORS_ALLOWED_ORIGINS", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("sends no CORS headers, so browsers keep calls same-origin", async () => {
    const res = await fetch(`${server.baseUrl}/healthz`, { headers: { origin: ALLOWED } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});
