// The database cannot be reached: every protocol answers UNAVAILABLE (REST 503 + Retry-After) with
// the request id, quickly, and never a driver message; readiness says unavailable. The app runs on
// a pool pointed at a port nothing listens on, which is what a stopped PostgreSQL looks like.
import type { AddressInfo } from "node:net";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import type { FastifyInstance } from "fastify";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import {
  ErrorInfoSchema,
  RequestInfoSchema,
  RetryInfoSchema,
} from "../../gen/google/rpc/error_details_pb.js";
import { buildApp } from "../../src/app.js";
import { createQueryPool } from "../../src/db/database.js";
import { freePort } from "../../src/db/embedded-postgres.js";

const KEY = "outage-test-key-0123456789";
const AUTH = { authorization: `Bearer ${KEY}` };
const ID = "0190a0a0-0000-7000-8000-0000000000aa";
let app: FastifyInstance;
let pool: pg.Pool;
let base: string;

beforeAll(async () => {
  pool = createQueryPool(
    `postgres://postgres@127.0.0.1:${await freePort()}/gone`,
    { warn: () => undefined },
    2,
    500,
  );
  app = await buildApp({ pool, apiKeys: [KEY], pageTokenSecret: "outage-page-token-secret-0123456789abc" });
  await app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app.close();
  await pool.end();
});

describe("with the database unreachable", () => {
  it.each([
    ["GET", `/v1/customers/id/${ID}`, undefined],
    ["POST", "/v1/customers", { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" }],
    ["PATCH", `/v1/customers/${ID}`, { company: "Analytical Engines" }],
    ["GET", "/v1/customers/search?email=ada@example.com", undefined],
  ])("REST %s %s is 503 UNAVAILABLE with Retry-After and the request id", async (method, path, json) => {
    const started = Date.now();
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...AUTH,
        ...(json ? { "content-type": "application/json" } : {}),
        "x-request-id": "outage-1",
      },
      body: json ? JSON.stringify(json) : undefined,
    });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    const text = await res.text();
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i);
    const body = JSON.parse(text) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ code: 503, status: "UNAVAILABLE", requestId: "outage-1" });
    expect(body.error.message).toMatch(/database is unavailable/);
    expect(body.error.details).toContainEqual(
      expect.objectContaining({
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "DATABASE_UNAVAILABLE",
      }),
    );
  });

  it.each([
    ["gRPC", () => createGrpcTransport({ baseUrl: base })],
    ["gRPC-web", () => createGrpcWebTransport({ baseUrl: base, httpVersion: "1.1" })],
    ["Connect", () => createConnectTransport({ baseUrl: base, httpVersion: "1.1" })],
  ])("%s GetCustomer fails with UNAVAILABLE, RetryInfo and RequestInfo", async (_name, transport) => {
    const client = createClient(CustomerService, transport());
    const error = await client
      .getCustomer({ customerId: ID }, { headers: { ...AUTH, "x-request-id": "outage-2" } })
      .then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
    expect(error?.code).toBe(Code.Unavailable);
    expect(error?.rawMessage).toMatch(/database is unavailable/);
    expect(error?.findDetails(ErrorInfoSchema)[0]?.reason).toBe("DATABASE_UNAVAILABLE");
    expect(error?.findDetails(RequestInfoSchema)[0]?.requestId).toBe("outage-2");
    expect(Number(error?.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds)).toBe(1);
  });

  it("readiness reports the database unreachable", async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
  });
});
