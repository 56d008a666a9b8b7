// The REST/JSON binding (/v1/...) over HTTP/2 cleartext with prior knowledge (node:http2 connect to
// http://, no upgrade), on the same port as HTTP/1.1: the success shapes, 204s and the error bodies
// must be the same as over HTTP/1.1 (rest-http1.test.ts).
import { randomUUID } from "node:crypto";
import { type ClientHttp2Session, connect, type IncomingHttpHeaders } from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const GENERATED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNKNOWN_ID = "0190a0a0-0000-7000-8000-0000000000ff";
const AUTH = { authorization: `Bearer ${TEST_API_KEY}` };

type CustomerJson = Record<string, unknown> & { customerId: string; createdAt: string; updatedAt: string };

interface RestError {
  error: {
    code: number;
    status: string;
    message: string;
    requestId: string;
    fieldErrors: { field: string; code: string; message: string }[];
    details: ({ "@type": string } & Record<string, unknown>)[];
  };
}

/** One HTTP/2 exchange: the :status, the response headers and the body as text. */
interface H2Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface H2Init {
  /** Sent as JSON with content-type application/json and content-length. */
  json?: unknown;
  /** Sent verbatim; headers (content-type, content-length) are the caller's. */
  raw?: string;
  headers?: Record<string, string>;
  /** false: send no authorization header. */
  auth?: boolean;
}

let server: TestServer;
let session: ClientHttp2Session;

/** Sends one request on the shared h2c session and collects the whole response. */
function h2(method: string, path: string, init: H2Init = {}): Promise<H2Response> {
  const headers: Record<string, string> = {
    ":method": method,
    ":path": path,
    ...(init.auth === false ? {} : AUTH),
  };
  let body = init.raw;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  Object.assign(headers, init.headers);
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined });
    let responseHeaders: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => {
      responseHeaders = h;
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () =>
      resolve({
        status: Number(responseHeaders[":status"]),
        headers: responseHeaders,
        body: Buffer.concat(chunks).toString("utf8"),
      }),
    );
    stream.on("error", reject);
    if (body !== undefined) stream.end(body);
  });
}

function errorOf(res: H2Response): RestError {
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as RestError;
  expect(body.error.requestId).toBe(res.headers["x-request-id"]);
  return body;
}

let counter = 0;
function newCustomer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return { firstName: "Barbara", lastName: "Liskov", email: `h2c.${counter}@example.com`, ...overrides };
}

beforeAll(async () => {
  server = await startTestServer();
  session = connect(server.baseUrl);
  await new Promise<void>((resolve, reject) => {
    session.once("connect", () => resolve());
    session.once("error", reject);
  });
});

afterAll(async () => {
  if (session && !session.closed) await new Promise<void>((resolve) => session.close(() => resolve()));
  await server?.close();
});

describe("REST over h2c (prior knowledge)", () => {
  it("talks HTTP/2 without TLS on the shared port", () => {
    expect(session.alpnProtocol).toBe("h2c");
    expect(session.encrypted).toBe(false);
  });

  it("creates a customer: 201, Location, and the customer at that Location", async () => {
    const res = await h2("POST", "/v1/customers", {
      json: newCustomer({
        phone: "+1 415 555 2671",
        address: { line1: "32 Vassar St", city: "Cambridge", state: "MA", country: "us" },
        preferredContactMethods: ["SMS"],
        marketingSmsOptIn: true,
      }),
    });
    expect(res.status).toBe(201);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const created = JSON.parse(res.body) as CustomerJson;
    expect(created.customerId).toMatch(UUID_V7);
    expect(res.headers.location).toBe(`/v1/customers/id/${created.customerId}`);
    expect(created).toMatchObject({
      firstName: "Barbara",
      company: "",
      phone: "+14155552671",
      address: {
        line1: "32 Vassar St",
        line2: "",
        city: "Cambridge",
        state: "MA",
        postalCode: "",
        country: "US",
      },
      preferredContactMethods: ["SMS"],
      marketingEmailOptIn: false,
      marketingSmsOptIn: true,
    });

    const fetched = await h2("GET", res.headers.location as string);
    expect(fetched.status).toBe(200);
    expect(JSON.parse(fetched.body)).toEqual(created);
  });

  it("updates with PATCH (only the keys sent) and PUT (full replacement)", async () => {
    const created = JSON.parse(
      (await h2("POST", "/v1/customers", { json: newCustomer({ company: "MIT", phone: "+14155552672" }) }))
        .body,
    ) as CustomerJson;
    const patched = await h2("PATCH", `/v1/customers/${created.customerId}`, { json: { company: "CLU" } });
    expect(patched.status).toBe(200);
    const afterPatch = JSON.parse(patched.body) as CustomerJson;
    expect(afterPatch).toEqual({ ...created, company: "CLU", updatedAt: afterPatch.updatedAt, etag: '"2"' });

    const put = await h2("PUT", `/v1/customers/${created.customerId}`, {
      json: { firstName: "Barbara", lastName: "Liskov", email: created.email },
    });
    expect(put.status).toBe(200);
    expect(JSON.parse(put.body)).toMatchObject({ company: "", phone: "", email: created.email });
  });

  it.each([
    ["an unknown customer id", `/v1/customers/id/${UNKNOWN_ID}`],
    ["a search without results", "/v1/customers/search?email=nobody%40example.com"],
    ["an address search without results", "/v1/customers/by-address?city=Nowhere"],
  ])("answers %s with 204 and no body", async (_label, path) => {
    const res = await h2("GET", path);
    expect(res.status).toBe(204);
    expect(res.body).toBe("");
    expect(res.headers["x-request-id"]).toBeTruthy();
  });

  it("answers invalid input with 400 and fieldErrors named as the client sent them", async () => {
    const res = await h2("POST", "/v1/customers", {
      json: newCustomer({
        firstName: "J0hn",
        address: { line1: "1 Main St", city: "X", country: "US", postalCode: "9".repeat(21) },
        preferredContactMethods: ["EMAIL", "EMAIL"],
      }),
    });
    expect(res.status).toBe(400);
    const body = errorOf(res);
    expect(body.error).toMatchObject({
      code: 400,
      status: "INVALID_ARGUMENT",
      message: "3 fields are invalid.",
    });
    expect(body.error.fieldErrors.map((e) => [e.field, e.code])).toEqual([
      ["firstName", "INVALID_CHARACTERS"],
      ["address.postalCode", "TOO_LONG"],
      ["preferredContactMethods[1]", "DUPLICATE"],
    ]);
    expect(body.error.details.map((d) => d["@type"])).toEqual([
      "type.googleapis.com/google.rpc.BadRequest",
      "type.googleapis.com/google.rpc.ErrorInfo",
      "type.googleapis.com/google.rpc.RequestInfo",
    ]);
  });

  it.each<[string, string, [string, string][]]>([
    [
      "an unknown query parameter",
      "/v1/customers/search?email=a%40b.co&sort=asc",
      [["sort", "UNKNOWN_FIELD"]],
    ],
    [
      "a negative pageSize",
      "/v1/customers/search?email=a%40b.co&pageSize=-1",
      [["pageSize", "OUT_OF_RANGE"]],
    ],
    ["a malformed customer id", "/v1/customers/id/nope", [["customerId", "INVALID_FORMAT"]]],
  ])("answers %s with 400 and its fieldErrors", async (_label, path, expected) => {
    const res = await h2("GET", path);
    expect(res.status).toBe(400);
    expect(errorOf(res).error.fieldErrors.map((e) => [e.field, e.code])).toEqual(expected);
  });

  it("answers an unknown JSON field with 400 UNKNOWN_FIELD", async () => {
    const res = await h2("POST", "/v1/customers", { json: newCustomer({ marketingEmailOptin: true }) });
    expect(res.status).toBe(400);
    expect(errorOf(res).error.fieldErrors.map((e) => [e.field, e.code])).toEqual([
      ["marketingEmailOptin", "UNKNOWN_FIELD"],
    ]);
  });

  it("answers malformed JSON with 400 and a non-JSON media type with 415", async () => {
    const malformed = await h2("POST", "/v1/customers", {
      raw: '{"firstName": ',
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed).error.status).toBe("INVALID_ARGUMENT");
    const plain = await h2("POST", "/v1/customers", {
      raw: JSON.stringify(newCustomer()),
      headers: { "content-type": "text/plain" },
    });
    expect(plain.status).toBe(415);
    expect(errorOf(plain).error.code).toBe(415);
  });

  it.each([
    ["with content-length", true],
    ["without content-length", false],
  ])("answers a body without content-type (%s) with 415, like HTTP/1.1", async (_label, withLength) => {
    const raw = JSON.stringify(newCustomer());
    const res = await h2("POST", "/v1/customers", {
      raw,
      headers: withLength ? { "content-length": String(Buffer.byteLength(raw)) } : {},
    });
    expect(res.status).toBe(415);
    expect(errorOf(res).error.code).toBe(415);
  });

  it("never answers a PATCH whose body it did not read with 200 (no content-type, no content-length)", async () => {
    const created = JSON.parse(
      (await h2("POST", "/v1/customers", { json: newCustomer({ company: "Kept" }) })).body,
    ) as CustomerJson;
    const res = await h2("PATCH", `/v1/customers/${created.customerId}`, {
      raw: JSON.stringify({ company: "Lost" }),
    });
    expect(res.status).toBe(415);
    const after = await h2("GET", `/v1/customers/id/${created.customerId}`);
    expect(JSON.parse(after.body)).toEqual(created);
  });

  it("answers a body over the limit (1 MiB) with 413", async () => {
    const res = await h2("POST", "/v1/customers", {
      json: newCustomer({ company: "x".repeat(1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(errorOf(res).error.code).toBe(413);
  });

  it.each([
    ["with content-length", true],
    ["without content-length (the usual HTTP/2 framing)", false],
  ])("answers a GET with a body %s with 400", async (_label, withLength) => {
    const raw = '{"customerId":"x"}';
    const res = await h2("GET", `/v1/customers/id/${UNKNOWN_ID}`, {
      raw,
      headers: {
        "content-type": "application/json",
        ...(withLength ? { "content-length": String(raw.length) } : {}),
      },
    });
    expect(res.status).toBe(400);
    expect(errorOf(res).error.status).toBe("INVALID_ARGUMENT");
  });

  it.each([
    ["no authorization header", {}],
    ["a wrong key", { authorization: "Bearer wrong-key-0123456789abcdef" }],
  ])("answers a call with %s with 401 and WWW-Authenticate", async (_label, headers) => {
    const res = await h2("GET", `/v1/customers/id/${UNKNOWN_ID}`, { auth: false, headers });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer\b/);
    expect(errorOf(res).error).toMatchObject({ code: 401, status: "UNAUTHENTICATED", fieldErrors: [] });
  });

  it("answers an unknown path with a 404 JSON error", async () => {
    const res = await h2("GET", "/v1/no-such-thing");
    expect(res.status).toBe(404);
    expect(errorOf(res).error).toMatchObject({ code: 404, status: "NOT_FOUND" });
  });

  it.each([
    ["DELETE", `/v1/customers/id/${UNKNOWN_ID}`, "GET"],
    ["GET", "/v1/customers", "POST"],
    ["POST", `/v1/customers/${UNKNOWN_ID}`, "PATCH, PUT"],
  ])("answers %s %s with 405 and allow: %s", async (method, path, allow) => {
    const res = await h2(method, path);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(errorOf(res).error.code).toBe(405);
  });

  it("echoes a valid x-request-id on success and error, and generates one otherwise", async () => {
    const requestId = `h2c-${randomUUID()}`;
    const ok = await h2("POST", "/v1/customers", {
      json: newCustomer(),
      headers: { "x-request-id": requestId },
    });
    expect(ok.status).toBe(201);
    expect(ok.headers["x-request-id"]).toBe(requestId);
    const failed = await h2("GET", "/v1/customers/id/nope", { headers: { "x-request-id": requestId } });
    expect(failed.status).toBe(400);
    expect(failed.headers["x-request-id"]).toBe(requestId);
    expect(errorOf(failed).error.requestId).toBe(requestId);
    const generated = await h2("GET", `/v1/customers/id/${UNKNOWN_ID}`, {
      headers: { "x-request-id": "a b" },
    });
    expect(generated.headers["x-request-id"]).toMatch(GENERATED_ID);
  });

  it("serves concurrent streams on one session independently", async () => {
    const created = await Promise.all(
      Array.from({ length: 8 }, () =>
        h2("POST", "/v1/customers", { json: newCustomer({ firstName: "Streamy" }) }),
      ),
    );
    expect(created.map((r) => r.status)).toEqual(Array(8).fill(201));
    const ids = created.map((r) => (JSON.parse(r.body) as CustomerJson).customerId);
    const fetched = await Promise.all(ids.map((id) => h2("GET", `/v1/customers/id/${id}`)));
    expect(fetched.map((r) => (JSON.parse(r.body) as CustomerJson).customerId)).toEqual(ids);
    const search = await h2("GET", "/v1/customers/search?firstName=streamy&pageSize=100");
    expect(search.status).toBe(200);
    const found = (JSON.parse(search.body) as { customers: CustomerJson[] }).customers.map(
      (c) => c.customerId,
    );
    expect([...found].sort()).toEqual([...ids].sort());
  });
});
