// U+0000 (which PostgreSQL refuses in text) and other control characters, in every text input a
// caller controls, on every protocol: always 400 / INVALID_ARGUMENT naming the field, never 500.
// The REST URLs are the ones a REST fuzzer found answering 500.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

const AUTH = { authorization: `Bearer ${TEST_API_KEY}` };
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

async function restError(path: string, init: RequestInit = {}) {
  const res = await fetch(`${server.baseUrl}${path}`, { ...init, headers: { ...AUTH, ...init.headers } });
  const body = (await res.json()) as {
    error: { status: string; fieldErrors: { field: string; code: string }[] };
  };
  return { status: res.status, body };
}

describe("REST", () => {
  it.each([
    ["/v1/customers/search?email=%C2%B7%00%3F&firstName=.Ada", "email"],
    ["/v1/customers/search?firstName=A%00da", "firstName"],
    ["/v1/customers/search?phone=%2B1415%00555", "phone"],
    ["/v1/customers/search?email=a@example.com&pageToken=%00", "pageToken"],
    ["/v1/customers/by-address?city=Oslo&state=%22%C3%B5%00x", "state"],
    ["/v1/customers/by-address?postalCode=01%0050", "postalCode"],
    ["/v1/customers/by-address?country=N%00O", "country"],
  ])("GET %s is 400 INVALID_CHARACTERS on %s", async (path, field) => {
    const { status, body } = await restError(path);
    expect(status).toBe(400);
    expect(body.error.status).toBe("INVALID_ARGUMENT");
    expect(body.error.fieldErrors).toContainEqual(
      expect.objectContaining({ field, code: "INVALID_CHARACTERS" }),
    );
  });

  it("a NUL in a created customer's name is 400 naming the field", async () => {
    const { status, body } = await restError("/v1/customers", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ firstName: "A\u0000da", lastName: "Lovelace", email: "ada@example.com" }),
    });
    expect(status).toBe(400);
    expect(body.error.fieldErrors).toContainEqual(expect.objectContaining({ field: "firstName" }));
  });

  it("a NUL in a path id is 400, not 500", async () => {
    const { status } = await restError("/v1/customers/id/%00");
    expect(status).toBe(400);
  });
});

describe.each([
  ["gRPC", () => createGrpcTransport({ baseUrl: server.baseUrl })],
  ["Connect", () => createConnectTransport({ baseUrl: server.baseUrl, httpVersion: "1.1" })],
])("%s", (_name, transport) => {
  async function violationsOf(call: Promise<unknown>) {
    const error = await call.then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(error?.code).toBe(Code.InvalidArgument);
    return error
      ?.findDetails(BadRequestSchema)
      .flatMap((b) => b.fieldViolations.map((v) => [v.field, v.reason]));
  }

  it("SearchCustomers with a NUL in email is INVALID_ARGUMENT on email", async () => {
    const client = createClient(CustomerService, transport());
    const call = client.searchCustomers({ email: "a\u0000@example.com" }, { headers: AUTH });
    expect(await violationsOf(call)).toEqual([["email", "INVALID_CHARACTERS"]]);
  });

  it("SearchCustomersByAddress with a NUL in state is INVALID_ARGUMENT on state", async () => {
    const client = createClient(CustomerService, transport());
    const call = client.searchCustomersByAddress({ city: "Oslo", state: "\u0000" }, { headers: AUTH });
    expect(await violationsOf(call)).toEqual([["state", "INVALID_CHARACTERS"]]);
  });

  it("GetCustomer with a NUL in the id is INVALID_ARGUMENT on customer_id", async () => {
    const client = createClient(CustomerService, transport());
    const violations = await violationsOf(client.getCustomer({ customerId: "\u0000" }, { headers: AUTH }));
    expect(violations?.map(([field]) => field)).toEqual(["customer_id"]);
  });
});
