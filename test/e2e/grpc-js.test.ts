// The API over plain gRPC (HTTP/2 cleartext) as a @grpc/grpc-js client sees it: a separate stack from
// connect-es, loading the .proto files at run time, so it checks the wire contract and the rich error
// details (grpc-status-details-bin) independently of the generated code the server uses.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRegistry, fromBinary, type Message } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BadRequest,
  type ErrorInfo,
  file_google_rpc_error_details,
  type RequestInfo,
} from "../../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const detailsRegistry = createRegistry(file_google_rpc_error_details);

/** A Customer as proto-loader decodes it (camelCase, enums as names, longs as strings, defaults on). */
interface CustomerMessage {
  customerId: string;
  firstName: string;
  lastName: string;
  company: string;
  email: string;
  phone: string;
  address: Record<string, string> | null;
  preferredContactMethods: string[];
  marketingEmailOptIn: boolean;
  marketingSmsOptIn: boolean;
  createdAt: { seconds: string; nanos: number } | null;
  updatedAt: { seconds: string; nanos: number } | null;
}

interface SearchResponse {
  customers: CustomerMessage[];
  nextPageToken: string;
}

type UnaryMethod = (
  request: object,
  metadata: grpc.Metadata,
  callback: (error: grpc.ServiceError | null, response?: unknown) => void,
) => grpc.ClientUnaryCall;

let server: TestServer;
let client: grpc.Client;

function metadata(options: { key?: string | null; requestId?: string } = {}): grpc.Metadata {
  const md = new grpc.Metadata();
  const key = options.key === undefined ? TEST_API_KEY : options.key;
  if (key !== null) md.set("authorization", `Bearer ${key}`);
  if (options.requestId) md.set("x-request-id", options.requestId);
  return md;
}

/** Makes a unary call; `onHeaders` receives the response headers (ServiceError.metadata holds trailers). */
function call<T>(
  method: string,
  request: object,
  md: grpc.Metadata = metadata(),
  onHeaders?: (headers: grpc.Metadata) => void,
): Promise<T> {
  const fn = (client as unknown as Record<string, UnaryMethod>)[method];
  if (!fn) throw new Error(`no method ${method}`);
  return new Promise((resolve, reject) => {
    const pending = fn.call(client, request, md, (error, response) =>
      error ? reject(error) : resolve(response as T),
    );
    if (onHeaders) pending.on("metadata", onHeaders);
  });
}

/** Runs a call that must fail and returns its ServiceError. */
async function failure(
  method: string,
  request: object,
  md?: grpc.Metadata,
  onHeaders?: (headers: grpc.Metadata) => void,
): Promise<grpc.ServiceError> {
  try {
    await call(method, request, md, onHeaders);
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error(`${method} unexpectedly succeeded`);
}

/** Decodes grpc-status-details-bin into google.rpc.Status and unpacks its details by type name. */
function richDetails(error: grpc.ServiceError) {
  const [raw] = error.metadata.get("grpc-status-details-bin");
  expect(raw, "grpc-status-details-bin trailer").toBeInstanceOf(Buffer);
  const status = fromBinary(StatusSchema, raw as Buffer);
  const unpacked = status.details.map((any) => anyUnpack(any, detailsRegistry) as Message);
  const find = <T extends Message>(typeName: string) =>
    unpacked.find((m) => m?.$typeName === typeName) as T | undefined;
  return {
    status,
    badRequest: find<BadRequest>("google.rpc.BadRequest"),
    errorInfo: find<ErrorInfo>("google.rpc.ErrorInfo"),
    requestInfo: find<RequestInfo>("google.rpc.RequestInfo"),
  };
}

function violationsOf(error: grpc.ServiceError): { field: string; reason: string }[] {
  const { badRequest } = richDetails(error);
  return (badRequest?.fieldViolations ?? []).map((v) => ({ field: v.field, reason: v.reason }));
}

let emailCounter = 0;
function validCustomer(overrides: Record<string, unknown> = {}) {
  emailCounter += 1;
  return {
    firstName: "Grace",
    lastName: "Hopper",
    email: `grace.${emailCounter}@example.com`,
    ...overrides,
  };
}

beforeAll(async () => {
  server = await startTestServer();
  const definition = protoLoader.loadSync(path.join(ROOT, "proto/customers/v1/customer_service.proto"), {
    includeDirs: [
      path.join(ROOT, "proto"),
      path.join(ROOT, "node_modules/google-proto-files"),
      // buf/validate/validate.proto, printed by `npm run proto:deps` (scripts/protovalidate-proto.ts).
      path.join(ROOT, "node_modules/.cache/protovalidate-proto"),
    ],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    customers: { v1: { CustomerService: grpc.ServiceClientConstructor } };
  };
  client = new loaded.customers.v1.CustomerService(
    `127.0.0.1:${server.port}`,
    grpc.credentials.createInsecure(),
  );
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

describe("gRPC (grpc-js, HTTP/2) CreateCustomer and GetCustomer", () => {
  it("creates a customer with a UUIDv7 id, timestamps and an E.164 phone", async () => {
    const before = Math.floor(Date.now() / 1000);
    const created = await call<CustomerMessage>("createCustomer", {
      customer: validCustomer({
        phone: "(415) 555-2671",
        company: "Navy",
        preferredContactMethods: ["EMAIL", "SMS"],
        address: { line1: "1 Main St", city: "Arlington", country: "us" },
      }),
    });
    expect(created.customerId).toMatch(UUID_V7);
    expect(created.phone).toBe("+14155552671");
    expect(created.company).toBe("Navy");
    expect(created.preferredContactMethods).toEqual(["EMAIL", "SMS"]);
    expect(created.address).toMatchObject({ line1: "1 Main St", city: "Arlington", country: "US" });
    expect(created.createdAt).not.toBeNull();
    const createdSeconds = Number(created.createdAt?.seconds);
    expect(createdSeconds).toBeGreaterThanOrEqual(before - 1);
    expect(createdSeconds).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 1);
    expect(created.updatedAt).toEqual(created.createdAt);
  });

  it("gets a created customer by id", async () => {
    const created = await call<CustomerMessage>("createCustomer", {
      customer: validCustomer({ phone: "+1 212 555 0123" }),
    });
    const requestId = `get-${randomUUID()}`;
    let headers: grpc.Metadata | undefined;
    const fetched = await call<CustomerMessage>(
      "getCustomer",
      { customerId: created.customerId },
      metadata({ requestId }),
      (h) => {
        headers = h;
      },
    );
    expect(fetched).toEqual(created);
    expect(headers?.get("x-request-id")).toEqual([requestId]);
    expect(fetched.phone).toBe("+12125550123");
  });

  it("reports several violations at once with BadRequest, ErrorInfo and the caller's RequestInfo", async () => {
    const requestId = `grpc-js-${randomUUID()}`;
    let headers: grpc.Metadata | undefined;
    const error = await failure(
      "createCustomer",
      { customer: { firstName: "A", lastName: "Hopper3", email: "not-an-email", address: { city: "X" } } },
      metadata({ requestId }),
      (h) => {
        headers = h;
      },
    );
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    const { status, badRequest, errorInfo, requestInfo } = richDetails(error);
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(badRequest?.fieldViolations.map((v) => ({ field: v.field, reason: v.reason }))).toEqual(
      expect.arrayContaining([
        { field: "customer.first_name", reason: "TOO_SHORT" },
        { field: "customer.last_name", reason: "INVALID_CHARACTERS" },
        { field: "customer.email", reason: "INVALID_FORMAT" },
        { field: "customer.address.line1", reason: "REQUIRED" },
        { field: "customer.address.country", reason: "REQUIRED" },
      ]),
    );
    for (const v of badRequest?.fieldViolations ?? []) expect(v.description).not.toBe("");
    expect(errorInfo).toMatchObject({ reason: "INVALID_INPUT", domain: "customer-api" });
    expect(requestInfo?.requestId).toBe(requestId);
    expect(headers?.get("x-request-id")).toEqual([requestId]);
  });

  it("rejects a customer_id on create with NOT_ALLOWED", async () => {
    const error = await failure("createCustomer", {
      customer: validCustomer({ customerId: "0190a0a0-0000-7000-8000-000000000000" }),
    });
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(violationsOf(error)).toEqual([{ field: "customer.customer_id", reason: "NOT_ALLOWED" }]);
  });
});

describe("gRPC (grpc-js) credentials", () => {
  it.each([
    ["no authorization metadata", null],
    ["a wrong key", "wrong-key-0123456789abcdef"],
  ])("rejects a call with %s as UNAUTHENTICATED (16)", async (_label, key) => {
    const requestId = `unauth-${randomUUID()}`;
    const error = await failure(
      "getCustomer",
      { customerId: "0190a0a0-0000-7000-8000-000000000000" },
      metadata({ key, requestId }),
    );
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(error.code).toBe(16);
    const { errorInfo, requestInfo } = richDetails(error);
    expect(errorInfo?.domain).toBe("customer-api");
    expect(requestInfo?.requestId).toBe(requestId);
  });
});

describe("gRPC (grpc-js) unknown ids", () => {
  it("GetCustomer of an unknown id is NOT_FOUND (5)", async () => {
    const error = await failure("getCustomer", { customerId: "0190a0a0-0000-7000-8000-0000000000ff" });
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(richDetails(error).errorInfo?.reason).toBe("NOT_FOUND");
  });

  it("UpdateCustomer of an unknown id is INVALID_ARGUMENT (3) with a customer_id NOT_FOUND violation", async () => {
    const error = await failure("updateCustomer", {
      customerId: "0190a0a0-0000-7000-8000-0000000000fe",
      customer: { company: "Nowhere Inc" },
    });
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(violationsOf(error)).toEqual([{ field: "customer_id", reason: "NOT_FOUND" }]);
  });
});

describe("gRPC (grpc-js) SearchCustomers", () => {
  let zelda: CustomerMessage;
  let zeno: CustomerMessage;
  let other: CustomerMessage;

  beforeAll(async () => {
    zelda = await call("createCustomer", {
      customer: { firstName: "Zelda", lastName: "Fitzgerald", email: "Zelda.F@Example.com" },
    });
    zeno = await call("createCustomer", {
      customer: { firstName: "Zeno", lastName: "Elea", phone: "+1 650 253 0000" },
    });
    other = await call("createCustomer", {
      customer: { firstName: "Yusuf", lastName: "Islam", phone: "+12025550143", email: "yusuf@example.com" },
    });
  });

  it.each([
    ["phone in national format", () => ({ phone: "(650) 253-0000" }), () => [zeno]],
    ["email, case-insensitively", () => ({ email: "zelda.f@EXAMPLE.COM" }), () => [zelda]],
    ["first-name prefix, case-insensitively", () => ({ firstName: "ze" }), () => [zelda, zeno]],
    ["any of several criteria", () => ({ firstName: "zel", phone: "+12025550143" }), () => [zelda, other]],
  ])("finds customers by %s", async (_label, request, expected) => {
    const res = await call<SearchResponse>("searchCustomers", request());
    expect(res.customers.map((c) => c.customerId)).toEqual(expected().map((c) => c.customerId));
    expect(res.nextPageToken).toBe("");
  });

  it("returns an empty list (OK) when nothing matches", async () => {
    const res = await call<SearchResponse>("searchCustomers", { email: "nobody@example.com" });
    expect(res.customers).toEqual([]);
    expect(res.nextPageToken).toBe("");
  });

  it("rejects a search without criteria", async () => {
    const error = await failure("searchCustomers", {});
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(violationsOf(error).map((v) => v.field)).toEqual(["phone", "email", "first_name"]);
  });
});

describe("gRPC (grpc-js) SearchCustomersByAddress", () => {
  let first: CustomerMessage;
  let second: CustomerMessage;

  beforeAll(async () => {
    first = await call("createCustomer", {
      customer: validCustomer({
        address: { line1: "10  Downing Street", city: "London", postalCode: "SW1A 2AA", country: "GB" },
      }),
    });
    second = await call("createCustomer", {
      customer: validCustomer({
        address: { line1: "221B Baker Street", city: "London", postalCode: "NW1 6XE", country: "GB" },
      }),
    });
  });

  it("matches all given fields, case-insensitively with whitespace collapsed", async () => {
    const res = await call<SearchResponse>("searchCustomersByAddress", {
      line1: "10 downing   STREET",
      city: "london",
    });
    expect(res.customers.map((c) => c.customerId)).toEqual([first.customerId]);
  });

  it("returns every customer matching a shared field, in creation order", async () => {
    const res = await call<SearchResponse>("searchCustomersByAddress", { city: "LONDON", country: "gb" });
    expect(res.customers.map((c) => c.customerId)).toEqual([first.customerId, second.customerId]);
  });

  it("returns nothing when one of the fields does not match", async () => {
    const res = await call<SearchResponse>("searchCustomersByAddress", { city: "London", country: "FR" });
    expect(res.customers).toEqual([]);
  });
});

describe("gRPC (grpc-js) pagination", () => {
  const ids: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 5; i++) {
      const created = await call<CustomerMessage>("createCustomer", {
        customer: validCustomer({ firstName: `Paginata ${"abcde"[i]}`, lastName: "Pages" }),
      });
      ids.push(created.customerId);
    }
  });

  it("walks two pages with page tokens, without duplicates or gaps", async () => {
    const page1 = await call<SearchResponse>("searchCustomers", { firstName: "paginata", pageSize: 3 });
    expect(page1.customers).toHaveLength(3);
    expect(page1.nextPageToken).not.toBe("");
    const page2 = await call<SearchResponse>("searchCustomers", {
      firstName: "paginata",
      pageSize: 3,
      pageToken: page1.nextPageToken,
    });
    expect(page2.customers).toHaveLength(2);
    expect(page2.nextPageToken).toBe("");
    const seen = [...page1.customers, ...page2.customers].map((c) => c.customerId);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(ids);
  });

  it("rejects a page token used with other criteria", async () => {
    const page1 = await call<SearchResponse>("searchCustomers", { firstName: "paginata", pageSize: 2 });
    const error = await failure("searchCustomers", {
      firstName: "pag",
      pageSize: 2,
      pageToken: page1.nextPageToken,
    });
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(violationsOf(error)).toEqual([{ field: "page_token", reason: "INVALID_FORMAT" }]);
  });

  it.each([
    ["garbage", "not-a-token"],
    ["a forged signature", `${Buffer.from('{"v":1,"s":"x","t":0,"i":"y"}').toString("base64url")}.AAAA`],
  ])("rejects a forged page token (%s) as INVALID_ARGUMENT", async (_label, pageToken) => {
    const error = await failure("searchCustomers", { firstName: "paginata", pageToken });
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(violationsOf(error)).toEqual([{ field: "page_token", reason: "INVALID_FORMAT" }]);
  });

  it.each([
    ["searchCustomers", { firstName: "paginata", pageSize: -1 }],
    ["searchCustomersByAddress", { city: "London", pageSize: -5 }],
  ])("%s rejects a negative page size as INVALID_ARGUMENT", async (method, request) => {
    const error = await failure(method, request);
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(violationsOf(error)).toEqual([{ field: "page_size", reason: "OUT_OF_RANGE" }]);
  });
});
