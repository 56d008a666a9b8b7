// GET /metrics on the real server after calls over each protocol: the call counters move with the
// right rpc/protocol/code labels, refusals before the RPC ran count too, the database gauges and
// query histogram are there, and no label holds an id.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

let server: TestServer;
const auth = { headers: { authorization: `Bearer ${TEST_API_KEY}` } };
const MISSING = "01890a5d-ac96-774b-bcce-b302099a8057";

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function scrape(): Promise<string> {
  const res = await fetch(`${server.baseUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of the sample `name{labels}` in a scrape, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf("}"));
    const parts = inside.split(",");
    if (wanted.every((w) => parts.includes(w)) && parts.length === wanted.length) {
      return Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return 0;
}

describe("GET /metrics", () => {
  it("counts calls by rpc, protocol and code over gRPC, gRPC-web, Connect and REST", async () => {
    const before = await scrape();
    const get = "customers.v1.CustomerService/GetCustomer";
    const clients = {
      grpc: createClient(CustomerService, createGrpcTransport({ baseUrl: server.baseUrl })),
      grpc_web: createClient(
        CustomerService,
        createGrpcWebTransport({ baseUrl: server.baseUrl, httpVersion: "1.1" }),
      ),
      connect: createClient(
        CustomerService,
        createConnectTransport({ baseUrl: server.baseUrl, httpVersion: "1.1" }),
      ),
    };
    for (const client of Object.values(clients)) {
      await expect(client.getCustomer({ customerId: MISSING }, auth)).rejects.toMatchObject({
        code: Code.NotFound,
      });
      // Refused by the auth interceptor, before the handler.
      const refused = await client.getCustomer({ customerId: MISSING }).catch((e: unknown) => e);
      expect(ConnectError.from(refused).code).toBe(Code.Unauthenticated);
    }
    const created = await clients.connect.createCustomer(
      { customer: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" } },
      auth,
    );
    const rest = await fetch(`${server.baseUrl}/v1/customers/id/${created.customerId}`, auth);
    expect(rest.status).toBe(200);
    const restMissing = await fetch(`${server.baseUrl}/v1/customers/id/${MISSING}`, auth);
    expect(restMissing.status).toBe(204);

    const after = await scrape();
    const moved = (labels: Record<string, string>) =>
      sample(after, "customer_api_calls_total", labels) - sample(before, "customer_api_calls_total", labels);
    for (const protocol of ["grpc", "grpc_web", "connect"]) {
      expect(moved({ rpc: get, protocol, code: "NOT_FOUND" }), protocol).toBe(1);
      expect(moved({ rpc: get, protocol, code: "UNAUTHENTICATED" }), protocol).toBe(1);
    }
    expect(
      moved({ rpc: "customers.v1.CustomerService/CreateCustomer", protocol: "connect", code: "OK" }),
    ).toBe(1);
    // REST's 204 is GetCustomer's NOT_FOUND, transcoded.
    expect(moved({ rpc: get, protocol: "rest", code: "OK" })).toBe(1);
    expect(moved({ rpc: get, protocol: "rest", code: "NOT_FOUND" })).toBe(1);
    expect(
      sample(after, "customer_api_call_duration_seconds_count", { rpc: get, protocol: "grpc" }) -
        sample(before, "customer_api_call_duration_seconds_count", { rpc: get, protocol: "grpc" }),
    ).toBe(2);
    // No label anywhere holds a customer id.
    expect(after).not.toContain(created.customerId);
    expect(after).not.toContain(MISSING);
  });

  it("reports the database pool, query latency, in-flight requests and the process", async () => {
    const text = await scrape();
    expect(sample(text, "customer_api_db_pool_connections", {})).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^customer_api_db_pool_connections \d+$/m);
    expect(text).toMatch(/^customer_api_db_pool_idle_connections \d+$/m);
    expect(text).toMatch(/^customer_api_db_pool_waiting_requests \d+$/m);
    expect(
      sample(text, "customer_api_db_query_duration_seconds_count", { operation: "select", outcome: "ok" }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, "customer_api_db_query_duration_seconds_count", { operation: "insert", outcome: "ok" }),
    ).toBeGreaterThan(0);
    // The scrape itself is in flight while it is rendered.
    expect(text).toMatch(/^customer_api_requests_in_flight 1$/m);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it("counts an unknown RPC without using its name as a label", async () => {
    const res = await fetch(`${server.baseUrl}/acme.Nope/Whatever`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(404);
    const text = await scrape();
    expect(
      sample(text, "customer_api_calls_total", { rpc: "unknown", protocol: "connect", code: "NOT_FOUND" }),
    ).toBe(1);
    expect(text).not.toContain("acme.Nope");
  });
});
