// Answers hold personal data: no cache may keep them and browsers must not sniff their type.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe("every answer", () => {
  it.each([
    [
      "a REST success",
      "/v1/customers/search?email=a@example.com",
      { authorization: `Bearer ${TEST_API_KEY}` },
    ],
    ["a REST error", "/v1/customers/search", { authorization: `Bearer ${TEST_API_KEY}` }],
    ["an unauthenticated call", "/v1/customers/search?email=a@example.com", {}],
    ["an unknown path", "/nowhere", {}],
  ])(
    "%s carries Cache-Control: no-store and X-Content-Type-Options: nosniff",
    async (_label, path, headers) => {
      const res = await fetch(`${server.baseUrl}${path}`, { headers });
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    },
  );

  it("a Connect call carries them too", async () => {
    const res = await fetch(`${server.baseUrl}/customers.v1.CustomerService/GetCustomer`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TEST_API_KEY}` },
      body: JSON.stringify({ customerId: "0190a0a0-0000-7000-8000-0000000000ff" }),
    });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
