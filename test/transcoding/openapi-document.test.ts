// The OpenAPI document: valid OpenAPI 3.1 by an independent validator (@scalar/openapi-parser),
// committed as docs/openapi.json and fresh, and built from the same bindings as the REST router.
import { readFile } from "node:fs/promises";
import { validate } from "@scalar/openapi-parser";
import { describe, expect, it } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { httpBindingsOf } from "../../src/transcoding/http-bindings.js";
import { apiDocumentOf } from "../../src/transport/openapi-routes.js";

const document = apiDocumentOf([CustomerService]);
type Operation = { operationId: string; responses: Record<string, { headers?: object }> };
const paths = document.paths as Record<string, Record<string, Operation>>;

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const result = await validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.version).toBe("3.1");
  });

  it("docs/openapi.json is what the code generates (run `npm run openapi` when this fails)", async () => {
    const committed = await readFile(new URL("../../docs/openapi.json", import.meta.url), "utf8");
    expect(JSON.parse(committed)).toEqual(document);
  });

  it("has one operation per google.api.http binding the router serves", () => {
    const bindings = httpBindingsOf([CustomerService])
      .map((b) => b.httpMethod.toLowerCase())
      .sort();
    const operations = Object.values(paths)
      .flatMap((ops) => Object.keys(ops))
      .sort();
    expect(operations).toEqual(bindings);
    expect(Object.keys(paths).sort()).toEqual([
      "/v1/customers",
      "/v1/customers/by-address",
      "/v1/customers/id/{customerId}",
      "/v1/customers/search",
      "/v1/customers/{customerId}",
    ]);
  });

  it("documents the 201 + Location of create, the 204s of reads and the 412 of update", () => {
    const create = paths["/v1/customers"].post;
    expect(create.responses["201"].headers).toHaveProperty("Location");
    expect(paths["/v1/customers/id/{customerId}"].get.responses).toHaveProperty("204");
    expect(paths["/v1/customers/search"].get.responses).toHaveProperty("204");
    expect(paths["/v1/customers/{customerId}"].put.responses).toHaveProperty("412");
    expect(paths["/v1/customers/{customerId}"].patch.operationId).toBe("UpdateCustomerPatch");
  });

  it("carries the protovalidate string rules as JSON Schema keywords", () => {
    const schemas = (
      document.components as { schemas: Record<string, { properties: Record<string, object> }> }
    ).schemas;
    expect(schemas["customers.v1.Customer"].properties.firstName).toMatchObject({
      minLength: 2,
      maxLength: 50,
    });
    expect(schemas["customers.v1.Address"].properties.postalCode).toMatchObject({ maxLength: 20 });
    expect(schemas["customers.v1.Address"].properties.country).toMatchObject({ pattern: "^[A-Z]{2}$" });
  });
});
