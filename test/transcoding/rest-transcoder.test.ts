// The genericity proof: the REST transcoder serves a test-only service, whose descriptor is built
// at run time (test/transcoding/support/shelf-service.ts) and knows nothing of customers, on a bare
// Fastify app through app.inject.
import { createRegistry, type DescService } from "@bufbuild/protobuf";
import type { FieldMask } from "@bufbuild/protobuf/wkt";
import {
  Code,
  ConnectError,
  createConnectRouter,
  createContextKey,
  createContextValues,
  type HandlerContext,
  type Interceptor,
  type ServiceImpl,
} from "@connectrpc/connect";
import Fastify, { type FastifyInstance, type FastifyRequest, type LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { file_google_rpc_error_details } from "../../gen/google/rpc/error_details_pb.js";
import { ApiError } from "../../src/errors/api-error.js";
import { connectErrorFrom } from "../../src/errors/connect-error-from.js";
import { restErrorResponse } from "../../src/errors/rest-error-body.js";
import type { RestErrorRenderer } from "../../src/transcoding/rest-response.js";
import { createRestTranscoder } from "../../src/transcoding/rest-transcoder.js";
import {
  registerRestRoutes,
  restFrameworkErrorHandler,
  sendRestError,
} from "../../src/transport/rest-routes.js";
import {
  ArchiveService,
  CatalogService,
  ConflictService,
  ShelfService,
  shelfFile,
} from "./support/shelf-service.js";

// ---------------------------------------------------------------------------------------------------
// A hand-written in-memory implementation, recording what reaches it.

interface Book {
  name: string;
  title: string;
  location?: { city: string; roomNumber: string };
  tags: string[];
  pageCount: number;
}
interface Call {
  method: string;
  request: Record<string, unknown>;
  context: HandlerContext;
}

const books = new Map<string, Omit<Partial<Book>, "name"> & { name: string }>();
const handled: Call[] = [];
const tenantKey = createContextKey<string>("none", { description: "tenant" });

function notFound(name: string): ConnectError {
  return new ConnectError(`No ${name}.`, Code.NotFound);
}

// biome-ignore lint/suspicious/noExplicitAny: handlers of different test methods return different messages.
function record(method: string, request: unknown, context: HandlerContext): Record<string, any> {
  handled.push({ method, request: request as Record<string, unknown>, context });
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  return request as Record<string, any>;
}

const impl = {
  getBook(request: unknown, context: HandlerContext) {
    const { name } = record("GetBook", request, context);
    const book = books.get(name);
    if (!book) throw notFound(name);
    return { book, etag: "v1" };
  },
  deleteBook(request: unknown, context: HandlerContext) {
    const { name } = record("DeleteBook", request, context);
    if (!books.delete(name)) throw notFound(name);
    return {};
  },
  searchBooks(request: unknown, context: HandlerContext) {
    const { parent, titlePrefix } = record("SearchBooks", request, context);
    return {
      books: [...books.values()].filter(
        (b) => b.name.startsWith(`${parent}/`) && b.title?.startsWith(titlePrefix),
      ),
    };
  },
  archiveBook(request: unknown, context: HandlerContext) {
    const { name } = record("ArchiveBook", request, context);
    const book = books.get(name);
    if (!book) throw notFound(name);
    book.tags = [...(book.tags ?? []), "archived"];
    return book;
  },
  moveBook(request: unknown, context: HandlerContext) {
    const { name, destinationShelf } = record("MoveBook", request, context);
    if (destinationShelf === "") {
      throw ApiError.invalidArgument([
        { field: "destination_shelf", code: "REQUIRED", description: "destinationShelf is required." },
      ]);
    }
    const book = books.get(name);
    if (!book) throw notFound(name);
    books.delete(name);
    const moved = { ...book, name: `shelves/${destinationShelf}/books/${name.split("/").at(-1)}` };
    books.set(moved.name, moved);
    return moved;
  },
  listFiles(request: unknown, context: HandlerContext) {
    const { path } = record("ListFiles", request, context);
    return { files: path === "" ? [] : [`/${path}`] };
  },
  updateBook(request: unknown, context: HandlerContext) {
    const { book, updateMask } = record("UpdateBook", request, context) as {
      book: Book;
      updateMask: FieldMask;
    };
    if (book.title === "!") {
      throw ApiError.invalidArgument([
        { field: "book.title", code: "INVALID_CHARACTERS", description: "title may not be !." },
        { field: "update_mask", code: "NOT_ALLOWED", description: "updateMask is not allowed here." },
      ]);
    }
    if (book.title === "crash") throw new TypeError("cannot read properties of undefined");
    const stored = books.get(book.name);
    if (!stored) throw notFound(book.name);
    for (const path of updateMask.paths) {
      if (path === "title") stored.title = book.title;
      if (path === "*") Object.assign(stored, book);
    }
    return stored;
  },
  createBook(request: unknown, context: HandlerContext) {
    const { shelf, book, bookId } = record("CreateBook", request, context) as {
      shelf: string;
      book: Book;
      bookId: string;
    };
    const created = { ...book, name: `shelves/${shelf}/books/${bookId || "b-new"}` };
    books.set(created.name, created);
    context.responseHeader.set("x-custom", "1");
    context.responseTrailer.set("x-trailer", "done");
    return created;
  },
  getShelf(request: unknown, context: HandlerContext) {
    const { name } = record("GetShelf", request, context);
    if (name === "shelves/missing") throw notFound(name);
    return { name, theme: "sci-fi" };
  },
  listBooks(request: unknown, context: HandlerContext) {
    const { parent } = record("ListBooks", request, context);
    return { books: [...books.values()].filter((b) => b.name.startsWith(`${parent}/`)) };
  },
};

// ---------------------------------------------------------------------------------------------------
// The app under test.

const TOKEN = "Bearer shelf-key";
const intercepted: string[] = [];
/** Counts and traces every call, outermost; sets a response header on success. */
const tracing: Interceptor = (next) => async (req) => {
  intercepted.push(
    `${req.service.typeName}/${req.method.name} ${req.requestMethod} tenant=${req.contextValues.get(tenantKey)}`,
  );
  const res = await next(req);
  res.header.set("x-intercepted", "yes");
  return res;
};
/** Rejects calls without the token, as the real auth interceptor does. */
const auth: Interceptor = (next) => async (req) => {
  if (req.header.get("authorization") !== TOKEN) {
    throw new ConnectError("Send the shelf key.", Code.Unauthenticated, {
      "www-authenticate": 'Bearer realm="shelves"',
    });
  }
  return next(req);
};

/** Maps what the handler throws (ApiError, anything unexpected) as the app's error interceptor does. */
const mapErrors: Interceptor = (next) => async (req) => {
  try {
    return await next(req);
  } catch (thrown) {
    throw thrown instanceof ConnectError ? thrown : connectErrorFrom(thrown, "req-generated").error;
  }
};

/** A service and its implementation, served through a Connect router as the app does. */
interface TranscodedService {
  service: DescService;
  // biome-ignore lint/suspicious/noExplicitAny: each test service has its own method types.
  impl: Partial<ServiceImpl<any>>;
}

async function buildApp(services: TranscodedService[], bodyLimitBytes = 1024): Promise<FastifyInstance> {
  const router = createConnectRouter({ jsonOptions: { ignoreUnknownFields: false } });
  for (const { service, impl } of services)
    router.service(service, impl, { interceptors: [mapErrors, tracing, auth] });
  const registry = createRegistry(file_google_rpc_error_details, shelfFile);
  const errorRenderer =
    (req: FastifyRequest): RestErrorRenderer =>
    (error, how) =>
      restErrorResponse(error, req.id, registry, how);
  const app = Fastify({
    genReqId: (req) => String(req.headers["x-request-id"] ?? "req-generated"),
    frameworkErrors: restFrameworkErrorHandler(errorRenderer),
  });
  const transcoder = createRestTranscoder({
    services: services.map((s) => s.service),
    handlers: router.handlers,
    registry,
    bodyLimitBytes,
  });
  await registerRestRoutes(app, {
    transcoder,
    contextValues: (req) => createContextValues().set(tenantKey, String(req.headers["x-tenant"] ?? "t0")),
    errorRenderer,
    notFound: (req, reply) =>
      sendRestError(
        reply,
        errorRenderer(req),
        new ConnectError(`No API route matches ${req.method} ${req.url.split("?", 1)[0]}.`, Code.NotFound),
        404,
      ),
  });
  return app;
}

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildApp([
    { service: ShelfService, impl },
    { service: CatalogService, impl: {} },
  ]);
});
afterAll(async () => {
  await app.close();
});
beforeEach(() => {
  books.clear();
  books.set("shelves/s1/books/b1", {
    name: "shelves/s1/books/b1",
    title: "Dune",
    tags: ["sf"],
    pageCount: 412,
  });
  books.set("shelves/s1/books/b2", {
    name: "shelves/s1/books/b2",
    title: "Emma",
    location: { city: "Bath", roomNumber: "2" },
  });
  handled.length = 0;
  intercepted.length = 0;
});

interface InjectInit {
  json?: unknown;
  payload?: string;
  headers?: Record<string, string>;
  auth?: false;
}

function call(method: string, url: string, init: InjectInit = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = init.auth === false ? {} : { authorization: TOKEN };
  let payload = init.payload;
  if (init.json !== undefined) {
    payload = JSON.stringify(init.json);
    headers["content-type"] = "application/json";
  }
  Object.assign(headers, init.headers);
  return app.inject({ method: method as "GET", url, headers, payload });
}

function lastCall(): Call {
  const last = handled.at(-1);
  if (!last) throw new Error("no call reached the implementation");
  return last;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes.
function expectJson(res: LightMyRequestResponse, status: number): any {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
  return res.json();
}

/** Asserts the REST error body and returns it. */
function expectError(res: LightMyRequestResponse, status: number, name: string, requestId = "req-generated") {
  const body = expectJson(res, status);
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error).toMatchObject({ code: status, status: name, requestId });
  expect(typeof body.error.message).toBe("string");
  expect(Array.isArray(body.error.fieldErrors)).toBe(true);
  expect(Array.isArray(body.error.details)).toBe(true);
  return body.error as {
    code: number;
    status: string;
    message: string;
    requestId: string;
    fieldErrors: { field: string; code: string; message: string }[];
    details: Record<string, unknown>[];
  };
}

// ---------------------------------------------------------------------------------------------------

describe("REST transcoder: every binding of a non-customer service is served", () => {
  it("GET with response_body answers with that field only, unpopulated scalars emitted", async () => {
    const res = await call("GET", "/v1/shelves/s1/books/b1");
    expect(expectJson(res, 200)).toEqual({
      name: "shelves/s1/books/b1",
      title: "Dune",
      tags: ["sf"],
      pageCount: 412,
    });
    expect(lastCall()).toMatchObject({ method: "GetBook", request: { name: "shelves/s1/books/b1" } });
    const other = await call("GET", "/v1/shelves/s1/books/b2");
    expect(expectJson(other, 200)).toEqual({
      name: "shelves/s1/books/b2",
      title: "Emma",
      location: { city: "Bath", roomNumber: "2" },
      tags: [],
      pageCount: 0,
    });
  });

  it("DELETE removes the book and answers {}", async () => {
    const res = await call("DELETE", "/v1/shelves/s1/books/b1");
    expect(expectJson(res, 200)).toEqual({});
    expect(lastCall().method).toBe("DeleteBook");
    expect(books.has("shelves/s1/books/b1")).toBe(false);
    expectError(await call("GET", "/v1/shelves/s1/books/b1"), 404, "NOT_FOUND");
  });

  it("a custom verb (kind SEARCH) is served", async () => {
    const res = await call("SEARCH", "/v1/shelves/s1/books", { json: { titlePrefix: "Em" } });
    expect(expectJson(res, 200)).toMatchObject({ books: [{ name: "shelves/s1/books/b2", title: "Emma" }] });
    expect(lastCall()).toMatchObject({
      method: "SearchBooks",
      request: { parent: "shelves/s1", titlePrefix: "Em" },
    });
  });

  it("a :verb not declared for the request's method is tried as plain data", async () => {
    // GET has no :move route, so "b1:move" is the last segment of the book name.
    expectError(await call("GET", "/v1/shelves/s1/books/b1:move"), 404, "NOT_FOUND");
    expect(lastCall()).toMatchObject({ method: "GetBook", request: { name: "shelves/s1/books/b1:move" } });
  });

  it('a :verb route with body "*" fills the request from the body and the path', async () => {
    const res = await call("POST", "/v1/shelves/s1/books/b1:move", { json: { destinationShelf: "s2" } });
    expect(expectJson(res, 200)).toMatchObject({ name: "shelves/s2/books/b1", title: "Dune" });
    expect(lastCall()).toMatchObject({
      method: "MoveBook",
      request: { name: "shelves/s1/books/b1", destinationShelf: "s2" },
    });
  });

  it("a ** variable takes the rest of the path, %2F kept encoded", async () => {
    const res = await call("GET", "/v1/files/docs/a%2Fb/read%20me.txt?pageSize=3");
    expect(expectJson(res, 200)).toEqual({ files: ["/docs/a%2Fb/read me.txt"] });
    expect(lastCall().request).toMatchObject({ path: "docs/a%2Fb/read me.txt", pageSize: 3 });
  });

  it.each<[httpMethod: string, url: string, body: unknown, mask: string[]]>([
    [
      "PATCH",
      "/v1/shelves/s1/books/b1",
      { title: "Dune Messiah", location: { roomNumber: "7" } },
      ["title", "location.room_number"],
    ],
    ["PUT", "/v1/shelves/s1/books/b1", { title: "Dune Messiah" }, ["*"]],
    ["PATCH", "/v1/shelves/s1/books/b1?updateMask=title", { title: "Dune Messiah", pageCount: 1 }, ["title"]],
  ])(
    "%s %s: the handler gets book.name from the path and update_mask %j",
    async (httpMethod, url, body, mask) => {
      const res = await call(httpMethod, url, { json: body });
      expect(expectJson(res, 200)).toMatchObject({ name: "shelves/s1/books/b1", title: "Dune Messiah" });
      const { method, request } = lastCall();
      expect(method).toBe("UpdateBook");
      expect((request.updateMask as FieldMask).paths).toEqual(mask);
      expect(request.book).toMatchObject({ name: "shelves/s1/books/b1", title: "Dune Messiah" });
    },
  );

  it("success_status 201 with a Location filled from the response, percent-encoded", async () => {
    const res = await call("POST", "/v1/shelves/s1/books?bookId=b%203", { json: { title: "Ubik" } });
    expect(expectJson(res, 201)).toEqual({
      name: "shelves/s1/books/b 3",
      title: "Ubik",
      tags: [],
      pageCount: 0,
    });
    expect(res.headers.location).toBe("/v1/shelves%2Fs1%2Fbooks%2Fb%203");
    expect(lastCall().request).toMatchObject({ shelf: "s1", bookId: "b 3", book: { title: "Ubik" } });
  });

  it.each<[url: string, status: number, body: unknown]>([
    ["/v1/shelves/missing", 204, undefined],
    ["/v1/shelves/s1", 200, { name: "shelves/s1", theme: "sci-fi" }],
  ])("not_found_as_no_content: GET %s → %i", async (url, status, body) => {
    const res = await call("GET", url);
    expect(res.statusCode).toBe(status);
    if (body === undefined) {
      expect(res.body).toBe("");
    } else {
      expect(res.json()).toEqual(body);
    }
    expect(lastCall().method).toBe("GetShelf");
  });

  it("NOT_FOUND without not_found_as_no_content is the 404 error body", async () => {
    const error = expectError(
      await call("GET", "/v1/shelves/s1/books/nope", { headers: { "x-request-id": "rid-404" } }),
      404,
      "NOT_FOUND",
      "rid-404",
    );
    expect(error).toEqual({
      code: 404,
      status: "NOT_FOUND",
      message: "No shelves/s1/books/nope.",
      requestId: "rid-404",
      fieldErrors: [],
      details: [],
    });
  });

  it.each<[url: string, status: number, names: string[] | undefined]>([
    ["/v1/shelves/empty/books", 204, undefined],
    ["/v1/shelves/s1/books", 200, ["shelves/s1/books/b1", "shelves/s1/books/b2"]],
  ])("no_content_when_empty: GET %s → %i", async (url, status, names) => {
    const res = await call("GET", url);
    expect(res.statusCode).toBe(status);
    if (names === undefined) {
      expect(res.body).toBe("");
    } else {
      const body = res.json() as { books: Book[]; nextPageToken: string };
      expect(body.books.map((b) => b.name)).toEqual(names);
      expect(body.nextPageToken).toBe("");
    }
  });

  it("a binding whose method the implementation lacks answers 501 UNIMPLEMENTED", async () => {
    const error = expectError(await call("GET", "/v1/things/t1"), 501, "UNIMPLEMENTED");
    expect(error.message).toBe("test.v1.CatalogService.GetThing is not implemented");
  });

  it("HEAD on a GET route answers like GET, without a body", async () => {
    const res = await call("HEAD", "/v1/shelves/s1/books/b1");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.body).toBe("");
    expect(lastCall()).toMatchObject({ method: "GetBook", request: { name: "shelves/s1/books/b1" } });
    const missing = await call("HEAD", "/v1/shelves/s1/books/nope");
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toBe("");
  });
});

describe("REST transcoder: the call goes through the same pipeline as Connect", () => {
  it("request headers reach the handler as metadata, without hop-by-hop headers", async () => {
    await call("GET", "/v1/shelves/s1/books/b1", {
      headers: { "x-client": "shelf-cli/1.0", "x-tenant": "acme", connection: "keep-alive", te: "trailers" },
    });
    const { context } = lastCall();
    expect(context.requestHeader.get("x-client")).toBe("shelf-cli/1.0");
    expect(context.requestHeader.get("authorization")).toBe(TOKEN);
    for (const hop of ["connection", "te", "host"]) expect(context.requestHeader.has(hop)).toBe(false);
    // REST calls reach the router's own handler as unary Connect calls (one invocation path).
    expect(context.protocolName).toBe("connect");
    expect(context.requestMethod).toBe("POST");
    expect(context.method.name).toBe("GetBook");
    expect(context.service).toBe(ShelfService);
    expect(context.values.get(tenantKey)).toBe("acme");
    // connect-es's own call signal (it ends with the call, as for gRPC and Connect callers).
    expect(context.signal).toBeInstanceOf(AbortSignal);
  });

  it("response headers and trailers set by the handler and the interceptors become response headers", async () => {
    const res = await call("POST", "/v1/shelves/s9/books", { json: { title: "Solaris" } });
    expect(res.statusCode).toBe(201);
    expect(res.headers["x-custom"]).toBe("1");
    expect(res.headers["x-trailer"]).toBe("done");
    expect(res.headers["x-intercepted"]).toBe("yes");
  });

  it("every REST call runs the interceptors, outermost first, with the per-request context values", async () => {
    await call("GET", "/v1/shelves/s1/books/b1", { headers: { "x-tenant": "acme" } });
    await call("DELETE", "/v1/shelves/s1/books/b2");
    await call("GET", "/v1/files/a/b");
    await call("GET", "/v1/shelves/s1/books/b1", { auth: false });
    expect(intercepted).toEqual([
      "test.v1.ShelfService/GetBook POST tenant=acme",
      "test.v1.ShelfService/DeleteBook POST tenant=t0",
      "test.v1.ShelfService/ListFiles POST tenant=t0",
      "test.v1.ShelfService/GetBook POST tenant=t0",
    ]);
    // The last one was stopped by the inner (auth) interceptor before the implementation.
    expect(handled.map((c) => c.method)).toEqual(["GetBook", "DeleteBook", "ListFiles"]);
  });

  it("requests rejected before the RPC (routing, body, query) never reach the interceptors", async () => {
    await call("GET", "/v1/nowhere");
    await call("GET", "/v1/shelves/s1/books/b1?bogus=1");
    await call("POST", "/v1/shelves/s1/books/b1:move", {
      payload: "{",
      headers: { "content-type": "application/json" },
    });
    expect(intercepted).toEqual([]);
    expect(handled).toEqual([]);
  });

  it("an interceptor's Unauthenticated error is 401 with WWW-Authenticate from the error metadata", async () => {
    const res = await call("GET", "/v1/shelves/s1/books/b1", {
      auth: false,
      headers: { "x-request-id": "rid-401" },
    });
    const error = expectError(res, 401, "UNAUTHENTICATED", "rid-401");
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="shelves"');
    expect(error).toEqual({
      code: 401,
      status: "UNAUTHENTICATED",
      message: "Send the shelf key.",
      requestId: "rid-401",
      fieldErrors: [],
      details: [],
    });
    expect(handled).toEqual([]);
  });

  it("validation errors from the handler are translated to the client's JSON paths (body field prefix removed)", async () => {
    const error = expectError(
      await call("PATCH", "/v1/shelves/s1/books/b1", { json: { title: "!" } }),
      400,
      "INVALID_ARGUMENT",
    );
    expect(error.fieldErrors).toEqual([
      { field: "title", code: "INVALID_CHARACTERS", message: "title may not be !." },
      { field: "updateMask", code: "NOT_ALLOWED", message: "updateMask is not allowed here." },
    ]);
    expect(error.details.map((d) => d["@type"])).toEqual([
      "type.googleapis.com/google.rpc.BadRequest",
      "type.googleapis.com/google.rpc.ErrorInfo",
      "type.googleapis.com/google.rpc.RequestInfo",
    ]);
  });

  it('validation errors on a body "*" binding keep their JSON names', async () => {
    const error = expectError(
      await call("POST", "/v1/shelves/s1/books/b1:move", { json: {} }),
      400,
      "INVALID_ARGUMENT",
    );
    expect(error.fieldErrors).toEqual([
      { field: "destinationShelf", code: "REQUIRED", message: "destinationShelf is required." },
    ]);
  });

  it("an unexpected exception in the handler is a generic 500 INTERNAL", async () => {
    const error = expectError(
      await call("PATCH", "/v1/shelves/s1/books/b1", { json: { title: "crash" } }),
      500,
      "INTERNAL",
    );
    expect(error.message).toBe("Internal error. Quote the request id when reporting it.");
    expect(JSON.stringify(error)).not.toContain("cannot read properties");
  });
});

describe("REST transcoder: errors before the call use the same JSON error body", () => {
  it.each<
    [
      label: string,
      method: string,
      url: string,
      init: InjectInit,
      status: number,
      name: string,
      message: RegExp,
    ]
  >([
    [
      "unknown path",
      "GET",
      "/v1/nowhere",
      {},
      404,
      "NOT_FOUND",
      /^No API route matches GET \/v1\/nowhere\.$/,
    ],
    ["trailing slash", "GET", "/v1/shelves/s1/books/b1/", {}, 404, "NOT_FOUND", /^No API route matches/],
    [
      "body over bodyLimitBytes",
      "POST",
      "/v1/shelves/s1/books/b1:move",
      { json: { destinationShelf: "x".repeat(2000) } },
      413,
      "RESOURCE_EXHAUSTED",
      /larger than 1024 bytes/,
    ],
    [
      "a text/plain body",
      "POST",
      "/v1/shelves/s1/books/b1:move",
      { payload: "destinationShelf=s2", headers: { "content-type": "text/plain" } },
      415,
      "INVALID_ARGUMENT",
      /application\/json/,
    ],
    [
      "a form body",
      "PATCH",
      "/v1/shelves/s1/books/b1",
      { payload: "title=x", headers: { "content-type": "application/x-www-form-urlencoded" } },
      415,
      "INVALID_ARGUMENT",
      /application\/json/,
    ],
    [
      "malformed JSON",
      "POST",
      "/v1/shelves/s1/books/b1:move",
      { payload: '{"destinationShelf":', headers: { "content-type": "application/json" } },
      400,
      "INVALID_ARGUMENT",
      /^The body is not valid JSON/,
    ],
    [
      "a JSON body that is not an object",
      "POST",
      "/v1/shelves/s1/books/b1:move",
      { json: ["s2"] },
      400,
      "INVALID_ARGUMENT",
      /^The request body must be a JSON object\.$/,
    ],
    [
      "a body on GET",
      "GET",
      "/v1/shelves/s1/books/b1",
      { json: { title: "x" } },
      400,
      "INVALID_ARGUMENT",
      /takes no request body/,
    ],
  ])("%s: %s %s", async (_label, method, url, init, status, name, message) => {
    const error = expectError(await call(method, url, init), status, name);
    expect(error.message).toMatch(message);
    expect(error.fieldErrors).toEqual([]);
    expect(handled).toEqual([]);
  });

  it("a value of the wrong JSON type is a field error naming the field", async () => {
    const error = expectError(
      await call("PATCH", "/v1/shelves/s1/books/b1", { json: { pageCount: "many" } }),
      400,
      "INVALID_ARGUMENT",
    );
    expect(error.fieldErrors).toMatchObject([{ field: "pageCount", code: "INVALID_FORMAT" }]);
    expect(handled).toEqual([]);
  });

  it("malformed percent-encoding in a query value is 400 naming the parameter", async () => {
    const error = expectError(await call("GET", "/v1/shelves/s1/books/b1?view=%ZZ"), 400, "INVALID_ARGUMENT");
    expect(error.fieldErrors).toMatchObject([{ field: "view", code: "INVALID_FORMAT" }]);
    expect(handled).toEqual([]);
  });

  it("malformed percent-encoding in the path is 400", async () => {
    const res = await call("GET", "/v1/shelves/s%zz/books/b1");
    expect(res.statusCode).toBe(400);
    expect(handled).toEqual([]);
  });

  it("malformed percent-encoding in the path is answered with the REST error body", async () => {
    // Fastify rejects the URL (FST_ERR_BAD_URL) before any route runs; restFrameworkErrorHandler answers.
    const error = expectError(await call("GET", "/v1/shelves/s%zz/books/b1"), 400, "INVALID_ARGUMENT");
    expect(error.message).toMatch(/percent-encoding/);
  });

  it.each<[method: string, url: string, allow: string]>([
    ["POST", "/v1/shelves/s1/books/b1", "DELETE, GET, PATCH, PUT"],
    ["POST", "/v1/shelves/s1", "GET"],
    ["DELETE", "/v1/files/a/b", "GET"],
    ["PUT", "/v1/shelves/s1/books", "GET, POST, SEARCH"],
  ])("%s %s → 405 with Allow: %s", async (method, url, allow) => {
    const res = await call(method, url, method === "GET" ? {} : { json: {} });
    const error = expectError(res, 405, "UNIMPLEMENTED");
    expect(res.headers.allow).toBe(allow);
    expect(error.message).toBe(`${method} is not allowed here; use ${allow.replaceAll(", ", " or ")}.`);
  });

  it.each<[label: string, url: string, init: InjectInit, fieldErrors: [string, string][]]>([
    ["an unknown query parameter", "/v1/shelves/s1/books/b1?pageSise=1", {}, [["pageSise", "UNKNOWN_FIELD"]]],
    [
      "a query parameter for a path-bound field",
      "/v1/shelves/s1/books/b1?name=x",
      {},
      [["name", "NOT_ALLOWED"]],
    ],
  ])("GET with %s → 400 with fieldErrors", async (_label, url, init, fieldErrors) => {
    const error = expectError(await call("GET", url, init), 400, "INVALID_ARGUMENT");
    expect(error.fieldErrors.map((e) => [e.field, e.code])).toEqual(fieldErrors);
  });

  it("unknown body keys → 400 with every key as an UNKNOWN_FIELD field error", async () => {
    const error = expectError(
      await call("PATCH", "/v1/shelves/s1/books/b1", { json: { titel: "x", location: { room: "1" } } }),
      400,
      "INVALID_ARGUMENT",
    );
    expect(error.fieldErrors.map((e) => [e.field, e.code])).toEqual([
      ["titel", "UNKNOWN_FIELD"],
      ["location.room", "UNKNOWN_FIELD"],
    ]);
    expect(error.message).toBe("2 fields are invalid.");
  });

  it("accepts application/json with parameters and an empty body on a body binding", async () => {
    const res = await call("POST", "/v1/shelves/s1/books/b1:move", {
      payload: '{"destinationShelf":"s3"}',
      headers: { "content-type": "Application/JSON; charset=utf-8" },
    });
    expect(expectJson(res, 200)).toMatchObject({ name: "shelves/s3/books/b1" });
    const empty = await call("POST", "/v1/shelves/s3/books/b1:move");
    // An empty body is {}: the handler's own validation names the missing field.
    expect(expectError(empty, 400, "INVALID_ARGUMENT").fieldErrors[0]?.field).toBe("destinationShelf");
  });
});

describe("REST transcoder: start-up checks", () => {
  /** The registration error's message, or "registered" when registration succeeded. */
  async function registration(services: TranscodedService[]): Promise<string> {
    try {
      await (await buildApp(services)).close();
      return "registered";
    } catch (error) {
      return (error as Error).message;
    }
  }

  it("two RPCs of one service matching the same requests stop registration, naming both", async () => {
    expect(await registration([{ service: ConflictService, impl: {} }])).toMatch(
      /"test\.v1\.ConflictService\/GetA" \(GET \/v1\/things\/\{x\}\) and "test\.v1\.ConflictService\/GetB" \(GET \/v1\/things\/\{y\}\) match the same requests/,
    );
  });

  it("two services with the same route stop registration, naming both RPCs", async () => {
    expect(
      await registration([
        { service: CatalogService, impl: {} },
        { service: ShelfService, impl },
        { service: ConflictService, impl: {} },
      ]),
    ).toMatch(/test\.v1\.CatalogService\/GetThing.*test\.v1\.ConflictService\/GetA/);
  });

  it("a custom verb that no HTTP server can receive (ARCHIVE) stops registration, naming the RPC", async () => {
    // Node's HTTP parser, Fastify (addHttpMethod) and light-my-request only accept http.METHODS, so an
    // ARCHIVE route could never be reached; like the other annotation checks, it should fail at start-up.
    expect(await registration([{ service: ArchiveService, impl }])).toMatch(
      /test\.v1\.ArchiveService\/ArchiveBook.*ARCHIVE/,
    );
  });

  it("the streaming method without an annotation is ignored, the rest served", async () => {
    const other = await buildApp([{ service: ShelfService, impl }]);
    try {
      const res = await other.inject({
        method: "GET",
        url: "/v1/shelves/s1/books/b1",
        headers: { authorization: TOKEN },
      });
      expect(res.statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });

  it("the body limit is the one given", async () => {
    const small = await buildApp([{ service: ShelfService, impl }], 16);
    try {
      const res = await small.inject({
        method: "POST",
        url: "/v1/shelves/s1/books/b1:move",
        headers: { authorization: TOKEN, "content-type": "application/json" },
        payload: JSON.stringify({ destinationShelf: "s22222" }),
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.message).toBe("The request body is larger than 16 bytes.");
    } finally {
      await small.close();
    }
  });
});
