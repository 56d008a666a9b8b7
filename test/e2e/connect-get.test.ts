// Reads over Connect as HTTP GET (idempotency_level = NO_SIDE_EFFECTS): a real connect-node client
// with useHttpGet sends GetCustomer and both searches as GET, with the bearer header, and the
// answers say `Cache-Control: private, no-store` because they hold personal data.
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { loggerOptions } from "../../src/observability/logger-options.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

let server: TestServer;
const accessLog: { requestId?: string; method?: string; msg?: string }[] = [];
beforeAll(async () => {
  // The server's access log says which HTTP method each call arrived with.
  const memory = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) accessLog.push(JSON.parse(line));
      done();
    },
  });
  server = await startTestServer({ logger: pino(loggerOptions("info"), memory) });
});
afterAll(async () => {
  await server.close();
});

interface Seen {
  requestId?: string;
  cacheControl?: string | null;
}

/** The HTTP method the last call of `seen` arrived with, once its access-log line is written. */
async function methodOf(seen: Seen): Promise<string | undefined> {
  return vi.waitFor(() => {
    const line = accessLog.find((l) => l.requestId === seen.requestId && l.msg === "request completed");
    if (!line) throw new Error("access-log line not written yet");
    return line.method;
  });
}

/** A client over Connect GET that records the HTTP method it used and the Cache-Control it got. */
function getClient(seen: Seen, authorization?: string) {
  // The transport turns POST into GET after the interceptors, so the method is read from the server's log.
  const record: Interceptor = (next) => async (req) => {
    const requestId = randomUUID();
    req.header.set("x-request-id", requestId);
    seen.requestId = requestId;
    const res = await next(req);
    seen.cacheControl = res.header.get("cache-control");
    return res;
  };
  const transport = createConnectTransport({
    baseUrl: server.baseUrl,
    httpVersion: "1.1",
    useHttpGet: true,
    interceptors: [record],
  });
  const headers = authorization ? { authorization } : undefined;
  return { client: createClient(CustomerService, transport), headers };
}

describe("Connect GET for reads", () => {
  it("creates with POST, then reads the customer back with GET, uncacheable", async () => {
    const seen: Seen = {};
    const { client, headers } = getClient(seen, `Bearer ${TEST_API_KEY}`);
    const created = await client.createCustomer(
      { customer: { firstName: "Gita", lastName: "Getter", email: "gita.get@example.com" } },
      { headers },
    );
    expect(await methodOf(seen)).toBe("POST");

    const got = await client.getCustomer({ customerId: created.customerId }, { headers });
    expect(await methodOf(seen)).toBe("GET");
    expect(seen.cacheControl).toBe("private, no-store");
    expect(got.email).toBe("gita.get@example.com");

    const byEmail = await client.searchCustomers({ email: "GITA.GET@example.com" }, { headers });
    expect(await methodOf(seen)).toBe("GET");
    expect(seen.cacheControl).toBe("private, no-store");
    expect(byEmail.customers.map((c) => c.customerId)).toEqual([created.customerId]);
  });

  it("sends SearchCustomersByAddress as GET too", async () => {
    const seen: Seen = {};
    const { client, headers } = getClient(seen, `Bearer ${TEST_API_KEY}`);
    const found = await client.searchCustomersByAddress({ city: "Nowhere-at-all" }, { headers });
    expect(await methodOf(seen)).toBe("GET");
    expect(found.customers).toEqual([]);
  });

  it("still needs the bearer credential: a GET without it is UNAUTHENTICATED", async () => {
    const seen: Seen = {};
    const { client } = getClient(seen);
    const error = await client
      .getCustomer({ customerId: "0190a0a0-0000-7000-8000-0000000000ff" })
      .then(() => undefined, ConnectError.from);
    expect(await methodOf(seen)).toBe("GET");
    expect(error?.code).toBe(Code.Unauthenticated);
  });

  it("a GET of a method with side effects is refused, not executed", async () => {
    const message = encodeURIComponent(JSON.stringify({ customer: { firstName: "No", lastName: "Way" } }));
    const res = await fetch(
      `${server.baseUrl}/customers.v1.CustomerService/CreateCustomer?connect=v1&encoding=json&message=${message}`,
      { headers: { authorization: `Bearer ${TEST_API_KEY}` } },
    );
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});
