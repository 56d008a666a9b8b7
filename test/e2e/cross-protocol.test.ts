// One record, two protocols: what REST/JSON writes, gRPC (connect-es client over h2c) reads identically,
// and the other way round; errors and page tokens mean the same thing on both.
import { toJson } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContactMethod, type Customer, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

const AUTH = { authorization: `Bearer ${TEST_API_KEY}` };
const CALL = { headers: AUTH };
const UNKNOWN_ID = "0190a0a0-0000-7000-8000-0000000000ff";

type CustomerJson = Record<string, unknown> & { customerId: string; createdAt: string; updatedAt: string };

let server: TestServer;
let sessionManager: Http2SessionManager;
let grpc: Client<typeof CustomerService>;

/** A REST call over HTTP/1.1 (fetch), authorised, with an optional JSON body. */
async function rest(method: string, path: string, json?: unknown): Promise<Response> {
  return fetch(`${server.baseUrl}${path}`, {
    method,
    headers: json === undefined ? AUTH : { ...AUTH, "content-type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
}

/** The proto3 JSON a REST client sees for a customer read over gRPC. */
function asRestJson(customer: Customer): CustomerJson {
  return toJson(CustomerSchema, customer, { alwaysEmitImplicit: true }) as CustomerJson;
}

async function failure(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("the call unexpectedly succeeded");
}

beforeAll(async () => {
  server = await startTestServer();
  sessionManager = new Http2SessionManager(server.baseUrl);
  // gRPC always runs on HTTP/2 (h2c here): connect-node 2.1's GrpcTransportOptions has no httpVersion.
  grpc = createClient(CustomerService, createGrpcTransport({ baseUrl: server.baseUrl, sessionManager }));
});

afterAll(async () => {
  sessionManager?.abort();
  await server?.close();
});

describe("REST → gRPC", () => {
  it("a customer created over REST reads identically over gRPC", async () => {
    const res = await rest("POST", "/v1/customers", {
      firstName: " Frances ",
      lastName: "Allen",
      company: "IBM",
      email: "Frances.Allen@Example.com",
      phone: "(914) 555-2671",
      address: {
        line1: "1101  Kitchawan Rd",
        city: "Yorktown Heights",
        state: "NY",
        postalCode: "10598",
        country: "us",
      },
      preferredContactMethods: ["PHONE", "EMAIL"],
      marketingEmailOptIn: true,
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as CustomerJson;

    const viaGrpc = await grpc.getCustomer({ customerId: created.customerId }, CALL);
    expect(asRestJson(viaGrpc)).toEqual(created);
    expect(viaGrpc.firstName).toBe("Frances");
    expect(viaGrpc.phone).toBe("+19145552671");
    expect(viaGrpc.address?.country).toBe("US");
    expect(viaGrpc.preferredContactMethods).toEqual([ContactMethod.PHONE, ContactMethod.EMAIL]);
    expect(viaGrpc.marketingEmailOptIn).toBe(true);
    expect(viaGrpc.marketingSmsOptIn).toBe(false);

    const searched = await grpc.searchCustomers({ email: "frances.allen@example.com" }, CALL);
    expect(searched.customers.map(asRestJson)).toEqual([created]);
    const byAddress = await grpc.searchCustomersByAddress(
      { line1: "1101 kitchawan rd", postalCode: "10598" },
      CALL,
    );
    expect(byAddress.customers.map((c) => c.customerId)).toEqual([created.customerId]);
  });

  it("a REST PUT is visible over gRPC, cleared fields included", async () => {
    const created = (await (
      await rest("POST", "/v1/customers", {
        firstName: "Jean",
        lastName: "Sammet",
        email: "jean.sammet@example.com",
        phone: "+14155552674",
        company: "Sperry",
      })
    ).json()) as CustomerJson;
    const put = await rest("PUT", `/v1/customers/${created.customerId}`, {
      firstName: "Jean",
      lastName: "Sammet",
      email: "jean.e.sammet@example.com",
    });
    expect(put.status).toBe(200);
    const replaced = (await put.json()) as CustomerJson;
    const viaGrpc = await grpc.getCustomer({ customerId: created.customerId }, CALL);
    expect(asRestJson(viaGrpc)).toEqual(replaced);
    expect(viaGrpc.company).toBe("");
    expect(viaGrpc.phone).toBe("");
  });
});

describe("gRPC → REST", () => {
  it("a customer created over gRPC is readable and PATCHable over REST, and the change shows over gRPC", async () => {
    const created = await grpc.createCustomer(
      {
        customer: {
          firstName: "Radia",
          lastName: "Perlman",
          email: "radia@example.com",
          phone: "+14155552675",
          address: { line1: "1 Spanning Tree Way", city: "Boston", country: "US" },
          preferredContactMethods: [ContactMethod.SMS],
          marketingSmsOptIn: true,
        },
      },
      CALL,
    );

    const got = await rest("GET", `/v1/customers/id/${created.customerId}`);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual(asRestJson(created));

    const patch = await rest("PATCH", `/v1/customers/${created.customerId}`, {
      company: "DEC",
      address: { city: "Cambridge", postalCode: "02139" },
    });
    expect(patch.status).toBe(200);
    const patched = (await patch.json()) as CustomerJson;

    const after = await grpc.getCustomer({ customerId: created.customerId }, CALL);
    expect(asRestJson(after)).toEqual(patched);
    expect(after.company).toBe("DEC");
    expect(after.address).toMatchObject({
      line1: "1 Spanning Tree Way",
      city: "Cambridge",
      postalCode: "02139",
      country: "US",
    });
    // Everything the PATCH did not name is untouched; the etag is the next version's.
    expect(after.etag).toBe('"2"');
    expect({ ...after, company: "", address: undefined, updatedAt: undefined, etag: "" }).toEqual({
      ...created,
      address: undefined,
      updatedAt: undefined,
      etag: "",
    });
    expect(after.createdAt).toEqual(created.createdAt);
    expect(Date.parse(patched.updatedAt)).toBeGreaterThanOrEqual(Date.parse(asRestJson(created).updatedAt));
  });

  it("a gRPC update with an update_mask is what REST then reads", async () => {
    const created = await grpc.createCustomer(
      { customer: { firstName: "Shafi", lastName: "Goldwasser", email: "shafi@example.com" } },
      CALL,
    );
    const updated = await grpc.updateCustomer(
      {
        customerId: created.customerId,
        customer: { company: "MIT", firstName: "Ignored" },
        updateMask: { paths: ["company"] },
      },
      CALL,
    );
    const got = await rest("GET", `/v1/customers/id/${created.customerId}`);
    expect(got.status).toBe(200);
    const body = (await got.json()) as CustomerJson;
    expect(body).toEqual(asRestJson(updated));
    expect(body).toMatchObject({ firstName: "Shafi", company: "MIT" });
  });
});

describe("the same outcome in both protocols", () => {
  it("reports the same violations: JSON paths over REST, proto paths over gRPC", async () => {
    const customer = {
      firstName: "J",
      lastName: "Doe",
      phone: "12345",
      address: { line1: "1 Main St", city: "X", country: "Atlantis", postalCode: "9".repeat(21) },
    };
    const res = await rest("POST", "/v1/customers", customer);
    expect(res.status).toBe(400);
    const restErrors = ((await res.json()) as { error: { fieldErrors: { field: string; code: string }[] } })
      .error.fieldErrors;
    const error = await failure(grpc.createCustomer({ customer }, CALL));
    expect(error.code).toBe(Code.InvalidArgument);
    const grpcViolations = error.findDetails(BadRequestSchema).flatMap((b) => b.fieldViolations);
    expect(restErrors.map((e) => [e.field, e.code])).toEqual([
      ["firstName", "TOO_SHORT"],
      ["phone", "INVALID_FORMAT"],
      ["address.postalCode", "TOO_LONG"],
      ["address.country", "INVALID_FORMAT"],
    ]);
    expect(grpcViolations.map((v) => [v.field, v.reason])).toEqual([
      ["customer.first_name", "TOO_SHORT"],
      ["customer.phone", "INVALID_FORMAT"],
      ["customer.address.postal_code", "TOO_LONG"],
      ["customer.address.country", "INVALID_FORMAT"],
    ]);
  });

  it("an unknown id: REST GET 204 / gRPC NOT_FOUND; update: NOT_FOUND on customerId in both", async () => {
    expect((await rest("GET", `/v1/customers/id/${UNKNOWN_ID}`)).status).toBe(204);
    expect((await failure(grpc.getCustomer({ customerId: UNKNOWN_ID }, CALL))).code).toBe(Code.NotFound);

    const res = await rest("PATCH", `/v1/customers/${UNKNOWN_ID}`, { company: "X" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { fieldErrors: { field: string; code: string }[] } };
    expect(body.error.fieldErrors.map((e) => [e.field, e.code])).toEqual([["customerId", "NOT_FOUND"]]);
    const error = await failure(
      grpc.updateCustomer({ customerId: UNKNOWN_ID, customer: { company: "X" } }, CALL),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(
      error
        .findDetails(BadRequestSchema)
        .flatMap((b) => b.fieldViolations)
        .map((v) => [v.field, v.reason]),
    ).toEqual([["customer_id", "NOT_FOUND"]]);
  });

  it("a page token from a REST search continues the same search over gRPC", async () => {
    const ids: string[] = [];
    for (const letter of ["a", "b", "c", "d"]) {
      const created = await grpc.createCustomer(
        {
          customer: {
            firstName: `Tokenia ${letter}`,
            lastName: "Page",
            email: `tokenia.${letter}@example.com`,
          },
        },
        CALL,
      );
      ids.push(created.customerId);
    }
    const first = await rest("GET", "/v1/customers/search?firstName=tokenia&pageSize=2");
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as { customers: CustomerJson[]; nextPageToken: string };
    expect(page1.nextPageToken).not.toBe("");
    const page2 = await grpc.searchCustomers(
      { firstName: "tokenia", pageSize: 2, pageToken: page1.nextPageToken },
      CALL,
    );
    expect([
      ...page1.customers.map((c) => c.customerId),
      ...page2.customers.map((c) => c.customerId),
    ]).toEqual(ids);
    expect(page2.nextPageToken).toBe("");
  });
});
