import { type JsonValue, type Message, toJson } from "@bufbuild/protobuf";
import type { FieldMask } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { CustomerService, type UpdateCustomerRequest } from "../../gen/customers/v1/customer_service_pb.js";
import { type HttpBinding, httpBindingsOf } from "../../src/transcoding/http-bindings.js";
import { type RestRequestResult, restRequestOf } from "../../src/transcoding/rest-request.js";
import { createRouteTable } from "../../src/transcoding/route-table.js";
import { shelfFile as registry, ShelfService } from "./support/shelf-service.js";

// A test-only service (descriptor built at run time): request building must depend on nothing but
// the annotations.

/** Routes like the transcoder does (raw path through the route table), then builds the request message. */
function transcoderFor(services: Parameters<typeof httpBindingsOf>[0]) {
  const table = createRouteTable(
    httpBindingsOf(services).map((b) => ({
      method: b.httpMethod,
      template: b.template,
      name: b.name,
      target: b,
    })),
  );
  return (
    httpMethod: string,
    url: string,
    body?: JsonValue,
  ): { binding: HttpBinding; result: RestRequestResult } => {
    const queryAt = url.indexOf("?");
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const match = table.match(httpMethod, path);
    if (match.kind !== "found") throw new Error(`${httpMethod} ${path}: ${match.kind}`);
    const query = new URLSearchParams(queryAt === -1 ? "" : url.slice(queryAt + 1));
    const result = restRequestOf(match.target, { variables: match.variables, query, body }, registry);
    return { binding: match.target, result };
  };
}

const shelf = transcoderFor([ShelfService]);

/** The request message as proto3 JSON (what the handler will see), or a failure with the result. */
function built(httpMethod: string, url: string, body?: JsonValue): JsonValue {
  const { binding, result } = shelf(httpMethod, url, body);
  if (!result.ok) throw new Error(`expected a message, got ${JSON.stringify(result)}`);
  return toJson(binding.method.input, result.message, { registry });
}

function failure(httpMethod: string, url: string, body?: JsonValue) {
  const { result } = shelf(httpMethod, url, body);
  if (result.ok) throw new Error(`expected a failure, got a message for ${httpMethod} ${url}`);
  return result;
}

function maskOf(message: Message): string[] | undefined {
  return (message as unknown as { updateMask?: FieldMask }).updateMask?.paths;
}

describe("restRequestOf: where each part of the request goes", () => {
  it.each<[label: string, httpMethod: string, url: string, body: JsonValue | undefined, expected: JsonValue]>(
    [
      [
        'body "*" fills the whole message; the path variable is added',
        "POST",
        "/v1/shelves/s1/books/b1:move",
        { destinationShelf: "s2" },
        { name: "shelves/s1/books/b1", destinationShelf: "s2" },
      ],
      [
        'body "*" accepts proto names',
        "POST",
        "/v1/shelves/s1/books/b1:move",
        { destination_shelf: "s2" },
        { name: "shelves/s1/books/b1", destinationShelf: "s2" },
      ],
      [
        'body "*" absent is treated as {}',
        "POST",
        "/v1/shelves/s1/books/b1:move",
        undefined,
        { name: "shelves/s1/books/b1" },
      ],
      [
        "body field: the body becomes that field; path and query fill the rest",
        "POST",
        "/v1/shelves/s1/books?bookId=b9",
        { title: "Dune", pageCount: 412, location: { roomNumber: "4" } },
        { shelf: "s1", book: { title: "Dune", pageCount: 412, location: { roomNumber: "4" } }, bookId: "b9" },
      ],
      [
        "body field with a proto-name query parameter",
        "POST",
        "/v1/shelves/s1/books?book_id=b9",
        { title: "Dune" },
        { shelf: "s1", book: { title: "Dune" }, bookId: "b9" },
      ],
      [
        "a body bound to a scalar field takes that field's JSON value",
        "PUT",
        "/v1/shelves/s1/books/b1/title",
        "Dune",
        { name: "shelves/s1/books/b1", title: "Dune" },
      ],
      [
        "a multi-segment variable",
        "GET",
        "/v1/shelves/s1/books/b1",
        undefined,
        { name: "shelves/s1/books/b1" },
      ],
      [
        "a multi-segment variable keeps %2F encoded and decodes the rest",
        "GET",
        "/v1/shelves/s%2F1/books/b%201",
        undefined,
        { name: "shelves/s%2F1/books/b 1" },
      ],
      [
        "a single-segment variable is fully decoded",
        "POST",
        "/v1/shelves/s%2F1%20x/books",
        {},
        { shelf: "s/1 x", book: {} },
      ],
      [
        "a ** variable takes the rest of the path, %2F kept",
        "GET",
        "/v1/files/a%2Fb/c/d%20e.txt",
        undefined,
        { path: "a%2Fb/c/d e.txt" },
      ],
      ["a ** variable may be empty", "GET", "/v1/files", undefined, {}],
      [
        "query parameters fill the other fields (JSON and proto names)",
        "GET",
        "/v1/files/a?pageSize=5",
        undefined,
        { path: "a", pageSize: 5 },
      ],
      ["query by proto name", "GET", "/v1/files/a?page_size=7", undefined, { path: "a", pageSize: 7 }],
      [
        "nested path variable: book.name goes inside the body field",
        "PATCH",
        "/v1/shelves/s1/books/b1?validateOnly=true",
        { title: "Dune" },
        { book: { name: "shelves/s1/books/b1", title: "Dune" }, updateMask: "title", validateOnly: true },
      ],
      [
        "the path value wins over the same field in the body",
        "PATCH",
        "/v1/shelves/s1/books/b1",
        { name: "shelves/x/books/y", title: "Dune" },
        { book: { name: "shelves/s1/books/b1", title: "Dune" }, updateMask: "name,title" },
      ],
    ],
  )("%s", (_label, httpMethod, url, body, expected) => {
    expect(built(httpMethod, url, body)).toEqual(expected);
  });
});

describe("restRequestOf: update masks", () => {
  it.each<
    [label: string, httpMethod: string, url: string, body: JsonValue | undefined, paths: string[] | undefined]
  >([
    [
      "PATCH infers the mask from the body's keys",
      "PATCH",
      "/v1/shelves/s1/books/b1",
      { title: "T", pageCount: 3 },
      ["title", "page_count"],
    ],
    ["PATCH accepts proto-name keys", "PATCH", "/v1/shelves/s1/books/b1", { page_count: 3 }, ["page_count"]],
    [
      "PATCH: nested objects give nested proto paths",
      "PATCH",
      "/v1/shelves/s1/books/b1",
      { location: { city: "Oslo", roomNumber: "4" } },
      ["location.city", "location.room_number"],
    ],
    [
      "PATCH: an empty object names the field itself",
      "PATCH",
      "/v1/shelves/s1/books/b1",
      { location: {} },
      ["location"],
    ],
    [
      "PATCH: null names the field itself",
      "PATCH",
      "/v1/shelves/s1/books/b1",
      { location: null },
      ["location"],
    ],
    [
      "PATCH: a list names the field itself",
      "PATCH",
      "/v1/shelves/s1/books/b1",
      { tags: ["a", "b"] },
      ["tags"],
    ],
    ["PATCH with an empty body gives an empty mask", "PATCH", "/v1/shelves/s1/books/b1", undefined, []],
    ["PUT sets the mask to *", "PUT", "/v1/shelves/s1/books/b1", { title: "T" }, ["*"]],
    [
      "an explicit updateMask wins over PATCH inference",
      "PATCH",
      "/v1/shelves/s1/books/b1?updateMask=title",
      { title: "T", pageCount: 3 },
      ["title"],
    ],
    [
      "an explicit update_mask (proto name, nested) wins",
      "PATCH",
      "/v1/shelves/s1/books/b1?update_mask=location.room_number,pageCount",
      { title: "T" },
      ["location.room_number", "page_count"],
    ],
    [
      "an explicit updateMask wins over PUT's *",
      "PUT",
      "/v1/shelves/s1/books/b1?updateMask=title",
      { title: "T" },
      ["title"],
    ],
    [
      'body "*" binds the mask field itself: nothing is inferred',
      "POST",
      "/v1/shelves/s1/books/b1:update",
      { book: { title: "T" } },
      undefined,
    ],
    [
      'body "*": the mask is what the body says',
      "POST",
      "/v1/shelves/s1/books/b1:update",
      { book: { title: "T" }, updateMask: "title" },
      ["title"],
    ],
  ])("%s", (_label, httpMethod, url, body, paths) => {
    const { result } = shelf(httpMethod, url, body);
    if (!result.ok) throw new Error(JSON.stringify(result));
    expect(maskOf(result.message)).toEqual(paths);
  });
});

describe("restRequestOf: rejected requests", () => {
  it.each<
    [
      label: string,
      httpMethod: string,
      url: string,
      body: JsonValue | undefined,
      violations: [string, string][],
    ]
  >([
    [
      "a query parameter for the path-bound field",
      "GET",
      "/v1/shelves/s1/books/b1?name=x",
      undefined,
      [["name", "NOT_ALLOWED"]],
    ],
    [
      "a query parameter for the ** path field",
      "GET",
      "/v1/files/a?path=b",
      undefined,
      [["path", "NOT_ALLOWED"]],
    ],
    [
      "a query parameter for a field inside the body field",
      "PATCH",
      "/v1/shelves/s1/books/b1?book.title=x",
      {},
      [["book.title", "NOT_ALLOWED"]],
    ],
    [
      "a query parameter for the body field itself",
      "POST",
      "/v1/shelves/s1/books?book=x",
      {},
      [["book", "NOT_ALLOWED"]],
    ],
    [
      "a query parameter for the nested path-bound field",
      "PATCH",
      "/v1/shelves/s1/books/b1?book.name=x",
      {},
      [["book.name", "NOT_ALLOWED"]],
    ],
    [
      'any query parameter naming a field when body is "*"',
      "POST",
      "/v1/shelves/s1/books/b1:move?destinationShelf=s2",
      {},
      [["destination_shelf", "NOT_ALLOWED"]],
    ],
    [
      "an unknown query parameter",
      "GET",
      "/v1/files/a?pageSise=5",
      undefined,
      [["pageSise", "UNKNOWN_FIELD"]],
    ],
    [
      "an unparsable query parameter",
      "GET",
      "/v1/files/a?pageSize=five",
      undefined,
      [["page_size", "INVALID_FORMAT"]],
    ],
    [
      'unknown keys in a body "*", all at once',
      "POST",
      "/v1/shelves/s1/books/b1:move",
      { destShelf: "s2", nmae: "x" },
      [
        ["destShelf", "UNKNOWN_FIELD"],
        ["nmae", "UNKNOWN_FIELD"],
      ],
    ],
    [
      "unknown keys in a body field, with JSON paths relative to the body",
      "PATCH",
      "/v1/shelves/s1/books/b1",
      { title: "T", autor: "x", location: { roomNo: "4", city: "Oslo" } },
      [
        ["book.autor", "UNKNOWN_FIELD"],
        ["book.location.roomNo", "UNKNOWN_FIELD"],
      ],
    ],
    [
      "query and body problems are reported together",
      "POST",
      "/v1/shelves/s1/books?bookID=b9&shelf=s2",
      { titel: "T" },
      [
        ["bookID", "UNKNOWN_FIELD"],
        ["shelf", "NOT_ALLOWED"],
        ["book.titel", "UNKNOWN_FIELD"],
      ],
    ],
  ])("%s", (_label, httpMethod, url, body, violations) => {
    const result = failure(httpMethod, url, body);
    expect(result.violations.map((v) => [v.field, v.reason])).toEqual(violations);
    // `field` is the proto path; the description names the field as the client spelled it.
    const clientName = (field: string) =>
      (field.split(".").at(-1) ?? "").replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    for (const v of result.violations) expect(v.description).toContain(clientName(v.field));
  });

  it.each<[label: string, httpMethod: string, url: string, body: JsonValue]>([
    ['an array for body "*"', "POST", "/v1/shelves/s1/books/b1:move", [{ destinationShelf: "s2" }]],
    ['a string for body "*"', "POST", "/v1/shelves/s1/books/b1:move", "s2"],
    ['a number for body "*"', "POST", "/v1/shelves/s1/books/b1:move", 42],
    ['null for body "*"', "POST", "/v1/shelves/s1/books/b1:move", null],
    ["an array for a message body field", "PATCH", "/v1/shelves/s1/books/b1", [{ title: "T" }]],
    ["a boolean for a message body field", "POST", "/v1/shelves/s1/books", true],
    ["null for a message body field", "PATCH", "/v1/shelves/s1/books/b1", null],
  ])("a body that is not a JSON object: %s", (_label, httpMethod, url, body) => {
    const result = failure(httpMethod, url, body);
    expect(result.violations).toEqual([]);
    expect(result.message).toBe("The request body must be a JSON object.");
  });

  it.each<[label: string, httpMethod: string, url: string, body: JsonValue, field: string]>([
    ["a string for an int32", "PATCH", "/v1/shelves/s1/books/b1", { pageCount: "many" }, "book.page_count"],
    ["a fraction for an int32", "POST", "/v1/shelves/s1/books", { pageCount: 1.5 }, "book.page_count"],
    ["a string for a repeated field", "PATCH", "/v1/shelves/s1/books/b1", { tags: "a" }, "book.tags"],
    [
      "a number for a string",
      "POST",
      "/v1/shelves/s1/books/b1:move",
      { destinationShelf: 7 },
      "destination_shelf",
    ],
    [
      "a string for a nested message",
      "PATCH",
      "/v1/shelves/s1/books/b1",
      { location: "Oslo" },
      "book.location",
    ],
  ])("a value of the wrong JSON type is a field error: %s", (_label, httpMethod, url, body, field) => {
    const result = failure(httpMethod, url, body);
    expect(result.violations).toMatchObject([{ field, reason: "INVALID_FORMAT" }]);
    expect(result.violations[0]?.description).toMatch(/wrong type/);
  });

  it("a body bound to a scalar field that gets an object names the schema problem", () => {
    const result = failure("PUT", "/v1/shelves/s1/books/b1/title", { title: "Dune" });
    expect(result.violations).toEqual([]);
    expect(result.message).toMatch(/^The request does not match its schema: /);
  });
});

describe("restRequestOf: the generated UpdateCustomer bindings", () => {
  const customers = transcoderFor([CustomerService]);

  function customerRequest(httpMethod: string, url: string, body?: JsonValue) {
    const { binding, result } = customers(httpMethod, url, body);
    expect(binding.name).toBe("customers.v1.CustomerService/UpdateCustomer");
    return result;
  }

  it.each<[httpMethod: string, url: string, body: JsonValue, paths: string[]]>([
    [
      "PATCH",
      "/v1/customers/c-1",
      { firstName: "Ann", address: { city: "Oslo" } },
      ["first_name", "address.city"],
    ],
    [
      "PATCH",
      "/v1/customers/c-1",
      { marketingEmailOptIn: true, preferredContactMethods: ["EMAIL"] },
      ["marketing_email_opt_in", "preferred_contact_methods"],
    ],
    ["PATCH", "/v1/customers/c-1", { address: null }, ["address"]],
    ["PUT", "/v1/customers/c-1", { firstName: "Ann" }, ["*"]],
    ["PATCH", "/v1/customers/c-1?updateMask=email", { firstName: "Ann", email: "a@example.com" }, ["email"]],
    [
      "PUT",
      "/v1/customers/c-1?update_mask=address.postal_code",
      { firstName: "Ann" },
      ["address.postal_code"],
    ],
  ])("%s %s %j → update_mask %j", (httpMethod, url, body, paths) => {
    const result = customerRequest(httpMethod, url, body);
    if (!result.ok) throw new Error(JSON.stringify(result));
    expect(maskOf(result.message)).toEqual(paths);
    const request = result.message as unknown as { customerId: string; customer?: { firstName: string } };
    expect(request.customerId).toBe("c-1");
    expect(request.customer).toBeDefined();
  });

  it("puts the body in customer and the path in customer_id", () => {
    const result = customerRequest("PATCH", "/v1/customers/c%2D1", {
      firstName: "Ann",
      address: { city: "Oslo" },
    });
    if (!result.ok) throw new Error(JSON.stringify(result));
    expect(
      toJson(CustomerService.method.updateCustomer.input, result.message as UpdateCustomerRequest),
    ).toEqual({
      customerId: "c-1",
      customer: { firstName: "Ann", address: { city: "Oslo" } },
      updateMask: "firstName,address.city",
    });
  });

  it.each<[url: string, body: JsonValue, violations: [string, string][]]>([
    ["/v1/customers/c-1?customerId=c-2", {}, [["customer_id", "NOT_ALLOWED"]]],
    ["/v1/customers/c-1?customer.email=a@example.com", {}, [["customer.email", "NOT_ALLOWED"]]],
    [
      "/v1/customers/c-1",
      { marketingEmailOptin: true, address: { postCode: "0150" } },
      [
        ["customer.marketingEmailOptin", "UNKNOWN_FIELD"],
        ["customer.address.postCode", "UNKNOWN_FIELD"],
      ],
    ],
  ])("PATCH %s %j → %j", (url, body, violations) => {
    const result = customerRequest("PATCH", url, body);
    if (result.ok) throw new Error("expected violations");
    expect(result.violations.map((v) => [v.field, v.reason])).toEqual(violations);
  });
});
