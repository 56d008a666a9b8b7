// Optimistic concurrency (AIP-154) on the running server: Customer.etag and the ETag header on REST,
// If-None-Match → 304, If-Match → 412, a stale etag in the body → 409; gRPC's stale etag and
// if-match metadata → ABORTED; of parallel updates from one etag exactly one wins; and, without
// etags, concurrent PATCHes of different fields keep every one of their writes.
import { randomUUID } from "node:crypto";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

const AUTH = { authorization: `Bearer ${TEST_API_KEY}` };
const JSON_BODY = { ...AUTH, "content-type": "application/json" };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

type CustomerJson = Record<string, unknown> & { customerId: string; etag: string };
interface RestError {
  error: { code: number; status: string; fieldErrors: { field: string; code: string }[]; details: object[] };
}

async function createCustomer(overrides: Record<string, unknown> = {}): Promise<CustomerJson> {
  const res = await fetch(`${server.baseUrl}/v1/customers`, {
    method: "POST",
    headers: JSON_BODY,
    body: JSON.stringify({
      firstName: "Ada",
      lastName: "Lovelace",
      email: `ada-${randomUUID()}@example.com`,
      phone: "+44 20 7946 0018",
      preferredContactMethods: ["EMAIL"],
      address: { line1: "12 St James Sq", city: "London", postalCode: "SW1Y 4JH", country: "GB" },
      ...overrides,
    }),
  });
  expect(res.status).toBe(201);
  const created = (await res.json()) as CustomerJson;
  expect(res.headers.get("etag")).toBe(created.etag);
  return created;
}

function getCustomer(id: string, headers: Record<string, string> = {}) {
  return fetch(`${server.baseUrl}/v1/customers/id/${id}`, { headers: { ...AUTH, ...headers } });
}

function write(
  method: "PATCH" | "PUT",
  id: string,
  body: unknown,
  headers: Record<string, string> = {},
  query = "",
) {
  return fetch(`${server.baseUrl}/v1/customers/${id}${query}`, {
    method,
    headers: { ...JSON_BODY, ...headers },
    body: JSON.stringify(body),
  });
}

async function stored(id: string): Promise<CustomerJson> {
  const res = await getCustomer(id);
  expect(res.status).toBe(200);
  return (await res.json()) as CustomerJson;
}

/** Asserts an ABORTED REST error with `status` and the ErrorInfo `reason`. */
async function expectAborted(res: Response, status: number, reason: string): Promise<void> {
  expect(res.status).toBe(status);
  const { error } = (await res.json()) as RestError;
  expect(error).toMatchObject({ code: status, status: "ABORTED", fieldErrors: [] });
  expect(error.details).toContainEqual(
    expect.objectContaining({ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason }),
  );
}

describe("REST: ETag and the etag field", () => {
  it("create, get and update answer with the customer's etag as ETag; every write changes it", async () => {
    const created = await createCustomer();
    expect(created.etag).toBe('"1"');

    const got = await getCustomer(created.customerId);
    expect(got.headers.get("etag")).toBe('"1"');
    expect(((await got.json()) as CustomerJson).etag).toBe('"1"');

    const patched = await write("PATCH", created.customerId, { company: "Analytical Engines" });
    expect(patched.status).toBe(200);
    expect(patched.headers.get("etag")).toBe('"2"');
    expect(((await patched.json()) as CustomerJson).etag).toBe('"2"');

    const put = await write("PUT", created.customerId, {
      firstName: "Ada",
      lastName: "King",
      phone: "+442079460018",
    });
    expect(put.headers.get("etag")).toBe('"3"');
    expect(await stored(created.customerId)).toMatchObject({ lastName: "King", email: "", etag: '"3"' });
  });

  it("search results carry each customer's etag", async () => {
    const created = await createCustomer();
    const res = await fetch(
      `${server.baseUrl}/v1/customers/search?email=${encodeURIComponent(String(created.email))}`,
      { headers: AUTH },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { customers: CustomerJson[] }).customers).toEqual([
      expect.objectContaining({ customerId: created.customerId, etag: '"1"' }),
    ]);
  });
});

describe("REST: If-None-Match on GET", () => {
  it("is 304 with no body while the etag is current, 200 with the new ETag once it changed", async () => {
    const created = await createCustomer();

    const unchanged = await getCustomer(created.customerId, { "if-none-match": created.etag });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get("etag")).toBe(created.etag);
    expect(await unchanged.text()).toBe("");

    await write("PATCH", created.customerId, { company: "Babbage & Co" });
    const changed = await getCustomer(created.customerId, { "if-none-match": created.etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).toBe('"2"');
    expect(await changed.json()).toMatchObject({ company: "Babbage & Co", etag: '"2"' });
  });

  it("compares weakly and accepts a list or *", async () => {
    const created = await createCustomer();
    for (const ifNoneMatch of ['W/"1"', '"7", "1"', "*"]) {
      const res = await getCustomer(created.customerId, { "if-none-match": ifNoneMatch });
      expect(res.status, ifNoneMatch).toBe(304);
    }
  });

  it("still answers 204 for an unknown customer", async () => {
    const res = await getCustomer("019c9e4f-3b2a-7c41-8e5d-2f6a1b0c9d8e", { "if-none-match": "*" });
    expect(res.status).toBe(204);
  });
});

describe("REST: If-Match on PATCH and PUT", () => {
  it("writes when If-Match is the current etag, or *", async () => {
    const created = await createCustomer();

    const exact = await write("PATCH", created.customerId, { company: "A" }, { "if-match": created.etag });
    expect(exact.status).toBe(200);
    expect(exact.headers.get("etag")).toBe('"2"');
    const any = await write(
      "PUT",
      created.customerId,
      { firstName: "Ada", lastName: "Lovelace", phone: "+442079460018" },
      { "if-match": "*" },
    );
    expect(any.status).toBe(200);
    expect(any.headers.get("etag")).toBe('"3"');
  });

  it.each(["PATCH", "PUT"] as const)(
    "%s with a stale If-Match is 412 ABORTED and writes nothing",
    async (method) => {
      const created = await createCustomer();
      await write("PATCH", created.customerId, { company: "Moved on" });
      const before = await stored(created.customerId);

      const res = await write(
        method,
        created.customerId,
        { firstName: "Ada", lastName: "Byron", email: "ada@example.com" },
        { "if-match": created.etag },
      );

      await expectAborted(res, 412, "PRECONDITION_FAILED");
      expect(await stored(created.customerId)).toEqual(before);
    },
  );

  it("a malformed If-Match is 400 INVALID_FORMAT on etag", async () => {
    const created = await createCustomer();
    const res = await write("PATCH", created.customerId, { company: "X" }, { "if-match": "1" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as RestError).error.fieldErrors).toEqual([
      expect.objectContaining({ field: "etag", code: "INVALID_FORMAT" }),
    ]);
  });
});

describe("REST: a stale etag in the request", () => {
  it("in the body is 409 ABORTED and writes nothing; the current one writes", async () => {
    const created = await createCustomer();
    await write("PATCH", created.customerId, { company: "Moved on" });
    const before = await stored(created.customerId);

    const stale = await write("PATCH", created.customerId, { etag: created.etag, company: "Mine" });
    await expectAborted(stale, 409, "ETAG_MISMATCH");
    expect(await stored(created.customerId)).toEqual(before);

    // A read-modify-write that sends the customer back as it was read is conditional by itself.
    const current = await write("PUT", created.customerId, { ...before, company: "Mine" });
    expect(current.status).toBe(200);
    expect(await current.json()).toMatchObject({ company: "Mine", etag: '"3"' });
  });

  it("as the etag query parameter (UpdateCustomerRequest.etag) is 409 too", async () => {
    const created = await createCustomer();
    await write("PATCH", created.customerId, { company: "Moved on" });

    const res = await write(
      "PATCH",
      created.customerId,
      { company: "Mine" },
      {},
      `?etag=${encodeURIComponent(created.etag)}`,
    );

    await expectAborted(res, 409, "ETAG_MISMATCH");
  });
});

describe("REST: concurrent PATCHes without etags", () => {
  it("of every writable field at once lose none of their writes", async () => {
    const created = await createCustomer();
    const patches: Record<string, unknown>[] = [
      { firstName: "Augusta" },
      { lastName: "King" },
      { company: "Analytical Engines Ltd" },
      { email: "countess@example.com" },
      { phone: "+44 20 7946 0019" },
      { address: { line1: "10 St James Sq" } },
      { address: { line2: "Second floor" } },
      { address: { city: "Westminster" } },
      { address: { state: "Greater London" } },
      { address: { postalCode: "SW1Y 4LE" } },
      { address: { country: "IE" } },
      { preferredContactMethods: ["SMS", "EMAIL"] },
      { marketingEmailOptIn: true },
      { marketingSmsOptIn: true },
    ];

    const answers = await Promise.all(patches.map((patch) => write("PATCH", created.customerId, patch)));

    expect(answers.map((r) => r.status)).toEqual(patches.map(() => 200));
    const etags = answers.map((r) => r.headers.get("etag"));
    // Each write saw the one before it: 14 distinct new versions.
    expect(new Set(etags).size).toBe(patches.length);
    expect(await stored(created.customerId)).toMatchObject({
      firstName: "Augusta",
      lastName: "King",
      company: "Analytical Engines Ltd",
      email: "countess@example.com",
      phone: "+442079460019",
      address: {
        line1: "10 St James Sq",
        line2: "Second floor",
        city: "Westminster",
        state: "Greater London",
        postalCode: "SW1Y 4LE",
        country: "IE",
      },
      preferredContactMethods: ["SMS", "EMAIL"],
      marketingEmailOptIn: true,
      marketingSmsOptIn: true,
      etag: `"${patches.length + 1}"`,
    });
  });
});

describe("gRPC: etag and if-match", () => {
  const client = () => createClient(CustomerService, createGrpcTransport({ baseUrl: server.baseUrl }));

  async function abortedReason(call: Promise<unknown>): Promise<string | undefined> {
    const error = await call.then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(error?.code).toBe(Code.Aborted);
    return error?.findDetails(ErrorInfoSchema)[0]?.reason;
  }

  it("returns the etag in the message and the etag metadata; a stale etag is ABORTED", async () => {
    const created = await createCustomer();
    const grpc = client();
    let header: Headers | undefined;

    const updated = await grpc.updateCustomer(
      { customerId: created.customerId, customer: { company: "Bletchley" }, etag: created.etag },
      { headers: AUTH, onHeader: (h) => (header = h) },
    );
    expect(updated.etag).toBe('"2"');
    expect(header?.get("etag")).toBe('"2"');

    const stale = grpc.updateCustomer(
      { customerId: created.customerId, customer: { company: "Late" }, etag: created.etag },
      { headers: AUTH },
    );
    expect(await abortedReason(stale)).toBe("ETAG_MISMATCH");
    expect(await stored(created.customerId)).toMatchObject({ company: "Bletchley", etag: '"2"' });
  });

  it("honours if-match metadata: stale is ABORTED (PRECONDITION_FAILED)", async () => {
    const created = await createCustomer();
    const grpc = client();
    await grpc.updateCustomer(
      { customerId: created.customerId, customer: { company: "First" } },
      { headers: AUTH },
    );

    const stale = grpc.updateCustomer(
      { customerId: created.customerId, customer: { company: "Second" } },
      { headers: { ...AUTH, "if-match": created.etag } },
    );
    expect(await abortedReason(stale)).toBe("PRECONDITION_FAILED");
  });

  it("of parallel updates sent with the same etag, exactly one wins; the others are ABORTED", async () => {
    const created = await createCustomer();
    const grpc = client();

    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        grpc.updateCustomer(
          { customerId: created.customerId, customer: { company: `Writer ${i}` }, etag: created.etag },
          { headers: AUTH },
        ),
      ),
    );

    const won = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
    const lost = outcomes.flatMap((o) => (o.status === "rejected" ? [ConnectError.from(o.reason).code] : []));
    expect(won).toHaveLength(1);
    expect(lost).toEqual(Array(9).fill(Code.Aborted));
    expect(await stored(created.customerId)).toMatchObject({ company: won[0]?.company, etag: '"2"' });
  });
});
