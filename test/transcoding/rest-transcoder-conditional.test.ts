// The transcoder's two generic pieces for entity tags, on plain node:http with a test-only service:
// a conditional GET answered from the ETag the handler set (If-None-Match → 304), and
// http_response.error_statuses, which gives an error an HTTP status by its ErrorInfo reason (412).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createRegistry } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createConnectRouter,
  createContextValues,
  type HandlerContext,
  type ServiceImpl,
} from "@connectrpc/connect";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ErrorInfoSchema, file_google_rpc_error_details } from "../../gen/google/rpc/error_details_pb.js";
import type { RestErrorRenderer } from "../../src/transcoding/rest-response.js";
import { createRestTranscoder } from "../../src/transcoding/rest-transcoder.js";
import { BOOK, buildService, rpc, shelfFile } from "./support/shelf-service.js";

const PRECONDITIONS = { errorStatuses: [{ reason: "PRECONDITION_FAILED", status: 412 }] };
const EtagService = buildService("EtagService", [
  rpc("GetBook", "GetBookRequest", "Book", { pattern: { case: "get", value: BOOK } }),
  rpc("DeleteBook", "DeleteBookRequest", "Book", { pattern: { case: "delete", value: BOOK } }, PRECONDITIONS),
  // The same errors, without error_statuses: the canonical status of the code.
  rpc("MoveBook", "MoveBookRequest", "Book", { pattern: { case: "post", value: `${BOOK}:move` }, body: "*" }),
]);

/** What reached the handlers: the if-none-match metadata of each call. */
const seen: (string | null)[] = [];

function answer(name: string, context: HandlerContext) {
  seen.push(context.requestHeader.get("if-none-match"));
  const reason = name.split("/").at(-1)?.toUpperCase();
  if (reason === "PRECONDITION_FAILED" || reason === "ETAG_MISMATCH") {
    throw new ConnectError("stale", Code.Aborted, undefined, [
      { desc: ErrorInfoSchema, value: { reason, domain: "test" } },
    ]);
  }
  if (!name.endsWith("/untagged")) context.responseHeader.set("etag", '"v7"');
  return { name, title: "Dune" };
}

// biome-ignore lint/suspicious/noExplicitAny: EtagService is built at run time, so its methods are untyped.
const impl: Partial<ServiceImpl<any>> = {
  getBook: (request: unknown, context: HandlerContext) => answer((request as { name: string }).name, context),
  deleteBook: (request: unknown, context: HandlerContext) =>
    answer((request as { name: string }).name, context),
  moveBook: (request: unknown, context: HandlerContext) =>
    answer((request as { name: string }).name, context),
};

const router = createConnectRouter();
router.service(EtagService, impl);
const transcoder = createRestTranscoder({
  services: [EtagService],
  handlers: router.handlers,
  registry: createRegistry(file_google_rpc_error_details, shelfFile),
  bodyLimitBytes: 256,
});
/** This test's own body: the code, the HTTP status the transcoder asked for (if any) and the reason. */
const renderError: RestErrorRenderer = (error, how) => ({
  status: how.status ?? (error.code === Code.Aborted ? 409 : 500),
  body: {
    code: Code[error.code],
    asked: how.status ?? null,
    reason: error.findDetails(ErrorInfoSchema)[0]?.reason,
  },
});

let server: http.Server;
let base: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    void transcoder.handle(req, res, { contextValues: createContextValues(), renderError });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
});

function get(path: string, headers: Record<string, string> = {}, method = "GET") {
  return fetch(`${base}${path}`, { method, headers });
}

describe("conditional GET from the handler's ETag", () => {
  it("copies the handler's etag header to the response as ETag", async () => {
    const res = await get("/v1/shelves/s1/books/b1");
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"v7"');
    expect(await res.json()).toEqual({ name: "shelves/s1/books/b1", title: "Dune", tags: [], pageCount: 0 });
  });

  it.each(['"v7"', 'W/"v7"', '"v1", "v7"', "*"])(
    "answers If-None-Match %s with 304, no body, and the ETag",
    async (ifNoneMatch) => {
      const res = await get("/v1/shelves/s1/books/b1", { "if-none-match": ifNoneMatch });
      expect(res.status).toBe(304);
      expect(res.headers.get("etag")).toBe('"v7"');
      expect(res.headers.get("content-type")).toBeNull();
      expect(await res.text()).toBe("");
    },
  );

  it("answers HEAD the same way", async () => {
    const res = await get("/v1/shelves/s1/books/b1", { "if-none-match": '"v7"' }, "HEAD");
    expect(res.status).toBe(304);
    expect(res.headers.get("etag")).toBe('"v7"');
  });

  it.each([
    ["another etag", '"v6"'],
    ["a malformed value", "v7"],
  ])("answers If-None-Match with %s in full (200)", async (_name, ifNoneMatch) => {
    const res = await get("/v1/shelves/s1/books/b1", { "if-none-match": ifNoneMatch });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ title: "Dune" });
  });

  it("answers in full when the handler sets no etag, even to If-None-Match: *", async () => {
    const res = await get("/v1/shelves/s1/books/untagged", { "if-none-match": "*" });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBeNull();
  });

  it("leaves If-None-Match on other methods to the handler, which gets it as metadata", async () => {
    const res = await get("/v1/shelves/s1/books/b1", { "if-none-match": '"v7"' }, "DELETE");
    expect(res.status).toBe(200);
    expect(seen).toEqual(['"v7"']);
  });

  it("passes If-None-Match on to the handler of a GET too", async () => {
    await get("/v1/shelves/s1/books/b1", { "if-none-match": '"v7"' });
    expect(seen).toEqual(['"v7"']);
  });
});

describe("http_response.error_statuses", () => {
  it("answers an error carrying a listed ErrorInfo reason with the declared status", async () => {
    const res = await get("/v1/shelves/s1/books/precondition_failed", {}, "DELETE");
    expect(res.status).toBe(412);
    expect(await res.json()).toEqual({ code: "Aborted", asked: 412, reason: "PRECONDITION_FAILED" });
  });

  it("leaves errors with other reasons to their code's status", async () => {
    const res = await get("/v1/shelves/s1/books/etag_mismatch", {}, "DELETE");
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ code: "Aborted", asked: null, reason: "ETAG_MISMATCH" });
  });

  it("applies to the method that declares it only", async () => {
    const res = await fetch(`${base}/v1/shelves/s1/books/precondition_failed:move`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ code: "Aborted", asked: null, reason: "PRECONDITION_FAILED" });
  });
});
