// Hostile input on the REST binding never gets a 5xx, a dropped connection or an undocumented error
// shape: random and malformed JSON bodies (lone surrogates, invalid UTF-8, 1e400, 2^64, hostile keys),
// nesting 1,000–100,000 deep, query strings and path segments with broken percent-encoding and NUL,
// and hostile headers. Every answer is 2xx or 4xx with the REST error body of docs/api.md, and the
// server still passes its health checks afterwards.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressSchema, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import {
  SearchCustomersByAddressRequestSchema,
  SearchCustomersRequestSchema,
} from "../../gen/customers/v1/customer_service_pb.js";
import { customerJson, validCustomer } from "./customer-arbitraries.js";
import {
  deeplyNested,
  fieldNames,
  headerValue,
  hostileBody,
  hostileQuery,
  pathSegment,
  searchQuery,
} from "./hostile-arbitraries.js";
import { AUTH, expectRestAnswer, http1, liveServer } from "./wire.js";

const CUSTOMER_KEYS = fieldNames(CustomerSchema);
const CUSTOMER_BODY = { top: CUSTOMER_KEYS, nested: fieldNames(AddressSchema) };
const SEARCH_KEYS = fieldNames(SearchCustomersRequestSchema);
const BY_ADDRESS_KEYS = fieldNames(SearchCustomersByAddressRequestSchema);

const CONTENT_TYPES = fc.oneof(
  {
    arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8", "APPLICATION/JSON"),
    weight: 8,
  },
  {
    arbitrary: fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "application/json;", ""),
    weight: 1,
  },
  { arbitrary: headerValue, weight: 1 },
);

const live = liveServer();

/**
 * A write's method and request target: create, or replace / update of an existing customer, an
 * id-like or a hostile segment, sometimes with hostile query parameters (updateMask, etag).
 */
function writeTarget(existingId: string) {
  const id = fc.oneof(
    { arbitrary: fc.constant(existingId), weight: 2 },
    { arbitrary: pathSegment, weight: 1 },
  );
  return fc.oneof(
    fc.constant({ method: "POST", path: "/v1/customers" }),
    fc
      .tuple(
        fc.constantFrom("PUT", "PATCH"),
        id,
        fc.option(hostileQuery(["updateMask", "update_mask", "etag"]), { nil: undefined }),
      )
      .map(([method, id, query]) => ({
        method,
        path: `/v1/customers/${id}${query === undefined ? "" : `?${query}`}`,
      })),
  );
}

function send(method: string, path: string, headers: Record<string, string>, body?: Uint8Array) {
  return http1(live.server.port, live.agent, { method, path, headers, body });
}

describe("hostile input on REST never gets a 5xx (property)", () => {
  it("random and malformed JSON bodies on create, replace and update", async () => {
    const ada = { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", phone: "+442079460018" };
    const headers = { ...AUTH, "content-type": "application/json" };
    const created = await send("POST", "/v1/customers", headers, Buffer.from(JSON.stringify(ada)));
    expect(created.status).toBe(201);
    const { customerId } = JSON.parse(created.body.toString()) as { customerId: string };
    await fc.assert(
      fc.asyncProperty(
        writeTarget(customerId),
        CONTENT_TYPES,
        hostileBody(CUSTOMER_BODY),
        async (target, type, body) => {
          expectRestAnswer(await send(target.method, target.path, { ...AUTH, "content-type": type }, body));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("JSON nested 1,000 to 100,000 levels deep", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("POST", "PATCH"),
        fc.constantFrom(...CUSTOMER_KEYS).chain(deeplyNested),
        fc.uuid(),
        async (method, text, id) => {
          const path = method === "POST" ? "/v1/customers" : `/v1/customers/${id}`;
          const headers = { ...AUTH, "content-type": "application/json" };
          expectRestAnswer(await send(method, path, headers, Buffer.from(text)));
        },
      ),
      { numRuns: 25 },
    );
  });

  it("hostile query strings and path segments on the reads", async () => {
    const read = fc.oneof(
      hostileQuery(SEARCH_KEYS).map((q) => `/v1/customers/search?${q}`),
      hostileQuery(BY_ADDRESS_KEYS).map((q) => `/v1/customers/by-address?${q}`),
      searchQuery(["email", "firstName", "first_name"]).map((q) => `/v1/customers/search?${q}`),
      searchQuery(["line1", "line2", "city", "state", "postalCode", "country"]).map(
        (q) => `/v1/customers/by-address?${q}`,
      ),
      fc
        .tuple(pathSegment, fc.option(hostileQuery(["customerId", "customer_id", "x"]), { nil: undefined }))
        .map(([id, q]) => `/v1/customers/id/${id}${q === undefined ? "" : `?${q}`}`),
    );
    await fc.assert(
      fc.asyncProperty(read, fc.constantFrom("GET", "HEAD"), async (path, method) => {
        const res = await send(method, path, AUTH);
        // A HEAD answer has no body to check; its GET twin has.
        expectRestAnswer(method === "HEAD" ? await send("GET", path, AUTH) : res);
      }),
      { numRuns: 400 },
    );
  });

  it("hostile headers (Idempotency-Key, x-request-id, authorization) on a valid create", async () => {
    const headers = fc.record(
      {
        "idempotency-key": headerValue,
        "x-request-id": headerValue,
        authorization: fc.oneof(
          headerValue,
          headerValue.map((v) => `Bearer ${v}`),
          fc.constant(AUTH.authorization),
        ),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(validCustomer("US"), headers, async (customer, extra) => {
        const body = Buffer.from(JSON.stringify(customerJson(customer.input)));
        const res = await send(
          "POST",
          "/v1/customers",
          { ...AUTH, "content-type": "application/json", ...extra },
          body,
        );
        expectRestAnswer(res);
      }),
      { numRuns: 150 },
    );
  });
});
