// The service's etags (AIP-154) on a real database: every returned customer carries its etag, also as
// the `etag` response header, and an update checks its etag / If-Match / If-None-Match under the row
// lock, so a stale one writes nothing and, of concurrent updates from one version, exactly one wins.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, createHandlerContext } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Customer } from "../../gen/customers/v1/customer_pb.js";
import {
  CreateCustomerRequestSchema,
  CustomerService,
  GetCustomerRequestSchema,
  UpdateCustomerRequestSchema,
} from "../../gen/customers/v1/customer_service_pb.js";
import { createCustomerRepository } from "../../src/customers/customer-repository.js";
import { createCustomerService } from "../../src/customers/customer-service.js";
import { ETAG_MISMATCH, PRECONDITION_FAILED } from "../../src/customers/etag.js";
import { createPageTokenCodec } from "../../src/customers/page-token.js";
import { ApiError } from "../../src/errors/api-error.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

let db: TestDatabase;
let service: ReturnType<typeof createCustomerService>;

beforeAll(async () => {
  db = await createTestDatabase();
  service = createCustomerService({
    repository: createCustomerRepository(db.pool),
    pageTokens: createPageTokenCodec("etag-test-page-token-secret-0123456789"),
    validation: {},
  });
});

afterAll(async () => {
  await db?.drop();
});

type Method = keyof typeof CustomerService.method;

function contextFor(method: Method, headers: Record<string, string> = {}) {
  return createHandlerContext({
    service: CustomerService,
    method: CustomerService.method[method],
    protocolName: "connect",
    requestMethod: "POST",
    url: `http://localhost/customers.v1.CustomerService/${CustomerService.method[method].name}`,
    requestHeader: headers,
  });
}

async function createOne(): Promise<Customer> {
  const context = contextFor("createCustomer");
  const request = create(CreateCustomerRequestSchema, {
    customer: { firstName: "Grace", lastName: "Hopper", email: "grace@example.com" },
  });
  const created = (await service.createCustomer(request, context)) as Customer;
  expect(context.responseHeader.get("etag")).toBe(created.etag);
  return created;
}

async function update(
  init: MessageInitShape<typeof UpdateCustomerRequestSchema>,
  headers: Record<string, string> = {},
): Promise<{ customer: Customer; etagHeader: string | null }> {
  const context = contextFor("updateCustomer", headers);
  const customer = (await service.updateCustomer(
    create(UpdateCustomerRequestSchema, init),
    context,
  )) as Customer;
  return { customer, etagHeader: context.responseHeader.get("etag") };
}

async function get(customerId: string): Promise<{ customer: Customer; etagHeader: string | null }> {
  const context = contextFor("getCustomer");
  const customer = (await service.getCustomer(
    create(GetCustomerRequestSchema, { customerId }),
    context,
  )) as Customer;
  return { customer, etagHeader: context.responseHeader.get("etag") };
}

/** The ApiError an update fails with. */
async function failure(
  init: MessageInitShape<typeof UpdateCustomerRequestSchema>,
  headers?: Record<string, string>,
): Promise<ApiError> {
  const error = await update(init, headers).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

describe("etags of returned customers", () => {
  it('a new customer has etag "1", in the body and the etag header; get returns the same', async () => {
    const created = await createOne();
    expect(created.etag).toBe('"1"');

    expect(await get(created.customerId)).toEqual({
      customer: expect.objectContaining({ etag: '"1"' }),
      etagHeader: '"1"',
    });
  });

  it("every update makes a new etag, also one that changes no value", async () => {
    const created = await createOne();
    const first = await update({ customerId: created.customerId, customer: { company: "Navy" } });
    const same = await update({ customerId: created.customerId, customer: { company: "Navy" } });

    expect(first).toEqual({ customer: expect.objectContaining({ etag: '"2"' }), etagHeader: '"2"' });
    expect(same.customer.etag).toBe('"3"');
    expect((await get(created.customerId)).etagHeader).toBe('"3"');
  });
});

describe("UpdateCustomer preconditions", () => {
  it("writes when the request's etag is the current one", async () => {
    const created = await createOne();
    const { customer } = await update({
      customerId: created.customerId,
      customer: { company: "Remington Rand" },
      etag: created.etag,
    });
    expect(customer).toMatchObject({ company: "Remington Rand", etag: '"2"' });
  });

  type UpdateCall = [MessageInitShape<typeof UpdateCustomerRequestSchema>, Record<string, string>?];
  it.each<[string, (customerId: string) => UpdateCall, string]>([
    [
      "a stale request etag",
      (id) => [{ customerId: id, customer: { company: "X" }, etag: '"0"' }],
      ETAG_MISMATCH,
    ],
    [
      "a stale etag in the customer (AIP-154 piggyback)",
      (id) => [{ customerId: id, customer: { company: "X", etag: '"0"' } }],
      ETAG_MISMATCH,
    ],
    [
      "a stale If-Match header",
      (id) => [{ customerId: id, customer: { company: "X" } }, { "if-match": '"0"' }],
      PRECONDITION_FAILED,
    ],
    [
      "If-None-Match: * (the customer exists)",
      (id) => [{ customerId: id, customer: { company: "X" } }, { "if-none-match": "*" }],
      PRECONDITION_FAILED,
    ],
    [
      // Preconditions come before the merged record is validated: clearing the email is INVALID_ARGUMENT.
      "a stale etag with an invalid change",
      (id) => [{ customerId: id, customer: { email: "" }, updateMask: { paths: ["email"] }, etag: '"0"' }],
      ETAG_MISMATCH,
    ],
  ])("%s is ABORTED and writes nothing", async (_name, request, reason) => {
    const created = await createOne();
    const [init, headers] = request(created.customerId);

    const error = await failure(init, headers);

    expect(error.code).toBe(Code.Aborted);
    expect(error.reason).toBe(reason);
    expect((await get(created.customerId)).customer).toEqual(created);
  });

  it("If-Match with the current etag, or *, writes", async () => {
    const created = await createOne();
    const exact = await update(
      { customerId: created.customerId, customer: { company: "A" } },
      { "if-match": '"1"' },
    );
    const any = await update(
      { customerId: created.customerId, customer: { company: "B" } },
      { "if-match": "*" },
    );

    expect(exact.customer.etag).toBe('"2"');
    expect(any.customer).toMatchObject({ company: "B", etag: '"3"' });
  });

  it("a malformed If-Match is INVALID_FORMAT on etag, with the request's other violations", async () => {
    const error = await failure({ customerId: "nope", customer: {} }, { "if-match": "1" });

    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.violations.map((v) => `${v.code} ${v.field}`)).toEqual([
      "INVALID_FORMAT customer_id",
      "INVALID_FORMAT etag",
    ]);
  });

  it("an unknown customer is NOT_FOUND on customer_id, whatever If-Match says", async () => {
    const error = await failure(
      { customerId: "019c9e4f-3b2a-7c41-8e5d-2f6a1b0c9d8e", customer: { company: "X" } },
      { "if-match": "*" },
    );

    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.violations).toEqual([expect.objectContaining({ field: "customer_id", code: "NOT_FOUND" })]);
  });

  it("never writes the etag: the etag path of a mask is ignored as output-only", async () => {
    const created = await createOne();
    const { customer } = await update({
      customerId: created.customerId,
      customer: { etag: created.etag, company: "Y" },
      updateMask: { paths: ["etag", "company"] },
    });
    expect(customer).toMatchObject({ company: "Y", etag: '"2"' });
  });

  it("of concurrent updates sent with the same current etag, exactly one writes", async () => {
    const created = await createOne();

    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        update({ customerId: created.customerId, customer: { company: `writer ${i}` }, etag: created.etag }),
      ),
    );

    const written = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value.customer] : []));
    const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as ApiError] : []));
    expect(written).toHaveLength(1);
    expect(refused.map((e) => `${e.code} ${e.reason}`)).toEqual(
      Array(9).fill(`${Code.Aborted} ${ETAG_MISMATCH}`),
    );
    expect((await get(created.customerId)).customer).toMatchObject({
      company: written[0]?.company,
      etag: '"2"',
    });
  });
});
