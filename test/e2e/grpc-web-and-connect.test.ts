// The API through connect-es clients over the three protocols the generated CustomerService speaks:
// gRPC-web on HTTP/1.1, Connect on h2c and gRPC on h2c, plus the UpdateCustomer semantics (AIP-134
// update masks), create idempotency (AIP-155) and the output-only customer_id.
import { randomUUID } from "node:crypto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { type Timestamp, timestampMs } from "@bufbuild/protobuf/wkt";
import { type Client, Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContactMethod, type Customer, type CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import {
  BadRequestSchema,
  ErrorInfoSchema,
  RequestInfoSchema,
} from "../../gen/google/rpc/error_details_pb.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UNKNOWN_ID = "0190a0a0-0000-7000-8000-0000000000ff";
const AUTH = { authorization: `Bearer ${TEST_API_KEY}` };

/** A Customer initialiser as a plain object (not an already-built message). */
type CustomerInit = Exclude<MessageInitShape<typeof CustomerSchema>, Customer>;
type CustomerClient = Client<typeof CustomerService>;

let server: TestServer;
const sessions: Http2SessionManager[] = [];

/** Builds each transport under test; h2c transports get a session manager closed in afterAll. */
const transports: [string, (baseUrl: string) => Transport][] = [
  ["gRPC-web over HTTP/1.1", (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" })],
  [
    "Connect (JSON) over h2c",
    (baseUrl) => {
      const sessionManager = new Http2SessionManager(baseUrl);
      sessions.push(sessionManager);
      return createConnectTransport({ baseUrl, httpVersion: "2", sessionManager });
    },
  ],
  // createGrpcTransport has no httpVersion option in connect-node 2.1: gRPC is always HTTP/2.
  [
    "gRPC over h2c",
    (baseUrl) => {
      const sessionManager = new Http2SessionManager(baseUrl);
      sessions.push(sessionManager);
      return createGrpcTransport({ baseUrl, sessionManager });
    },
  ],
];

let emailCounter = 0;
function validCustomer(overrides: CustomerInit = {}): CustomerInit {
  emailCounter += 1;
  return {
    firstName: "Katherine",
    lastName: "Johnson",
    email: `kj.${emailCounter}@example.com`,
    ...overrides,
  };
}

/** Awaits a call that must fail and returns its ConnectError. */
async function failure(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("the call unexpectedly succeeded");
}

function violationsOf(error: ConnectError): { field: string; reason: string }[] {
  return error
    .findDetails(BadRequestSchema)
    .flatMap((b) => b.fieldViolations)
    .map((v) => ({ field: v.field, reason: v.reason }));
}

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  for (const session of sessions) session.abort();
  await server?.close();
});

describe.each(transports)("%s", (_name, makeTransport) => {
  let client: CustomerClient;

  beforeAll(() => {
    client = createClient(CustomerService, makeTransport(server.baseUrl));
  });

  it("creates and gets a customer, echoing x-request-id in the response headers", async () => {
    const requestId = `req-${randomUUID()}`;
    let createHeaders: Headers | undefined;
    const created = await client.createCustomer(
      {
        customer: validCustomer({
          phone: "415 555 2671",
          preferredContactMethods: [ContactMethod.PHONE],
          address: { line1: "1 NASA Pkwy", city: "Hampton", state: "VA", country: "us" },
        }),
      },
      { headers: { ...AUTH, "x-request-id": requestId }, onHeader: (h) => (createHeaders = h) },
    );
    expect(created.customerId).toMatch(UUID_V7);
    expect(created.phone).toBe("+14155552671");
    expect(created.address?.country).toBe("US");
    expect(created.preferredContactMethods).toEqual([ContactMethod.PHONE]);
    expect(created.createdAt).toBeDefined();
    expect(createHeaders?.get("x-request-id")).toBe(requestId);

    let getHeaders: Headers | undefined;
    const fetched = await client.getCustomer(
      { customerId: created.customerId },
      { headers: AUTH, onHeader: (h) => (getHeaders = h) },
    );
    expect(fetched).toEqual(created);
    // No x-request-id sent: the server generates one.
    expect(getHeaders?.get("x-request-id")).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
  });

  it("reports validation failures as INVALID_ARGUMENT with BadRequest, ErrorInfo and RequestInfo", async () => {
    const requestId = `bad-${randomUUID()}`;
    const error = await failure(
      client.createCustomer(
        { customer: { firstName: "K1", lastName: "", phone: "12", marketingEmailOptIn: true } },
        { headers: { ...AUTH, "x-request-id": requestId } },
      ),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(violationsOf(error)).toEqual(
      expect.arrayContaining([
        { field: "customer.first_name", reason: "INVALID_CHARACTERS" },
        { field: "customer.last_name", reason: "REQUIRED" },
        { field: "customer.email", reason: "REQUIRED" },
        { field: "customer.phone", reason: "INVALID_FORMAT" },
      ]),
    );
    expect(error.findDetails(ErrorInfoSchema)).toEqual([
      expect.objectContaining({ reason: "INVALID_INPUT", domain: "customer-api" }),
    ]);
    expect(error.findDetails(RequestInfoSchema).map((r) => r.requestId)).toEqual([requestId]);
    expect(error.metadata.get("x-request-id")).toBe(requestId);
  });

  it.each([
    ["no authorization header", {}],
    ["a wrong key", { authorization: "Bearer wrong-key-0123456789abcdef" }],
    ["a non-bearer scheme", { authorization: `Basic ${TEST_API_KEY}` }],
  ])("rejects a call with %s as UNAUTHENTICATED", async (_label, headers) => {
    const error = await failure(client.getCustomer({ customerId: UNKNOWN_ID }, { headers }));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.findDetails(ErrorInfoSchema)[0]?.domain).toBe("customer-api");
    expect(error.findDetails(RequestInfoSchema)[0]?.requestId).toBe(error.metadata.get("x-request-id"));
  });

  it("answers GetCustomer of an unknown id with NOT_FOUND", async () => {
    const error = await failure(client.getCustomer({ customerId: UNKNOWN_ID }, { headers: AUTH }));
    expect(error.code).toBe(Code.NotFound);
    expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe("NOT_FOUND");
    expect(error.findDetails(BadRequestSchema)).toEqual([]);
  });
});

describe("UpdateCustomer and CreateCustomer semantics (Connect over h2c)", () => {
  let client: CustomerClient;
  const call = { headers: AUTH };

  beforeAll(() => {
    client = createClient(CustomerService, transports[1]?.[1](server.baseUrl) as Transport);
  });

  async function createFull(overrides: CustomerInit = {}) {
    return client.createCustomer(
      {
        customer: validCustomer({
          company: "NASA",
          phone: "+12125551234",
          address: { line1: "300 E St SW", line2: "Suite 5R30", city: "Washington", country: "US" },
          preferredContactMethods: [ContactMethod.EMAIL],
          ...overrides,
        }),
      },
      call,
    );
  }

  it("without update_mask writes only the populated fields", async () => {
    const created = await createFull();
    const updated = await client.updateCustomer(
      { customerId: created.customerId, customer: { company: "JPL", marketingSmsOptIn: true } },
      call,
    );
    expect(updated.company).toBe("JPL");
    expect(updated.marketingSmsOptIn).toBe(true);
    expect(updated.firstName).toBe(created.firstName);
    expect(updated.email).toBe(created.email);
    expect(updated.phone).toBe(created.phone);
    expect(updated.address).toEqual(created.address);
    expect(updated.preferredContactMethods).toEqual(created.preferredContactMethods);
    const fetched = await client.getCustomer({ customerId: created.customerId }, call);
    expect(fetched).toEqual(updated);
  });

  it('with update_mask "*" replaces the whole record, clearing fields left out', async () => {
    const created = await createFull();
    const updated = await client.updateCustomer(
      {
        customerId: created.customerId,
        customer: { firstName: "Dorothy", lastName: "Vaughan", phone: "+14155550100" },
        updateMask: { paths: ["*"] },
      },
      call,
    );
    expect(updated).toMatchObject({
      customerId: created.customerId,
      firstName: "Dorothy",
      lastName: "Vaughan",
      phone: "+14155550100",
      company: "",
      email: "",
      preferredContactMethods: [],
    });
    expect(updated.address).toBeUndefined();
  });

  it("with update_mask address.city changes only the city", async () => {
    const created = await createFull();
    const updated = await client.updateCustomer(
      {
        customerId: created.customerId,
        customer: { company: "ignored", address: { city: "Houston", line1: "ignored too" } },
        updateMask: { paths: ["address.city"] },
      },
      call,
    );
    expect(updated.address).toEqual({ ...created.address, city: "Houston" });
    expect(updated.company).toBe(created.company);
  });

  it("validates the merged record: clearing email while marketingEmailOptIn stays true is INVALID_ARGUMENT", async () => {
    const created = await createFull({ marketingEmailOptIn: true });
    const error = await failure(
      client.updateCustomer(
        { customerId: created.customerId, customer: {}, updateMask: { paths: ["email"] } },
        call,
      ),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(violationsOf(error)).toEqual([{ field: "customer.email", reason: "REQUIRED" }]);
    const unchanged = await client.getCustomer({ customerId: created.customerId }, call);
    expect(unchanged).toEqual(created);
  });

  it.each([["nickname"], ["address.planet"], ["address.city.name"]])(
    "rejects an update_mask naming an unknown path (%s) on update_mask",
    async (path) => {
      const created = await createFull();
      const error = await failure(
        client.updateCustomer(
          { customerId: created.customerId, customer: { company: "X" }, updateMask: { paths: [path] } },
          call,
        ),
      );
      expect(error.code).toBe(Code.InvalidArgument);
      expect(violationsOf(error)).toEqual([{ field: "update_mask", reason: "UNKNOWN_FIELD" }]);
    },
  );

  it("advances updatedAt and keeps createdAt", async () => {
    const created = await createFull();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const updated = await client.updateCustomer(
      { customerId: created.customerId, customer: { company: "Langley" } },
      call,
    );
    const ms = (t: Timestamp | undefined) => {
      expect(t).toBeDefined();
      return t ? timestampMs(t) : Number.NaN;
    };
    expect(ms(created.updatedAt)).toBe(ms(created.createdAt));
    expect(ms(updated.createdAt)).toBe(ms(created.createdAt));
    expect(ms(updated.updatedAt)).toBeGreaterThan(ms(created.updatedAt));
  });

  it("updates an unknown id with INVALID_ARGUMENT and a customer_id NOT_FOUND violation", async () => {
    const error = await failure(
      client.updateCustomer({ customerId: UNKNOWN_ID, customer: { company: "Nobody" } }, call),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(violationsOf(error)).toEqual([{ field: "customer_id", reason: "NOT_FOUND" }]);
  });

  it("returns the same customer for a CreateCustomer retried with the same request_id", async () => {
    const requestId = randomUUID();
    const customer = validCustomer();
    const first = await client.createCustomer({ customer, requestId }, call);
    const second = await client.createCustomer({ customer, requestId }, call);
    expect(second.customerId).toBe(first.customerId);
    expect(second).toEqual(first);
    const third = await client.createCustomer({ customer, requestId: randomUUID() }, call);
    expect(third.customerId).not.toBe(first.customerId);
  });

  it("rejects a customerId on create with NOT_ALLOWED on customer.customer_id", async () => {
    const error = await failure(
      client.createCustomer({ customer: validCustomer({ customerId: randomUUID() }) }, call),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(violationsOf(error)).toEqual([{ field: "customer.customer_id", reason: "NOT_ALLOWED" }]);
  });
});
