// The published OpenAPI document against the running server: fetched without credentials, then every
// operation in it replayed, and each answer checked against the schema documented for its status
// (valid input → the documented success; bad input and missing credentials → the documented error body).
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { apiDocumentOf } from "../../src/transport/openapi-routes.js";
import { startTestServer, TEST_API_KEY, type TestServer } from "../support/test-server.js";

type Operation = {
  operationId: string;
  responses: Record<string, { $ref?: string; content?: { "application/json": { schema: object } } }>;
};
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, object>>;
};

let server: TestServer;
let doc: Doc;
const ajv = new Ajv2020({ strict: false });
const AUTH = { authorization: `Bearer ${TEST_API_KEY}`, "content-type": "application/json" };

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

/** The documented JSON schema of `operation`'s answer with `status` (undefined: no body documented). */
function documentedSchema(operation: Operation, status: number): object | undefined {
  let response = operation.responses[String(status)];
  expect(response, `${operation.operationId} documents ${status}`).toBeDefined();
  if (response.$ref)
    response = doc.components.responses[response.$ref.split("/").pop() as string] as typeof response;
  return response.content?.["application/json"].schema;
}

/** Calls `method path` and checks the answer against the document; returns the parsed body. */
async function replay(path: string, method: string, init: RequestInit, expected: number): Promise<unknown> {
  // Literal segments win over variables, as in the router: /v1/customers/search is not {customerId}.
  const template = Object.keys(doc.paths)
    .filter((p) => doc.paths[p][method.toLowerCase()])
    .filter((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path.split("?")[0]))
    .sort((a, b) => a.split("{").length - b.split("{").length)[0];
  const operation = template ? doc.paths[template][method.toLowerCase()] : undefined;
  expect(operation, `${method} ${path} is documented`).toBeDefined();
  const res = await fetch(`${server.baseUrl}${path}`, { ...init, method });
  expect(res.status, `${method} ${path}`).toBe(expected);
  const schema = documentedSchema(operation as Operation, res.status);
  const text = await res.text();
  if (!schema) {
    expect(text).toBe("");
    return undefined;
  }
  const body = JSON.parse(text);
  const check = ajv.compile({
    ...schema,
    components: doc.components,
    $id: `urn:${method}:${path}:${res.status}`,
  });
  // $refs point at #/components/..., which the wrapper above resolves.
  expect(check(body), JSON.stringify(check.errors)).toBe(true);
  return body;
}

describe("the OpenAPI contract, replayed against the server", () => {
  it("GET /openapi.json needs no credentials and serves the generated document", async () => {
    const res = await fetch(`${server.baseUrl}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    doc = (await res.json()) as Doc;
    expect(doc).toEqual(apiDocumentOf([CustomerService]));
  });

  it("every operation answers as documented", async () => {
    const body = JSON.stringify({
      firstName: "Olga",
      lastName: "Openapi",
      email: "olga.openapi@example.com",
    });
    const created = (await replay("/v1/customers", "POST", { headers: AUTH, body }, 201)) as {
      customerId: string;
    };
    const id = created.customerId;
    await replay(`/v1/customers/id/${id}`, "GET", { headers: AUTH }, 200);
    await replay("/v1/customers/id/0190a0a0-0000-7000-8000-0000000000ff", "GET", { headers: AUTH }, 204);
    await replay("/v1/customers/search?email=olga.openapi@example.com", "GET", { headers: AUTH }, 200);
    await replay("/v1/customers/search?email=nobody.at.all@example.com", "GET", { headers: AUTH }, 204);
    await replay("/v1/customers/by-address?city=Nowhere-at-all", "GET", { headers: AUTH }, 204);
    const replace = JSON.stringify({
      firstName: "Olga",
      lastName: "Replaced",
      email: "olga.openapi@example.com",
    });
    await replay(`/v1/customers/${id}`, "PUT", { headers: AUTH, body: replace }, 200);
    await replay(
      `/v1/customers/${id}`,
      "PATCH",
      { headers: AUTH, body: JSON.stringify({ company: "Acme" }) },
      200,
    );
    await replay(
      `/v1/customers/${id}`,
      "PATCH",
      { headers: { ...AUTH, "if-match": '"999"' }, body: "{}" },
      412,
    );
  });

  it("documented errors are reachable and shaped as documented", async () => {
    await replay("/v1/customers", "POST", { headers: AUTH, body: JSON.stringify({ firstName: "1" }) }, 400);
    await replay(
      "/v1/customers",
      "POST",
      { headers: { ...AUTH, "content-type": "text/plain" }, body: "x" },
      415,
    );
    await replay("/v1/customers/search", "GET", { headers: AUTH }, 400);
    await replay("/v1/customers/search?pageSize=-1&email=a@example.com", "GET", { headers: AUTH }, 400);
    await replay("/v1/customers/by-address?city=x", "GET", {}, 401);
    await replay("/v1/customers/id/x", "GET", {}, 401);
    await replay(
      "/v1/customers/x",
      "PUT",
      { headers: { "content-type": "application/json" }, body: "{}" },
      401,
    );
  });
});
