import { describe, expect, it } from "vitest";
import { CustomerService } from "../../gen/customers/v1/customer_service_pb.js";
import { type HttpBinding, httpBindingsOf } from "../../src/transcoding/http-bindings.js";
import { BOOK, buildService, type MethodInit, rpc, shelfRpc } from "./support/shelf-service.js";

// A test-only service, built as a descriptor at run time, so the bindings are read from annotations
// that have nothing to do with customers.

const SHELF_METHODS: MethodInit[] = [
  shelfRpc.getBook,
  shelfRpc.deleteBook,
  rpc("ArchiveBook", "ArchiveBookRequest", "Book", {
    pattern: { case: "custom", value: { kind: "archive", path: BOOK } },
  }),
  shelfRpc.moveBook,
  shelfRpc.listFiles,
  shelfRpc.updateBook,
  shelfRpc.createBook,
  shelfRpc.getShelf,
  shelfRpc.listBooks,
  // Streaming and unannotated: not a REST route, and no reason to fail.
  shelfRpc.watchBooks,
  // Unary and unannotated: not a REST route either.
  rpc("CountBooks", "ListBooksRequest", "ListBooksResponse"),
];

const ShelfService = buildService("ShelfService", SHELF_METHODS);
const bindings = httpBindingsOf([ShelfService]);

/** The comparable facts of a binding. */
function summary(b: HttpBinding) {
  return {
    name: b.name,
    httpMethod: b.httpMethod,
    template: b.template,
    pathFields: b.pathFields,
    body: b.bodyField === "*" || b.bodyField === undefined ? b.bodyField : b.bodyField.name,
    responseBody: b.responseBodyField?.name,
  };
}

describe("httpBindingsOf: bindings of a test-only service", () => {
  it("yields one binding per rule and additional binding, in declaration order, skipping unannotated methods", () => {
    expect(bindings.map((b) => `${b.httpMethod} ${b.template}`)).toEqual([
      `GET ${BOOK}`,
      `DELETE ${BOOK}`,
      `ARCHIVE ${BOOK}`,
      `POST ${BOOK}:move`,
      "GET /v1/files/{path=**}",
      "PATCH /v1/{book.name=shelves/*/books/*}",
      "PUT /v1/{book.name=shelves/*/books/*}",
      "POST /v1/{book.name=shelves/*/books/*}:update",
      "POST /v1/shelves/{shelf}/books",
      "GET /v1/{name=shelves/*}",
      "GET /v1/{parent=shelves/*}/books",
    ]);
  });

  it.each<[index: number, expected: ReturnType<typeof summary>]>([
    [
      0,
      {
        name: "test.v1.ShelfService/GetBook",
        httpMethod: "GET",
        template: BOOK,
        pathFields: [["name"]],
        body: undefined,
        responseBody: "book",
      },
    ],
    [
      1,
      {
        name: "test.v1.ShelfService/DeleteBook",
        httpMethod: "DELETE",
        template: BOOK,
        pathFields: [["name"]],
        body: undefined,
        responseBody: undefined,
      },
    ],
    [
      2,
      {
        name: "test.v1.ShelfService/ArchiveBook",
        httpMethod: "ARCHIVE",
        template: BOOK,
        pathFields: [["name"]],
        body: undefined,
        responseBody: undefined,
      },
    ],
    [
      3,
      {
        name: "test.v1.ShelfService/MoveBook",
        httpMethod: "POST",
        template: `${BOOK}:move`,
        pathFields: [["name"]],
        body: "*",
        responseBody: undefined,
      },
    ],
    [
      4,
      {
        name: "test.v1.ShelfService/ListFiles",
        httpMethod: "GET",
        template: "/v1/files/{path=**}",
        pathFields: [["path"]],
        body: undefined,
        responseBody: undefined,
      },
    ],
    [
      5,
      {
        name: "test.v1.ShelfService/UpdateBook",
        httpMethod: "PATCH",
        template: "/v1/{book.name=shelves/*/books/*}",
        pathFields: [["book", "name"]],
        body: "book",
        responseBody: undefined,
      },
    ],
    [
      6,
      {
        name: "test.v1.ShelfService/UpdateBook",
        httpMethod: "PUT",
        template: "/v1/{book.name=shelves/*/books/*}",
        pathFields: [["book", "name"]],
        body: "book",
        responseBody: undefined,
      },
    ],
    [
      7,
      {
        name: "test.v1.ShelfService/UpdateBook",
        httpMethod: "POST",
        template: "/v1/{book.name=shelves/*/books/*}:update",
        pathFields: [["book", "name"]],
        body: "*",
        responseBody: undefined,
      },
    ],
    [
      8,
      {
        name: "test.v1.ShelfService/CreateBook",
        httpMethod: "POST",
        template: "/v1/shelves/{shelf}/books",
        pathFields: [["shelf"]],
        body: "book",
        responseBody: undefined,
      },
    ],
  ])("binding %i: method, template, path fields, body and response body", (index, expected) => {
    const binding = bindings[index] as HttpBinding;
    expect(summary(binding)).toEqual(expected);
    expect(binding.method.parent).toBe(ShelfService);
    expect(binding.method.name).toBe(expected.name.split("/")[1]);
  });

  it("points bodyField and responseBodyField at the descriptors' own fields", () => {
    const [get, , , , , patch] = bindings as [HttpBinding, ...HttpBinding[]];
    const update = ShelfService.methods.find((m) => m.name === "UpdateBook");
    expect(patch?.bodyField).toBe(update?.input.fields.find((f) => f.name === "book"));
    expect(get.responseBodyField).toBe(get.method.output.fields.find((f) => f.name === "book"));
  });

  it.each<
    [
      rpcName: string,
      expected: Omit<HttpBinding["response"], "errorStatuses"> | { noContentWhenEmpty: string },
    ]
  >([
    [
      "GetBook",
      { successStatus: 200, location: undefined, notFoundAsNoContent: false, noContentWhenEmpty: undefined },
    ],
    [
      "UpdateBook",
      { successStatus: 200, location: undefined, notFoundAsNoContent: false, noContentWhenEmpty: undefined },
    ],
    [
      "CreateBook",
      {
        successStatus: 201,
        location: "/v1/{name}",
        notFoundAsNoContent: false,
        noContentWhenEmpty: undefined,
      },
    ],
    [
      "GetShelf",
      { successStatus: 200, location: undefined, notFoundAsNoContent: true, noContentWhenEmpty: undefined },
    ],
    [
      "ListBooks",
      { successStatus: 200, location: undefined, notFoundAsNoContent: false, noContentWhenEmpty: "books" },
    ],
  ])("response rule of %s (defaults when the option is absent)", (rpcName, expected) => {
    const ofRpc = bindings.filter((b) => b.method.name === rpcName);
    expect(ofRpc.length).toBeGreaterThan(0);
    for (const binding of ofRpc) {
      const { noContentWhenEmpty, errorStatuses, ...rest } = binding.response;
      expect({ ...rest, noContentWhenEmpty: noContentWhenEmpty?.name }).toEqual(expected);
      expect(errorStatuses.size).toBe(0);
      if (noContentWhenEmpty) expect(noContentWhenEmpty.parent).toBe(binding.method.output);
    }
  });

  it("shares one response rule among a rule and its additional bindings", () => {
    const update = bindings.filter((b) => b.method.name === "UpdateBook");
    expect(update).toHaveLength(3);
    expect(update[1]?.response).toBe(update[0]?.response);
  });

  it("reads the generated CustomerService the same way", () => {
    expect(
      httpBindingsOf([CustomerService]).map((b) => [b.name.split("/")[1], b.httpMethod, b.template]),
    ).toEqual([
      ["CreateCustomer", "POST", "/v1/customers"],
      ["UpdateCustomer", "PUT", "/v1/customers/{customer_id}"],
      ["UpdateCustomer", "PATCH", "/v1/customers/{customer_id}"],
      ["GetCustomer", "GET", "/v1/customers/id/{customer_id}"],
      ["SearchCustomers", "GET", "/v1/customers/search"],
      ["SearchCustomersByAddress", "GET", "/v1/customers/by-address"],
    ]);
  });

  it("yields nothing for a service without annotations or no services", () => {
    expect(httpBindingsOf([])).toEqual([]);
    expect(
      httpBindingsOf([buildService("PlainService", [rpc("GetBook", "GetBookRequest", "Book")])]),
    ).toEqual([]);
  });
});

describe("httpBindingsOf: annotations that cannot be served stop start-up", () => {
  it.each<[problem: string, method: MethodInit, message: RegExp]>([
    [
      "a path variable naming no field",
      rpc("GetBook", "GetBookRequest", "Book", { pattern: { case: "get", value: "/v1/books/{book_id}" } }),
      /^test\.v1\.BadService\/GetBook: path variable \{book_id\} is not a field of test\.v1\.GetBookRequest$/,
    ],
    [
      "a nested path variable naming no field",
      rpc("UpdateBook", "UpdateBookRequest", "Book", {
        pattern: { case: "patch", value: "/v1/{book.isbn}" },
        body: "book",
      }),
      /^test\.v1\.BadService\/UpdateBook: path variable \{book\.isbn\} is not a field of test\.v1\.UpdateBookRequest$/,
    ],
    [
      "a path variable naming a repeated field",
      rpc("UpdateBook", "UpdateBookRequest", "Book", { pattern: { case: "get", value: "/v1/{ids}" } }),
      /^test\.v1\.BadService\/UpdateBook: path variable \{ids\}/,
    ],
    [
      "a path variable inside an additional binding",
      rpc("GetBook", "GetBookRequest", "Book", {
        pattern: { case: "get", value: BOOK },
        additionalBindings: [{ pattern: { case: "get", value: "/v2/{title}" } }],
      }),
      /^test\.v1\.BadService\/GetBook: path variable \{title\} is not a field of test\.v1\.GetBookRequest$/,
    ],
    [
      "body naming no field",
      rpc("CreateBook", "CreateBookRequest", "Book", {
        pattern: { case: "post", value: "/v1/shelves/{shelf}/books" },
        body: "volume",
      }),
      /^test\.v1\.BadService\/CreateBook: body "volume" is not a field of test\.v1\.CreateBookRequest$/,
    ],
    [
      "response_body naming no field",
      rpc("GetBook", "GetBookRequest", "GetBookResponse", {
        pattern: { case: "get", value: BOOK },
        responseBody: "volume",
      }),
      /^test\.v1\.BadService\/GetBook: response_body "volume" is not a field of test\.v1\.GetBookResponse$/,
    ],
    [
      "google.api.http on a streaming method",
      rpc(
        "WatchBooks",
        "WatchBooksRequest",
        "Book",
        { pattern: { case: "get", value: "/v1/{parent=shelves/*}/books:watch" } },
        undefined,
        "server-streaming",
      ),
      /^test\.v1\.BadService\/WatchBooks: google\.api\.http on a streaming method/,
    ],
    [
      "success_status 302",
      rpc(
        "GetBook",
        "GetBookRequest",
        "Book",
        { pattern: { case: "get", value: BOOK } },
        { successStatus: 302 },
      ),
      /^test\.v1\.BadService\/GetBook: http_response\.success_status must be 2xx, got 302$/,
    ],
    [
      "success_status 404",
      rpc(
        "GetBook",
        "GetBookRequest",
        "Book",
        { pattern: { case: "get", value: BOOK } },
        { successStatus: 404 },
      ),
      /^test\.v1\.BadService\/GetBook: http_response\.success_status must be 2xx, got 404$/,
    ],
    [
      "location naming no response field",
      rpc(
        "CreateBook",
        "CreateBookRequest",
        "Book",
        { pattern: { case: "post", value: "/v1/shelves/{shelf}/books" }, body: "book" },
        { successStatus: 201, location: "/v1/shelves/{shelf}/books/{book_id}" },
      ),
      // `shelf` and `book_id` are request fields; the Location is filled from the response (a Book).
      /^test\.v1\.BadService\/CreateBook: http_response\.location names \{shelf\}, not a field of test\.v1\.Book$/,
    ],
    [
      "no_content_when_empty naming a non-repeated field",
      rpc(
        "ListBooks",
        "ListBooksRequest",
        "ListBooksResponse",
        { pattern: { case: "get", value: "/v1/{parent=shelves/*}/books" } },
        { noContentWhenEmpty: "next_page_token" },
      ),
      /^test\.v1\.BadService\/ListBooks: http_response\.no_content_when_empty must name a repeated field of test\.v1\.ListBooksResponse$/,
    ],
    [
      "no_content_when_empty naming no field",
      rpc(
        "ListBooks",
        "ListBooksRequest",
        "ListBooksResponse",
        { pattern: { case: "get", value: "/v1/{parent=shelves/*}/books" } },
        { noContentWhenEmpty: "volumes" },
      ),
      /^test\.v1\.BadService\/ListBooks: http_response\.no_content_when_empty must name a repeated field/,
    ],
    [
      "a rule without a pattern",
      rpc("GetBook", "GetBookRequest", "Book", { body: "*" }),
      /^test\.v1\.BadService\/GetBook: google\.api\.http rule has no pattern$/,
    ],
    ...(
      [
        [
          "an error status that is not an error (304)",
          [{ reason: "NOT_MODIFIED", status: 304 }],
          "4xx or 5xx",
        ],
        ["an error status above 599", [{ reason: "ODD", status: 600 }], "4xx or 5xx"],
        ["an error status without a reason", [{ reason: "", status: 412 }], "distinct, non-empty reason"],
        [
          "two error statuses for one reason",
          [
            { reason: "STALE", status: 412 },
            { reason: "STALE", status: 409 },
          ],
          "distinct, non-empty reason",
        ],
      ] as const
    ).map(([problem, errorStatuses, message]): [string, MethodInit, RegExp] => [
      problem,
      rpc(
        "GetBook",
        "GetBookRequest",
        "Book",
        { pattern: { case: "get", value: BOOK } },
        {
          errorStatuses: [...errorStatuses],
        },
      ),
      new RegExp(`^test\\.v1\\.BadService/GetBook: http_response\\.error_statuses .*${message}`),
    ]),
  ])("%s", (_problem, method, message) => {
    const service = buildService("BadService", [rpc("Fine", "GetBookRequest", "Book"), method]);
    expect(() => httpBindingsOf([service])).toThrow(message);
  });

  it("reads error_statuses as an HTTP status per ErrorInfo reason, none by default", () => {
    const service = buildService("OkService", [
      rpc(
        "GetBook",
        "GetBookRequest",
        "Book",
        { pattern: { case: "get", value: BOOK } },
        {
          errorStatuses: [
            { reason: "PRECONDITION_FAILED", status: 412 },
            { reason: "GONE", status: 410 },
          ],
        },
      ),
      rpc("DeleteBook", "DeleteBookRequest", "Book", { pattern: { case: "delete", value: BOOK } }),
    ]);
    const [get, del] = httpBindingsOf([service]);
    expect([...(get?.response.errorStatuses ?? [])]).toEqual([
      ["PRECONDITION_FAILED", 412],
      ["GONE", 410],
    ]);
    expect(del?.response.errorStatuses.size).toBe(0);
  });

  it("accepts every 2xx success_status and a Location built from nested response fields", () => {
    for (const successStatus of [200, 201, 202, 204, 299]) {
      const service = buildService("OkService", [
        rpc(
          "CreateBook",
          "CreateBookRequest",
          "Book",
          { pattern: { case: "post", value: "/v1/shelves/{shelf}/books" }, body: "book" },
          { successStatus, location: "/v1/{name}?city={location.city}" },
        ),
      ]);
      expect(httpBindingsOf([service])[0]?.response).toMatchObject({
        successStatus,
        location: "/v1/{name}?city={location.city}",
      });
    }
  });
});
