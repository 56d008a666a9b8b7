// The REST/JSON binding (/v1/...) over real HTTP/1.1: fetch (undici) against the real app, plus
// node:http for what fetch refuses to send (a body on GET). Covers the contract of DESIGN.md §2:
// every endpoint's success shape, 201 + Location, 204s, PUT vs PATCH, the validation rules with their
// fieldErrors, and the transport errors (401, 404, 405, 413, 415, malformed JSON, 500).
import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const GENERATED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const UNKNOWN_ID = "0190a0a0-0000-7000-8000-0000000000ff";
const AUTH = { authorization: `Bearer ${TEST_API_KEY}` };
const GENERIC_500 = "Internal error. Quote the request id when reporting it.";

/** A customer as the REST API returns it. */
type CustomerJson = Record<string, unknown> & { customerId: string; createdAt: string; updatedAt: string };

interface FieldErrorJson {
  field: string;
  code: string;
  message: string;
}

/** The REST error body of DESIGN.md §2. */
interface RestError {
  error: {
    code: number;
    status: string;
    message: string;
    requestId: string;
    fieldErrors: FieldErrorJson[];
    details: ({ "@type": string } & Record<string, unknown>)[];
  };
}

let server: TestServer;

interface CallInit {
  /** Sent as JSON with content-type application/json. */
  json?: unknown;
  /** Sent verbatim with content-type application/json (unless headers override it). */
  raw?: string;
  headers?: Record<string, string>;
  /** false: send no authorization header. */
  auth?: boolean;
}

/** One REST call over HTTP/1.1 with fetch; authorised with the test key unless `auth: false`. */
async function call(method: string, path: string, init: CallInit = {}): Promise<Response> {
  const headers: Record<string, string> = init.auth === false ? {} : { ...AUTH };
  let body: string | undefined;
  if (init.json !== undefined || init.raw !== undefined) {
    body = init.raw ?? JSON.stringify(init.json);
    headers["content-type"] = "application/json";
  }
  Object.assign(headers, init.headers);
  return fetch(`${server.baseUrl}${path}`, { method, headers, body });
}

/** A raw HTTP/1.1 exchange with node:http, for requests fetch will not send (a body on GET). */
function rawHttp1(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port: server.port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    // Without framing node:http would send a GET body as stray bytes after the request head.
    if (body !== undefined && headers["transfer-encoding"] === undefined) {
      req.setHeader("content-length", Buffer.byteLength(body));
    }
    if (body !== undefined) req.write(body);
    req.end();
  });
}

async function errorOf(res: Response): Promise<RestError> {
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return (await res.json()) as RestError;
}

function fieldErrorsOf(body: RestError): [string, string][] {
  return body.error.fieldErrors.map((e) => [e.field, e.code]);
}

function detailOf(body: RestError, type: string) {
  return body.error.details.find((d) => d["@type"] === `type.googleapis.com/google.rpc.${type}`);
}

/** Asserts a 400 INVALID_ARGUMENT whose fieldErrors are exactly `expected` ([field, code], in order). */
async function expectInvalid(res: Response, expected: [string, string][]): Promise<RestError> {
  expect(res.status).toBe(400);
  const body = await errorOf(res);
  expect(body.error.code).toBe(400);
  expect(body.error.status).toBe("INVALID_ARGUMENT");
  expect(fieldErrorsOf(body)).toEqual(expected);
  for (const fieldError of body.error.fieldErrors) expect(fieldError.message).toEqual(expect.any(String));
  expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  return body;
}

let counter = 0;
/** A valid create body with an email unique to this file's run. */
function newCustomer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return { firstName: "Grace", lastName: "Hopper", email: `rest.${counter}@example.com`, ...overrides };
}

async function create(customer: Record<string, unknown>): Promise<CustomerJson> {
  const res = await call("POST", "/v1/customers", { json: customer });
  expect(res.status).toBe(201);
  return (await res.json()) as CustomerJson;
}

async function get(customerId: string): Promise<CustomerJson> {
  const res = await call("GET", `/v1/customers/id/${customerId}`);
  expect(res.status).toBe(200);
  return (await res.json()) as CustomerJson;
}

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

describe("POST /v1/customers (create)", () => {
  it("answers 201 with Location and the created customer, unpopulated scalars included", async () => {
    const res = await call("POST", "/v1/customers", {
      json: {
        firstName: "  Ada ",
        lastName: "Lovelace",
        email: "ada.create@example.com",
        phone: "+1 (415) 555-2671",
        address: { line1: "1 Main St", city: "Springfield", country: "us" },
        preferredContactMethods: ["EMAIL", "PHONE"],
        marketingEmailOptIn: true,
      },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await res.json()) as CustomerJson;
    expect(body.customerId).toMatch(UUID_V7);
    expect(res.headers.get("location")).toBe(`/v1/customers/id/${body.customerId}`);
    expect(body.createdAt).toMatch(RFC3339_UTC);
    expect(body.updatedAt).toBe(body.createdAt);
    expect(body).toEqual({
      customerId: body.customerId,
      firstName: "Ada",
      lastName: "Lovelace",
      company: "",
      email: "ada.create@example.com",
      phone: "+14155552671",
      address: {
        line1: "1 Main St",
        line2: "",
        city: "Springfield",
        state: "",
        postalCode: "",
        country: "US",
      },
      preferredContactMethods: ["EMAIL", "PHONE"],
      marketingEmailOptIn: true,
      marketingSmsOptIn: false,
      createdAt: body.createdAt,
      updatedAt: body.updatedAt,
      etag: '"1"',
    });
  });

  it("serves the same customer at its Location", async () => {
    const res = await call("POST", "/v1/customers", { json: newCustomer({ company: "Navy" }) });
    expect(res.status).toBe(201);
    const created = (await res.json()) as CustomerJson;
    const location = res.headers.get("location");
    expect(location).toBeTruthy();
    const followed = await fetch(new URL(location as string, server.baseUrl), { headers: AUTH });
    expect(followed.status).toBe(200);
    expect(await followed.json()).toEqual(created);
  });

  it("creates once per ?requestId (AIP-155 retry returns the first customer)", async () => {
    const requestId = randomUUID();
    const body = newCustomer();
    const first = await call("POST", `/v1/customers?requestId=${requestId}`, { json: body });
    const again = await call("POST", `/v1/customers?request_id=${requestId}`, { json: body });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    const a = (await first.json()) as CustomerJson;
    const b = (await again.json()) as CustomerJson;
    expect(b).toEqual(a);
  });

  it("rejects a customerId in the create body with NOT_ALLOWED on customerId", async () => {
    const res = await call("POST", "/v1/customers", { json: newCustomer({ customerId: UNKNOWN_ID }) });
    await expectInvalid(res, [["customerId", "NOT_ALLOWED"]]);
  });

  it("rejects a requestId that is not 1-255 printable ASCII characters with INVALID_FORMAT on requestId", async () => {
    const res = await call("POST", `/v1/customers?requestId=${"k".repeat(256)}`, { json: newCustomer() });
    await expectInvalid(res, [["requestId", "INVALID_FORMAT"]]);
  });
});

describe("validation rules (400 with fieldErrors)", () => {
  const noContact = { email: "", phone: "" };
  it.each<[string, Record<string, unknown>, [string, string][]]>([
    ["firstName with a digit (J0hn)", { firstName: "J0hn" }, [["firstName", "INVALID_CHARACTERS"]]],
    ["firstName of one letter", { firstName: "J" }, [["firstName", "TOO_SHORT"]]],
    ["firstName of 51 letters", { firstName: "A".repeat(51) }, [["firstName", "TOO_LONG"]]],
    ["firstName with an emoji", { firstName: "Ann😀" }, [["firstName", "INVALID_CHARACTERS"]]],
    ["missing firstName", { firstName: undefined }, [["firstName", "REQUIRED"]]],
    ["blank lastName", { lastName: "   " }, [["lastName", "REQUIRED"]]],
    ["lastName with a digit", { lastName: "Hopper2" }, [["lastName", "INVALID_CHARACTERS"]]],
    ["lastName of 51 letters", { lastName: "b".repeat(51) }, [["lastName", "TOO_LONG"]]],
    ["company over 100 characters", { company: "c".repeat(101) }, [["company", "TOO_LONG"]]],
    ["email without @", { email: "grace.example.com" }, [["email", "INVALID_FORMAT"]]],
    ["email with a space", { email: "grace hopper@example.com" }, [["email", "INVALID_FORMAT"]]],
    ["email over 254 characters", { email: `${"e".repeat(250)}@x.io` }, [["email", "TOO_LONG"]]],
    ["phone that is no number", { phone: "12345" }, [["phone", "INVALID_FORMAT"]]],
    ["phone that is words", { phone: "not a phone" }, [["phone", "INVALID_FORMAT"]]],
    [
      "neither email nor phone",
      noContact,
      [
        ["email", "REQUIRED"],
        ["phone", "REQUIRED"],
      ],
    ],
    [
      "marketingEmailOptIn without email",
      { email: "", phone: "+14155552671", marketingEmailOptIn: true },
      [["email", "REQUIRED"]],
    ],
    ["marketingSmsOptIn without phone", { marketingSmsOptIn: true }, [["phone", "REQUIRED"]]],
    [
      "preferred EMAIL without email",
      { email: "", phone: "+14155552671", preferredContactMethods: ["EMAIL"] },
      [["email", "REQUIRED"]],
    ],
    ["preferred PHONE without phone", { preferredContactMethods: ["PHONE"] }, [["phone", "REQUIRED"]]],
    ["preferred SMS without phone", { preferredContactMethods: ["SMS"] }, [["phone", "REQUIRED"]]],
    [
      "a duplicate contact method",
      { phone: "+14155552671", preferredContactMethods: ["EMAIL", "EMAIL", "SMS"] },
      [["preferredContactMethods[1]", "DUPLICATE"]],
    ],
    [
      "CONTACT_METHOD_UNSPECIFIED",
      { preferredContactMethods: ["CONTACT_METHOD_UNSPECIFIED"] },
      [["preferredContactMethods[0]", "INVALID_FORMAT"]],
    ],
    [
      "an address without line1, city and country",
      { address: { line2: "Apt 4", postalCode: "12345" } },
      [
        ["address.line1", "REQUIRED"],
        ["address.city", "REQUIRED"],
        ["address.country", "REQUIRED"],
      ],
    ],
    [
      "a country that is no ISO 3166-1 alpha-2 code",
      { address: { line1: "1 Main St", city: "Springfield", country: "Atlantis" } },
      [["address.country", "INVALID_FORMAT"]],
    ],
    [
      "an alpha-3 country code",
      { address: { line1: "1 Main St", city: "Springfield", country: "USA" } },
      [["address.country", "INVALID_FORMAT"]],
    ],
    [
      "a postalCode over 20 characters",
      { address: { line1: "1 Main St", city: "Springfield", country: "US", postalCode: "9".repeat(21) } },
      [["address.postalCode", "TOO_LONG"]],
    ],
    [
      "an address line over 100 characters",
      { address: { line1: "l".repeat(101), city: "Springfield", country: "US" } },
      [["address.line1", "TOO_LONG"]],
    ],
  ])("rejects %s", async (_label, overrides, expected) => {
    const res = await call("POST", "/v1/customers", { json: newCustomer(overrides) });
    await expectInvalid(res, expected);
  });

  it("reports every broken rule at once, with the documented body and rich details", async () => {
    const requestId = `rest-invalid-${randomUUID()}`;
    const res = await call("POST", "/v1/customers", {
      json: {
        firstName: "J",
        lastName: "L4",
        email: "nope",
        address: { line1: "1 Main St", city: "Springfield", country: "US", postalCode: "9".repeat(21) },
        preferredContactMethods: ["SMS", "SMS"],
      },
      headers: { "x-request-id": requestId },
    });
    expect(res.headers.get("x-request-id")).toBe(requestId);
    const body = await expectInvalid(res, [
      ["firstName", "TOO_SHORT"],
      ["lastName", "INVALID_CHARACTERS"],
      ["email", "INVALID_FORMAT"],
      ["phone", "REQUIRED"],
      ["address.postalCode", "TOO_LONG"],
      ["preferredContactMethods[1]", "DUPLICATE"],
    ]);
    expect(body.error.message).toBe("6 fields are invalid.");
    expect(body.error.requestId).toBe(requestId);
    expect(body.error.fieldErrors[0]?.message).toBe("firstName must have 2 to 50 characters.");
    const badRequest = detailOf(body, "BadRequest") as { fieldViolations?: { reason: string }[] } | undefined;
    expect(badRequest?.fieldViolations?.map((v) => v.reason)).toEqual(
      body.error.fieldErrors.map((e) => e.code),
    );
    expect(detailOf(body, "ErrorInfo")).toMatchObject({ reason: "INVALID_INPUT", domain: "customer-api" });
    expect(detailOf(body, "RequestInfo")).toEqual({
      "@type": "type.googleapis.com/google.rpc.RequestInfo",
      requestId,
    });
  });

  it.each<[label: string, send: () => Promise<Response>, proto: string[], client: string[]]>([
    [
      "rule violations raised by the handler",
      () => call("POST", "/v1/customers", { json: newCustomer({ firstName: "A" }) }),
      ["customer.first_name"],
      ["firstName"],
    ],
    [
      "request-shape violations raised by the transcoder (body, path, query)",
      () =>
        call("PATCH", `/v1/customers/${UNKNOWN_ID}?customerId=x`, {
          json: { address: { postalCod: "1" }, marketingEmailOptin: true },
        }),
      ["customer_id", "customer.address.postalCod", "customer.marketingEmailOptin"],
      ["customerId", "address.postalCod", "marketingEmailOptin"],
    ],
  ])(
    "BadRequest.field is the proto path and fieldErrors[].field the client's spelling: %s",
    async (_l, send, proto, client) => {
      const body = (await (await send()).json()) as RestError;
      const badRequest = detailOf(body, "BadRequest") as unknown as { fieldViolations: { field: string }[] };
      expect(badRequest.fieldViolations.map((v) => v.field)).toEqual(proto);
      expect(body.error.fieldErrors.map((e) => e.field)).toEqual(client);
    },
  );

  it.each([
    ["a misspelt top-level field", { marketingEmailOptin: true }, "marketingEmailOptin"],
    [
      "an unknown address field",
      { address: { line1: "1 Main", city: "X", country: "US", zip: "1" } },
      "address.zip",
    ],
  ])("rejects %s with UNKNOWN_FIELD naming it", async (_label, extra, field) => {
    const res = await call("POST", "/v1/customers", { json: newCustomer(extra) });
    await expectInvalid(res, [[field, "UNKNOWN_FIELD"]]);
  });

  it("rejects an undeclared enum value as 400, never 500", async () => {
    const res = await call("POST", "/v1/customers", {
      json: newCustomer({ preferredContactMethods: ["FAX"] }),
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).error.status).toBe("INVALID_ARGUMENT");
  });
});

describe("malformed requests", () => {
  it.each([
    ["truncated JSON", '{"firstName": "Ada"'],
    ["not JSON at all", "hello"],
    ["a JSON array", "[]"],
    ["a JSON string", '"Ada"'],
    ["a wrong value type", '{"firstName": 42, "lastName": "Lovelace", "email": "a@b.co"}'],
  ])("answers %s with 400 INVALID_ARGUMENT", async (_label, raw) => {
    const res = await call("POST", "/v1/customers", { raw });
    expect(res.status).toBe(400);
    const body = await errorOf(res);
    expect(body.error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
    expect(body.error.message).toEqual(expect.any(String));
    expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  });

  it.each([
    ["text/plain", "text/plain"],
    ["form data", "application/x-www-form-urlencoded"],
    ["XML", "application/xml"],
  ])("answers a body sent as %s with 415", async (_label, contentType) => {
    const res = await call("POST", "/v1/customers", {
      raw: JSON.stringify(newCustomer()),
      headers: { "content-type": contentType },
    });
    expect(res.status).toBe(415);
    const body = await errorOf(res);
    expect(body.error.code).toBe(415);
    expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  });

  it("answers a body without any content-type with 415", async () => {
    const res = await rawHttp1("POST", "/v1/customers", { ...AUTH }, JSON.stringify(newCustomer()));
    expect(res.status).toBe(415);
    expect((JSON.parse(res.body) as RestError).error.requestId).toBe(res.headers["x-request-id"]);
  });

  it("answers a body over the limit (1 MiB) with 413", async () => {
    const res = await call("POST", "/v1/customers", {
      json: newCustomer({ company: "x".repeat(1024 * 1024 + 10) }),
    });
    expect(res.status).toBe(413);
    const body = await errorOf(res);
    expect(body.error.code).toBe(413);
    expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  });

  it.each([
    ["GetCustomer", `/v1/customers/id/${UNKNOWN_ID}`],
    ["SearchCustomers", "/v1/customers/search?email=a%40b.co"],
    ["SearchCustomersByAddress", "/v1/customers/by-address?city=Springfield"],
  ])("answers a GET with a body (%s) with 400", async (_label, path) => {
    const res = await rawHttp1("GET", path, { ...AUTH, "content-type": "application/json" }, '{"a":1}');
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body) as RestError;
    expect(body.error.status).toBe("INVALID_ARGUMENT");
    expect(body.error.requestId).toBe(res.headers["x-request-id"]);
  });

  it("answers a GET with a chunked body (no content-length) with 400 too", async () => {
    const res = await rawHttp1(
      "GET",
      `/v1/customers/id/${UNKNOWN_ID}`,
      { ...AUTH, "content-type": "application/json", "transfer-encoding": "chunked" },
      '{"a":1}',
    );
    expect(res.status).toBe(400);
  });
});

describe("credentials", () => {
  it.each([
    ["no authorization header", {}],
    ["a wrong key", { authorization: "Bearer wrong-key-0123456789abcdef" }],
    ["a non-Bearer scheme", { authorization: `Basic ${TEST_API_KEY}` }],
  ])("answers a call with %s with 401 and WWW-Authenticate: Bearer", async (_label, headers) => {
    for (const [method, path, json] of [
      ["GET", `/v1/customers/id/${UNKNOWN_ID}`, undefined],
      ["POST", "/v1/customers", newCustomer()],
      ["GET", "/v1/customers/search?email=a%40b.co", undefined],
    ] as const) {
      const res = await call(method, path, { auth: false, headers, json });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer\b/);
      const body = await errorOf(res);
      expect(body.error).toMatchObject({ code: 401, status: "UNAUTHENTICATED", fieldErrors: [] });
      expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
      expect(detailOf(body, "RequestInfo")).toMatchObject({ requestId: body.error.requestId });
    }
  });

  it("creates nothing for an unauthenticated create", async () => {
    const email = `unauth.${randomUUID()}@example.com`;
    const res = await call("POST", "/v1/customers", { auth: false, json: newCustomer({ email }) });
    expect(res.status).toBe(401);
    const search = await call("GET", `/v1/customers/search?email=${encodeURIComponent(email)}`);
    expect(search.status).toBe(204);
  });
});

describe("routing errors", () => {
  it.each([
    ["GET", "/v1/nothing-here"],
    ["GET", `/v1/customers/id/${UNKNOWN_ID}/extra`],
    ["GET", "/v1/customers/search/"],
    ["POST", "/v2/customers"],
  ])("answers %s %s with a 404 JSON error", async (method, path) => {
    const res = await call(method, path);
    expect(res.status).toBe(404);
    const body = await errorOf(res);
    expect(body.error).toMatchObject({ code: 404, status: "NOT_FOUND", fieldErrors: [] });
    expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  });

  it.each([
    ["DELETE", `/v1/customers/id/${UNKNOWN_ID}`, "GET"],
    ["POST", `/v1/customers/id/${UNKNOWN_ID}`, "GET"],
    ["GET", "/v1/customers", "POST"],
    ["PUT", "/v1/customers", "POST"],
    ["POST", `/v1/customers/${UNKNOWN_ID}`, "PATCH, PUT"],
    // {customerId} of PUT/PATCH /v1/customers/{customerId} matches "by-address" too.
    ["DELETE", "/v1/customers/by-address", "GET, PATCH, PUT"],
  ])("answers %s %s with 405 and Allow: %s", async (method, path, allow) => {
    const res = await call(method, path);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe(allow);
    const body = await errorOf(res);
    expect(body.error.code).toBe(405);
    expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  });
});

describe("GET /v1/customers/id/{customerId}", () => {
  it("answers 200 with the whole customer", async () => {
    const created = await create(
      newCustomer({
        phone: "+442079460958",
        address: { line1: "10 Downing St", city: "London", country: "GB" },
      }),
    );
    const fetched = await get(created.customerId);
    expect(fetched).toEqual(created);
    expect(fetched).toMatchObject({ phone: "+442079460958", company: "", marketingSmsOptIn: false });
  });

  it("answers an unknown id with 204 and an empty body", async () => {
    const res = await call("GET", `/v1/customers/id/${UNKNOWN_ID}`);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it.each([["not-a-uuid"], ["12345"], ["0190a0a0-0000-7000-8000-00000000000"]])(
    "answers a malformed id (%s) with 400 INVALID_FORMAT on customerId",
    async (id) => {
      const res = await call("GET", `/v1/customers/id/${id}`);
      await expectInvalid(res, [["customerId", "INVALID_FORMAT"]]);
    },
  );

  it("rejects an unknown query parameter with UNKNOWN_FIELD naming it", async () => {
    const res = await call("GET", `/v1/customers/id/${UNKNOWN_ID}?verbose=true`);
    await expectInvalid(res, [["verbose", "UNKNOWN_FIELD"]]);
  });
});

describe("PUT and PATCH /v1/customers/{customerId}", () => {
  const full = () =>
    newCustomer({
      company: "Remington Rand",
      phone: "+14155552672",
      address: { line1: "1 Main St", line2: "Floor 2", city: "Philadelphia", state: "PA", country: "US" },
      preferredContactMethods: ["EMAIL", "SMS"],
      marketingSmsOptIn: true,
    });

  it("PUT replaces the whole record: fields left out are cleared", async () => {
    const created = await create(full());
    const res = await call("PUT", `/v1/customers/${created.customerId}`, {
      json: { firstName: "Grace", lastName: "Murray", email: "grace.murray@example.com" },
    });
    expect(res.status).toBe(200);
    const updated = (await res.json()) as CustomerJson;
    expect(updated).toEqual({
      customerId: created.customerId,
      firstName: "Grace",
      lastName: "Murray",
      company: "",
      email: "grace.murray@example.com",
      phone: "",
      preferredContactMethods: [],
      marketingEmailOptIn: false,
      marketingSmsOptIn: false,
      createdAt: created.createdAt,
      updatedAt: updated.updatedAt,
      etag: '"2"',
    });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
    expect(await get(created.customerId)).toEqual(updated);
  });

  it("PUT validates the replacement as a whole", async () => {
    const created = await create(full());
    const res = await call("PUT", `/v1/customers/${created.customerId}`, {
      json: { firstName: "Grace", lastName: "Murray", email: "gm@example.com", marketingSmsOptIn: true },
    });
    await expectInvalid(res, [["phone", "REQUIRED"]]);
    expect(await get(created.customerId)).toEqual(created);
  });

  it("PATCH writes only the keys sent", async () => {
    const created = await create(full());
    const res = await call("PATCH", `/v1/customers/${created.customerId}`, {
      json: { company: "UNIVAC", marketingEmailOptIn: true },
    });
    expect(res.status).toBe(200);
    const updated = (await res.json()) as CustomerJson;
    expect(updated).toEqual({
      ...created,
      company: "UNIVAC",
      marketingEmailOptIn: true,
      updatedAt: updated.updatedAt,
      etag: '"2"',
    });
    expect(await get(created.customerId)).toEqual(updated);
  });

  it("PATCH with a nested key writes only that address part", async () => {
    const created = await create(full());
    const res = await call("PATCH", `/v1/customers/${created.customerId}`, {
      json: { address: { city: "Arlington" } },
    });
    expect(res.status).toBe(200);
    const updated = (await res.json()) as CustomerJson;
    expect(updated.address).toEqual({
      ...(created.address as Record<string, unknown>),
      city: "Arlington",
    });
    expect({ ...updated, address: null, updatedAt: null }).toEqual({
      ...created,
      address: null,
      updatedAt: null,
      etag: '"2"',
    });
  });

  it("PATCH with an explicit empty value clears that field only", async () => {
    const created = await create(full());
    const updated = await call("PATCH", `/v1/customers/${created.customerId}`, { json: { company: "" } });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ company: "", phone: created.phone, email: created.email });
  });

  it.each([["updateMask"], ["update_mask"]])(
    "PATCH with an explicit ?%s=company writes only company, whatever else the body holds",
    async (param) => {
      const created = await create(full());
      const res = await call("PATCH", `/v1/customers/${created.customerId}?${param}=company`, {
        json: { company: "Eckert-Mauchly", firstName: "Zed", email: "" },
      });
      expect(res.status).toBe(200);
      const updated = (await res.json()) as CustomerJson;
      expect(updated).toEqual({
        ...created,
        company: "Eckert-Mauchly",
        updatedAt: updated.updatedAt,
        etag: '"2"',
      });
    },
  );

  it("PATCH validates the merged record (clearing the phone while SMS is opted in)", async () => {
    const created = await create(full());
    const res = await call("PATCH", `/v1/customers/${created.customerId}`, { json: { phone: "" } });
    await expectInvalid(res, [["phone", "REQUIRED"]]);
    expect(await get(created.customerId)).toEqual(created);
  });

  it("PATCH of an address part on a customer without address reports the missing parts", async () => {
    const created = await create(newCustomer());
    const res = await call("PATCH", `/v1/customers/${created.customerId}`, {
      json: { address: { city: "Arlington" } },
    });
    await expectInvalid(res, [
      ["address.line1", "REQUIRED"],
      ["address.country", "REQUIRED"],
    ]);
  });

  it("PATCH reports invalid values with their JSON names", async () => {
    const created = await create(newCustomer());
    const res = await call("PATCH", `/v1/customers/${created.customerId}`, {
      json: {
        firstName: "J0hn",
        address: { line1: "1 Main St", city: "X", country: "US", postalCode: "9".repeat(21) },
      },
    });
    await expectInvalid(res, [
      ["firstName", "INVALID_CHARACTERS"],
      ["address.postalCode", "TOO_LONG"],
    ]);
  });

  it.each([["PUT"], ["PATCH"]])("%s of an unknown id answers 400 NOT_FOUND on customerId", async (method) => {
    const res = await call(method, `/v1/customers/${UNKNOWN_ID}`, { json: newCustomer() });
    await expectInvalid(res, [["customerId", "NOT_FOUND"]]);
  });

  it.each([["PUT"], ["PATCH"]])(
    "%s of a malformed id answers 400 INVALID_FORMAT on customerId",
    async (method) => {
      const res = await call(method, "/v1/customers/not-a-uuid", { json: newCustomer() });
      await expectInvalid(res, [["customerId", "INVALID_FORMAT"]]);
    },
  );

  it("PATCH with a different customerId in the body is NOT_ALLOWED", async () => {
    const created = await create(newCustomer());
    const res = await call("PATCH", `/v1/customers/${created.customerId}`, {
      json: { customerId: UNKNOWN_ID, company: "X" },
    });
    await expectInvalid(res, [["customerId", "NOT_ALLOWED"]]);
  });

  it("PATCH rejects an unknown JSON field and an unknown updateMask path", async () => {
    const created = await create(newCustomer());
    const unknownField = await call("PATCH", `/v1/customers/${created.customerId}`, {
      json: { marketingEmailOptin: true },
    });
    await expectInvalid(unknownField, [["marketingEmailOptin", "UNKNOWN_FIELD"]]);
    const unknownPath = await call("PATCH", `/v1/customers/${created.customerId}?updateMask=nickname`, {
      json: { company: "X" },
    });
    await expectInvalid(unknownPath, [["updateMask", "UNKNOWN_FIELD"]]);
    expect(await get(created.customerId)).toEqual(created);
  });
});

describe("GET /v1/customers/search", () => {
  let ada: CustomerJson;
  let adelaide: CustomerJson;
  let bob: CustomerJson;

  beforeAll(async () => {
    ada = await create(newCustomer({ firstName: "Quillada", email: "Quill.Ada@Example.com" }));
    adelaide = await create(newCustomer({ firstName: "quillaine", phone: "+14155552673", email: "" }));
    bob = await create(newCustomer({ firstName: "Robert", email: "quill.bob@example.com" }));
  });

  it("finds by email, case-insensitively: 200 with customers and an empty nextPageToken", async () => {
    const res = await call("GET", "/v1/customers/search?email=QUILL.ADA%40EXAMPLE.COM");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ customers: [ada], nextPageToken: "" });
  });

  it("finds by phone in national format after E.164 normalisation", async () => {
    const res = await call("GET", `/v1/customers/search?phone=${encodeURIComponent("(415) 555-2673")}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { customers: CustomerJson[] }).customers).toEqual([adelaide]);
  });

  it.each([["firstName"], ["first_name"]])(
    "finds by first-name prefix, case-insensitively (?%s=)",
    async (param) => {
      const res = await call("GET", `/v1/customers/search?${param}=QUILLA`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { customers: CustomerJson[]; nextPageToken: string };
      expect(body.customers.map((c) => c.customerId)).toEqual([ada.customerId, adelaide.customerId]);
    },
  );

  it("returns customers matching ANY of the criteria", async () => {
    const res = await call(
      "GET",
      "/v1/customers/search?firstName=quillai&email=quill.bob%40example.com&phone=%2B14155552699",
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { customers: CustomerJson[] };
    expect(body.customers.map((c) => c.customerId)).toEqual([adelaide.customerId, bob.customerId]);
  });

  it("answers no results with 204 and an empty body", async () => {
    const res = await call("GET", "/v1/customers/search?email=nobody%40example.com");
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
  });

  it.each([
    ["no parameters", ""],
    ["only a page size", "?pageSize=5"],
    ["blank values", "?email=%20&firstName="],
  ])("needs at least one of phone, email, firstName (%s)", async (_label, query) => {
    const res = await call("GET", `/v1/customers/search${query}`);
    await expectInvalid(res, [
      ["phone", "REQUIRED"],
      ["email", "REQUIRED"],
      ["firstName", "REQUIRED"],
    ]);
  });

  it.each<[string, string, [string, string][]]>([
    ["an unknown parameter", "email=a%40b.co&colour=blue", [["colour", "UNKNOWN_FIELD"]]],
    ["a negative pageSize", "email=a%40b.co&pageSize=-1", [["pageSize", "OUT_OF_RANGE"]]],
    ["a non-numeric pageSize", "email=a%40b.co&pageSize=abc", [["pageSize", "INVALID_FORMAT"]]],
    ["a fractional pageSize", "email=a%40b.co&pageSize=1.5", [["pageSize", "INVALID_FORMAT"]]],
    ["a pageSize beyond int32", "email=a%40b.co&pageSize=4294967296", [["pageSize", "OUT_OF_RANGE"]]],
    ["a repeated pageSize", "email=a%40b.co&pageSize=1&pageSize=2", [["pageSize", "DUPLICATE"]]],
    ["an unparsable phone", "phone=not-a-phone", [["phone", "INVALID_FORMAT"]]],
    ["a forged pageToken", "email=a%40b.co&pageToken=forged.token", [["pageToken", "INVALID_FORMAT"]]],
  ])("rejects %s with 400", async (_label, query, expected) => {
    const res = await call("GET", `/v1/customers/search?${query}`);
    await expectInvalid(res, expected);
  });

  it("rejects the same field given by its proto and JSON names", async () => {
    const res = await call("GET", "/v1/customers/search?email=a%40b.co&page_size=1&pageSize=2");
    expect(res.status).toBe(400);
    const body = await errorOf(res);
    expect(body.error.fieldErrors).toHaveLength(1);
    expect(body.error.fieldErrors[0]?.code).toBe("DUPLICATE");
  });

  it("caps a pageSize over 200 instead of rejecting it", async () => {
    const res = await call("GET", "/v1/customers/search?firstName=quilla&pageSize=1000");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { customers: unknown[] }).customers).toHaveLength(2);
  });
});

describe("search pagination", () => {
  const ids: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 7; i++) {
      const created = await create(newCustomer({ firstName: `Paginata ${"abcdefg"[i]}` }));
      ids.push(created.customerId);
    }
  });

  it.each([
    ["pageSize", "pageToken"],
    ["page_size", "page_token"],
  ])(
    "walks every page via nextPageToken with no duplicates or gaps (?%s, ?%s)",
    async (sizeParam, tokenParam) => {
      const seen: string[] = [];
      const pageSizes: number[] = [];
      let token = "";
      for (let page = 0; page < 10; page++) {
        const query = new URLSearchParams({ firstName: "paginata", [sizeParam]: "3" });
        if (token) query.set(tokenParam, token);
        const res = await call("GET", `/v1/customers/search?${query}`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { customers: CustomerJson[]; nextPageToken: string };
        pageSizes.push(body.customers.length);
        seen.push(...body.customers.map((c) => c.customerId));
        token = body.nextPageToken;
        if (!token) break;
      }
      expect(pageSizes).toEqual([3, 3, 1]);
      expect(seen).toEqual(ids);
      expect(new Set(seen).size).toBe(ids.length);
    },
  );

  it("rejects a tampered token and a token from another search", async () => {
    const first = await call("GET", "/v1/customers/search?firstName=paginata&pageSize=2");
    const { nextPageToken } = (await first.json()) as { nextPageToken: string };
    expect(nextPageToken).not.toBe("");

    const tampered = `${nextPageToken.slice(0, -2)}${nextPageToken.endsWith("AA") ? "BB" : "AA"}`;
    const forged = await call(
      "GET",
      `/v1/customers/search?firstName=paginata&pageSize=2&pageToken=${encodeURIComponent(tampered)}`,
    );
    await expectInvalid(forged, [["pageToken", "INVALID_FORMAT"]]);

    const otherSearch = await call(
      "GET",
      `/v1/customers/search?firstName=pag&pageSize=2&pageToken=${encodeURIComponent(nextPageToken)}`,
    );
    await expectInvalid(otherSearch, [["pageToken", "INVALID_FORMAT"]]);
  });
});

describe("GET /v1/customers/by-address", () => {
  let springfield: CustomerJson;
  let shelbyville: CustomerJson;

  beforeAll(async () => {
    springfield = await create(
      newCustomer({
        address: {
          line1: "742  Evergreen   Terrace",
          city: "Springfield",
          state: "OR",
          postalCode: "97403",
          country: "US",
        },
      }),
    );
    shelbyville = await create(
      newCustomer({
        address: { line1: "742 Evergreen Terrace", line2: "Rear", city: "Shelbyville", country: "US" },
      }),
    );
  });

  it("matches ALL given fields, case-insensitively with whitespace collapsed", async () => {
    const query = new URLSearchParams({ line1: " 742 EVERGREEN terrace ", city: "springfield" });
    const res = await call("GET", `/v1/customers/by-address?${query}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ customers: [springfield], nextPageToken: "" });
  });

  it("returns every customer matching all of fewer fields", async () => {
    const res = await call("GET", "/v1/customers/by-address?line1=742%20evergreen%20terrace&country=us");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { customers: CustomerJson[] };
    expect(body.customers.map((c) => c.customerId)).toEqual([springfield.customerId, shelbyville.customerId]);
  });

  it.each([["postalCode"], ["postal_code"]])("accepts ?%s=", async (param) => {
    const res = await call("GET", `/v1/customers/by-address?${param}=97403&state=or`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { customers: CustomerJson[] }).customers).toEqual([springfield]);
  });

  it("answers no match with 204 and an empty body", async () => {
    const res = await call(
      "GET",
      "/v1/customers/by-address?line1=742%20Evergreen%20Terrace&city=Capital%20City",
    );
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
  });

  it("needs at least one address field", async () => {
    const res = await call("GET", "/v1/customers/by-address");
    await expectInvalid(res, [
      ["line1", "REQUIRED"],
      ["line2", "REQUIRED"],
      ["city", "REQUIRED"],
      ["state", "REQUIRED"],
      ["postalCode", "REQUIRED"],
      ["country", "REQUIRED"],
    ]);
  });

  it.each<[string, string, [string, string][]]>([
    ["an unknown parameter", "city=Springfield&zip=97403", [["zip", "UNKNOWN_FIELD"]]],
    ["a negative pageSize", "city=Springfield&pageSize=-1", [["pageSize", "OUT_OF_RANGE"]]],
    ["a forged pageToken", "city=Springfield&pageToken=abc.def", [["pageToken", "INVALID_FORMAT"]]],
  ])("rejects %s with 400", async (_label, query, expected) => {
    await expectInvalid(await call("GET", `/v1/customers/by-address?${query}`), expected);
  });
});

describe("text whose lower-case form is longer than the text", () => {
  // "İ" (U+0130) lower-cases to two code points ("i" + U+0307), so search keys of fields at their
  // maximum length are twice as long as the values: they must still be stored and found, not a 500.
  const DOTTED_I = "\u0130";
  const name = DOTTED_I.repeat(50);
  const text100 = DOTTED_I.repeat(100);
  let created: CustomerJson;

  beforeAll(async () => {
    created = await create(
      newCustomer({
        firstName: name,
        lastName: name,
        company: text100,
        address: { line1: text100, line2: text100, city: text100, state: text100, country: "tr" },
      }),
    );
  });

  it("creates the customer (201) with the values as sent", async () => {
    expect(created).toMatchObject({
      firstName: name,
      lastName: name,
      company: text100,
      address: {
        line1: text100,
        line2: text100,
        city: text100,
        state: text100,
        postalCode: "",
        country: "TR",
      },
    });
    expect(await get(created.customerId)).toEqual(created);
  });

  it("rejects one character more as TOO_LONG, not as a server error", async () => {
    const res = await call("POST", "/v1/customers", {
      json: newCustomer({
        firstName: `${name}${DOTTED_I}`,
        address: { line1: `${text100}${DOTTED_I}`, city: text100, country: "TR" },
      }),
    });
    await expectInvalid(res, [
      ["firstName", "TOO_LONG"],
      ["address.line1", "TOO_LONG"],
    ]);
  });

  it.each([
    ["a prefix", DOTTED_I.repeat(3)],
    ["the whole name", name],
    ["the lower-case form of a prefix", "i\u0307i\u0307"],
    ["the decomposed form of the whole name", "I\u0307".repeat(50)],
  ])("is found by first-name search with %s", async (_label, firstName) => {
    const res = await call("GET", `/v1/customers/search?${new URLSearchParams({ firstName })}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ customers: [created], nextPageToken: "" });
  });

  it("is found by address search on line1 and city at their maximum length", async () => {
    const query = new URLSearchParams({ line1: text100, city: text100.toLowerCase(), country: "TR" });
    const res = await call("GET", `/v1/customers/by-address?${query}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ customers: [created], nextPageToken: "" });
  });

  it("is found by address search on every text field", async () => {
    const query = new URLSearchParams({ line1: text100, line2: text100, city: text100, state: text100 });
    const res = await call("GET", `/v1/customers/by-address?${query}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ customers: [created], nextPageToken: "" });
  });

  it("can be updated to other such values and found by them", async () => {
    const other = `${DOTTED_I.repeat(99)}I`;
    const res = await call("PATCH", `/v1/customers/${created.customerId}`, {
      json: { address: { line1: text100, city: other, country: "TR" } },
    });
    expect(res.status).toBe(200);
    const updated = (await res.json()) as CustomerJson;
    expect(updated.address).toMatchObject({ line1: text100, city: other });
    const found = await call("GET", `/v1/customers/by-address?${new URLSearchParams({ city: other })}`);
    expect(found.status).toBe(200);
    expect(((await found.json()) as { customers: CustomerJson[] }).customers).toEqual([updated]);
    created = updated;
  });
});

describe("x-request-id", () => {
  it("is on every kind of response, echoed when valid", async () => {
    const requestId = "rest-http1:echo.1";
    const headers = { "x-request-id": requestId };
    const responses = [
      await call("POST", "/v1/customers", { json: newCustomer(), headers }), // 201
      await call("GET", `/v1/customers/id/${UNKNOWN_ID}`, { headers }), // 204
      await call("GET", "/v1/customers/search?email=nobody%40example.com", { headers }), // 204
      await call("GET", "/v1/customers/id/nope", { headers }), // 400
      await call("GET", `/v1/customers/id/${UNKNOWN_ID}`, { headers, auth: false }), // 401
      await call("GET", "/v1/nope", { headers }), // 404
      await call("DELETE", "/v1/customers", { headers }), // 405
      await call("POST", "/v1/customers", {
        raw: "x",
        headers: { ...headers, "content-type": "text/plain" },
      }), // 415
    ];
    expect(responses.map((r) => r.status)).toEqual([201, 204, 204, 400, 401, 404, 405, 415]);
    for (const res of responses) {
      expect(res.headers.get("x-request-id")).toBe(requestId);
      if (res.status >= 400) expect((await errorOf(res)).error.requestId).toBe(requestId);
    }
  });

  it("replaces an invalid id with a generated one, used in the error body too", async () => {
    const res = await call("GET", "/v1/customers/id/nope", { headers: { "x-request-id": "has spaces" } });
    expect(res.status).toBe(400);
    const generated = res.headers.get("x-request-id");
    expect(generated).toMatch(GENERATED_ID);
    expect((await errorOf(res)).error.requestId).toBe(generated);
  });
});

describe("500 internal error", () => {
  it.each<[string, string, string, unknown]>([
    ["GetCustomer", "GET", `/v1/customers/id/${UNKNOWN_ID}`, undefined],
    [
      "CreateCustomer",
      "POST",
      "/v1/customers",
      { firstName: "Edsger", lastName: "Dijkstra", email: "ed@example.com" },
    ],
    ["SearchCustomers", "GET", "/v1/customers/search?email=ed%40example.com", undefined],
  ])("answers a database failure in %s with 500 and nothing internal", async (_label, method, path, json) => {
    const requestId = `rest-500-${randomUUID()}`;
    await server.db.knex.raw("alter table customers rename to customers_gone");
    let res: Response;
    try {
      res = await call(method, path, { json, headers: { "x-request-id": requestId } });
    } finally {
      await server.db.knex.raw("alter table customers_gone rename to customers");
    }
    expect(res.status).toBe(500);
    expect(res.headers.get("x-request-id")).toBe(requestId);
    const text = await res.text();
    const body = JSON.parse(text) as RestError;
    expect(body.error).toMatchObject({
      code: 500,
      status: "INTERNAL",
      message: GENERIC_500,
      requestId,
      fieldErrors: [],
    });
    for (const leak of [
      "customers_gone",
      "relation",
      "select",
      "insert",
      "stack",
      "node_modules",
      ".ts:",
      "    at ",
    ]) {
      expect(text.toLowerCase()).not.toContain(leak);
    }
    expect(text).not.toMatch(/\bcustomers\b/);
    // The service works again once the table is back.
    expect((await call("GET", `/v1/customers/id/${UNKNOWN_ID}`)).status).toBe(204);
  });
});
