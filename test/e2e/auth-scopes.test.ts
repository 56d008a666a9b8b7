// JWT bearer tokens beside API keys, against the real app: REST (fetch, HTTP/1.1), gRPC (@grpc/grpc-js
// on h2c) and Connect (connect-node, JSON over HTTP/1.1). A read-only credential reads but cannot
// create or update (PERMISSION_DENIED / 403, ErrorInfo INSUFFICIENT_SCOPE); a write-scoped API key
// writes; a refused token is UNAUTHENTICATED / 401 with the RFC 6750 invalid_token challenge. The
// access log names the caller's subject and never carries a token.
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { create, type DescMethod, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";
import { parseApiKeys } from "../../src/auth/api-key-list.js";
import { jwksKeySource } from "../../src/auth/jwks-key-source.js";
import { loggerOptions } from "../../src/observability/logger-options.js";
import {
  createSigningKey,
  handMadeToken,
  jwksOf,
  now,
  signToken,
  testJwtSettings,
  validClaims,
} from "../auth/support/test-issuer.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const READ_KEY = "read-only-api-key-0123456789";
const WRITE_KEY = "write-only-api-key-0123456789";
const PLAIN_CHALLENGE = 'Bearer realm="customer-api"';
const INVALID_TOKEN = 'Bearer realm="customer-api", error="invalid_token"';
const INSUFFICIENT_SCOPE = 'Bearer realm="customer-api", error="insufficient_scope", scope="customers.write"';

type CustomerInit = Exclude<MessageInitShape<typeof CustomerSchema>, { $typeName: string }>;

/** Every JSON line the server logged. */
const logLines: string[] = [];
const memory = new Writable({
  write(chunk: Buffer | string, _encoding, callback) {
    logLines.push(
      ...chunk
        .toString()
        .split("\n")
        .filter((line) => line !== ""),
    );
    callback();
  },
});

let server: TestServer;
/** Tokens by role; all must stay out of the log. */
const tokens = { reader: "", writer: "", expired: "", otherAudience: "", algNone: "" };
/** A customer created before the tests, for the reads. */
let existingId: string;
let emailCounter = 0;

function validCustomer(): CustomerInit {
  emailCounter += 1;
  return { firstName: "Mary", lastName: "Jackson", email: `mj.${emailCounter}.${randomUUID()}@example.com` };
}

beforeAll(async () => {
  const key = await createSigningKey("ES256");
  tokens.reader = await signToken(key, { sub: "reader-1", scope: "customers.read" });
  tokens.writer = await signToken(key, {
    sub: "writer-1",
    scope: undefined,
    scp: ["customers.read", "customers.write"],
  });
  tokens.expired = await signToken(key, { sub: "late-1", iat: now() - 7200, exp: now() - 3600 });
  tokens.otherAudience = await signToken(key, { aud: "another-api" });
  tokens.algNone = handMadeToken({ alg: "none", typ: "JWT" }, { ...validClaims(), scope: "customers.write" });
  // The API_KEYS format itself: one key per scope.
  const { keys, problems } = parseApiKeys(`${READ_KEY}:customers.read,${WRITE_KEY}:customers.write`);
  expect(problems).toEqual([]);
  server = await startTestServer({
    logger: pino(loggerOptions("trace"), memory),
    apiKeys: keys,
    jwt: testJwtSettings(jwksKeySource({ file: "in-memory", keySet: jwksOf(key) })),
  });
  const created = await rest("POST", "/v1/customers", tokens.writer, validCustomer());
  expect(created.status).toBe(201);
  existingId = ((await created.json()) as { customerId: string }).customerId;
});

afterAll(async () => {
  await server?.close();
});

/** A REST call with `Bearer <credential>` (none when undefined). */
function rest(method: string, path: string, credential?: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (credential !== undefined) headers.authorization = `Bearer ${credential}`;
  return fetch(`${server.baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

interface RestError {
  error: {
    code: number;
    status: string;
    message: string;
    details: ({ "@type": string } & Record<string, unknown>)[];
  };
}

async function restError(res: Response): Promise<RestError["error"]> {
  return ((await res.json()) as RestError).error;
}

function errorInfoOf(error: RestError["error"]) {
  return error.details.find((d) => d["@type"] === "type.googleapis.com/google.rpc.ErrorInfo");
}

describe("REST with scoped credentials", () => {
  it.each([
    ["a read-scoped JWT (scope claim)", () => tokens.reader],
    ["a read-scoped API key", () => READ_KEY],
  ])("%s can get and search", async (_label, credential) => {
    const got = await rest("GET", `/v1/customers/id/${existingId}`, credential());
    expect(got.status).toBe(200);
    const search = await rest("GET", "/v1/customers/search?firstName=Mar", credential());
    expect(search.status).toBe(200);
    const byAddress = await rest("GET", "/v1/customers/by-address?city=nowhere", credential());
    expect(byAddress.status).toBe(204);
  });

  it.each([
    ["a read-scoped JWT", () => tokens.reader],
    ["a read-scoped API key", () => READ_KEY],
  ])(
    "%s cannot create, replace or update: 403 PERMISSION_DENIED, INSUFFICIENT_SCOPE",
    async (_label, credential) => {
      for (const [method, path] of [
        ["POST", "/v1/customers"],
        ["PUT", `/v1/customers/${existingId}`],
        ["PATCH", `/v1/customers/${existingId}`],
      ] as const) {
        const res = await rest(method, path, credential(), validCustomer());
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(res.headers.get("www-authenticate")).toBe(INSUFFICIENT_SCOPE);
        const error = await restError(res);
        expect(error).toMatchObject({ code: 403, status: "PERMISSION_DENIED" });
        expect(error.message).toMatch(/needs the scope customers\.write/);
        expect(errorInfoOf(error)).toMatchObject({ reason: "INSUFFICIENT_SCOPE", domain: "customer-api" });
      }
    },
  );

  it("a write-scoped API key can create and update, but not read (it lacks customers.read)", async () => {
    const created = await rest("POST", "/v1/customers", WRITE_KEY, validCustomer());
    expect(created.status).toBe(201);
    const { customerId } = (await created.json()) as { customerId: string };
    const patched = await rest("PATCH", `/v1/customers/${customerId}`, WRITE_KEY, { company: "NACA" });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { company: string }).company).toBe("NACA");
    const read = await rest("GET", `/v1/customers/id/${customerId}`, WRITE_KEY);
    expect(read.status).toBe(403);
    expect(read.headers.get("www-authenticate")).toBe(
      'Bearer realm="customer-api", error="insufficient_scope", scope="customers.read"',
    );
  });

  it("a JWT with both scopes (scp array) can create and read", async () => {
    const created = await rest("POST", "/v1/customers", tokens.writer, validCustomer());
    expect(created.status).toBe(201);
    const { customerId } = (await created.json()) as { customerId: string };
    expect((await rest("GET", `/v1/customers/id/${customerId}`, tokens.writer)).status).toBe(200);
  });

  it.each([
    ["an expired JWT", () => tokens.expired, /expired/],
    ["a JWT for another audience", () => tokens.otherAudience, /audience/],
    ["an alg none JWT", () => tokens.algNone, /algorithm/],
    ["an unknown API key", () => "not-a-configured-key-0123456789", /API key is not accepted/],
  ])("%s is 401 UNAUTHENTICATED with the invalid_token challenge", async (_label, credential, message) => {
    const res = await rest("GET", `/v1/customers/id/${existingId}`, credential());
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(INVALID_TOKEN);
    const text = await res.text();
    expect(text).not.toContain(credential());
    const { error } = JSON.parse(text) as RestError;
    expect(error).toMatchObject({ code: 401, status: "UNAUTHENTICATED" });
    expect(error.message).toMatch(message);
    expect(errorInfoOf(error)).toMatchObject({ reason: "INVALID_CREDENTIALS" });
  });

  it("missing credentials keep the plain challenge", async () => {
    const res = await rest("GET", `/v1/customers/id/${existingId}`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(PLAIN_CHALLENGE);
    expect(errorInfoOf(await restError(res))).toMatchObject({ reason: "MISSING_CREDENTIALS" });
  });

  it("health and readiness stay open", async () => {
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);
  });
});

/** A unary call by a real @grpc/grpc-js client, messages (de)serialised with the generated schemas. */
function grpcCall<M extends DescMethod & { methodKind: "unary" }>(
  method: M,
  request: MessageInitShape<M["input"]>,
  credential: string,
): Promise<{ response?: unknown; error?: grpc.ServiceError }> {
  const client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${credential}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      `/${CustomerService.typeName}/${method.name}`,
      (message: MessageInitShape<M["input"]>) =>
        Buffer.from(toBinary(method.input, create(method.input, message))),
      (bytes: Buffer) => fromBinary(method.output, bytes),
      request,
      metadata,
      (error, response) => {
        client.close();
        resolve(error ? { error } : { response });
      },
    );
  });
}

/** The ErrorInfo reason in a grpc-js error's grpc-status-details-bin trailer. */
function grpcReason(error: grpc.ServiceError): string | undefined {
  const [raw] = error.metadata.get("grpc-status-details-bin");
  const status = fromBinary(StatusSchema, raw as Buffer);
  const info = status.details.find((any) => any.typeUrl.endsWith("/google.rpc.ErrorInfo"));
  return info && fromBinary(ErrorInfoSchema, info.value).reason;
}

describe("gRPC (grpc-js) with scoped credentials", () => {
  const { getCustomer, searchCustomers, createCustomer, updateCustomer } = CustomerService.method;

  it("a read-scoped JWT can get and search", async () => {
    const got = await grpcCall(getCustomer, { customerId: existingId }, tokens.reader);
    expect(got.error).toBeUndefined();
    expect(got.response).toMatchObject({ customerId: existingId });
    const found = await grpcCall(searchCustomers, { firstName: "mar" }, tokens.reader);
    expect(found.error).toBeUndefined();
  });

  it("a read-scoped JWT cannot create or update: PERMISSION_DENIED (7), INSUFFICIENT_SCOPE", async () => {
    const created = await grpcCall(createCustomer, { customer: validCustomer() }, tokens.reader);
    const updated = await grpcCall(
      updateCustomer,
      { customerId: existingId, customer: { company: "X" } },
      tokens.reader,
    );
    for (const { error } of [created, updated]) {
      expect(error?.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(error && grpcReason(error)).toBe("INSUFFICIENT_SCOPE");
    }
  });

  it("a write-scoped API key can create", async () => {
    const created = await grpcCall(createCustomer, { customer: validCustomer() }, WRITE_KEY);
    expect(created.error).toBeUndefined();
    expect(created.response).toMatchObject({ lastName: "Jackson" });
  });

  it("an expired JWT is UNAUTHENTICATED (16) with the invalid_token challenge in the trailers", async () => {
    const { error } = await grpcCall(getCustomer, { customerId: existingId }, tokens.expired);
    expect(error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(error?.metadata.get("www-authenticate")).toEqual([INVALID_TOKEN]);
    expect(error?.details).not.toContain(tokens.expired.split(".")[1]);
  });
});

describe("Connect (connect-node, JSON over HTTP/1.1) with scoped credentials", () => {
  let client: Client<typeof CustomerService>;
  beforeAll(() => {
    client = createClient(
      CustomerService,
      createConnectTransport({ baseUrl: server.baseUrl, httpVersion: "1.1" }),
    );
  });
  const as = (credential: string) => ({ headers: { authorization: `Bearer ${credential}` } });

  async function failure(promise: Promise<unknown>): Promise<ConnectError> {
    return promise.then(
      () => {
        throw new Error("the call unexpectedly succeeded");
      },
      (error: unknown) => ConnectError.from(error),
    );
  }

  it("a read-scoped API key can get and search", async () => {
    expect((await client.getCustomer({ customerId: existingId }, as(READ_KEY))).customerId).toBe(existingId);
    await client.searchCustomersByAddress({ country: "US" }, as(READ_KEY));
  });

  it("a read-scoped JWT cannot create or update: PermissionDenied, INSUFFICIENT_SCOPE", async () => {
    for (const error of [
      await failure(client.createCustomer({ customer: validCustomer() }, as(tokens.reader))),
      await failure(
        client.updateCustomer({ customerId: existingId, customer: { company: "X" } }, as(tokens.reader)),
      ),
    ]) {
      expect(error.code).toBe(Code.PermissionDenied);
      expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe("INSUFFICIENT_SCOPE");
      expect(error.metadata.get("www-authenticate")).toBe(INSUFFICIENT_SCOPE);
    }
  });

  it("a write-scoped API key can create and update", async () => {
    const created = await client.createCustomer({ customer: validCustomer() }, as(WRITE_KEY));
    const updated = await client.updateCustomer(
      {
        customerId: created.customerId,
        customer: { company: "Langley" },
        updateMask: { paths: ["company"] },
      },
      as(WRITE_KEY),
    );
    expect(updated.company).toBe("Langley");
  });

  it("an expired JWT is Unauthenticated with the invalid_token challenge", async () => {
    const error = await failure(client.getCustomer({ customerId: existingId }, as(tokens.expired)));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).toBe("Invalid token: it has expired.");
    expect(error.metadata.get("www-authenticate")).toBe(INVALID_TOKEN);
  });
});

describe("the access log", () => {
  /** The access-log lines written so far (the line follows the response, so wait for it). */
  async function accessLine(requestId: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 250; i++) {
      const line = logLines
        .map((raw) => JSON.parse(raw) as Record<string, unknown>)
        .find((l) => l.requestId === requestId && l.msg === "request completed");
      if (line) return line;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no access-log line for ${requestId}`);
  }

  async function callAs(credential: string): Promise<Record<string, unknown>> {
    const requestId = `auth-log-${randomUUID()}`;
    await fetch(`${server.baseUrl}/v1/customers/id/${existingId}`, {
      headers: { authorization: `Bearer ${credential}`, "x-request-id": requestId },
    });
    return accessLine(requestId);
  }

  it("names the subject: the JWT's sub, or the API key's position", async () => {
    expect(await callAs(tokens.reader)).toMatchObject({ subject: "reader-1", statusCode: 200 });
    expect(await callAs(READ_KEY)).toMatchObject({ subject: "api-key#1", statusCode: 200 });
    // Refused for its scope: who it was is known, and logged.
    expect(await callAs(WRITE_KEY)).toMatchObject({
      subject: "api-key#2",
      statusCode: 403,
      code: "PERMISSION_DENIED",
    });
    const refused = await callAs(tokens.expired);
    expect(refused).toMatchObject({ statusCode: 401, code: "UNAUTHENTICATED" });
    expect(refused.subject).toBeUndefined();
  });

  it("never carries a token or a key, in any line at any level", () => {
    expect(logLines.length).toBeGreaterThan(10);
    const secrets = [READ_KEY, WRITE_KEY, ...Object.values(tokens).flatMap((token) => token.split("."))];
    for (const line of logLines) {
      for (const secret of secrets.filter((s) => s.length >= 16)) expect(line).not.toContain(secret);
    }
  });
});
