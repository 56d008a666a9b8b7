// The transcoder without Fastify and without this service's error domain: a bare node:http server,
// a renderer of its own, and a test-only service. What the customer service adds (the REST error
// body of docs/api.md, ErrorInfo, RequestInfo) is exercised in rest-transcoder.test.ts and test/e2e.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createRegistry } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createConnectRouter,
  createContextValues,
  type ServiceImpl,
} from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestSchema, file_google_rpc_error_details } from "../../gen/google/rpc/error_details_pb.js";
import type { RestErrorRenderer } from "../../src/transcoding/rest-response.js";
import { createRestTranscoder } from "../../src/transcoding/rest-transcoder.js";
import { ShelfService, shelfFile } from "./support/shelf-service.js";

const router = createConnectRouter();
// biome-ignore lint/suspicious/noExplicitAny: ShelfService is built at run time, so its methods are untyped.
const impl: Partial<ServiceImpl<any>> = {
  getBook(request: unknown) {
    const { name } = request as { name: string };
    if (name.endsWith("/missing")) throw new ConnectError("no such book", Code.NotFound);
    return { book: { name, title: "Dune", pageCount: 412 }, etag: "v1" };
  },
  createBook(request: unknown) {
    const { shelf, book } = request as { shelf: string; book: { title: string } };
    return { name: `shelves/${shelf}/books/b1`, title: book.title };
  },
};
router.service(ShelfService, impl);
const transcoder = createRestTranscoder({
  services: [ShelfService],
  handlers: router.handlers,
  registry: createRegistry(file_google_rpc_error_details, shelfFile),
  bodyLimitBytes: 256,
});
/** A minimal body of this test's own: code, HTTP status, and the violations as the client spelled them. */
const renderError: RestErrorRenderer = (error, how) => ({
  status: how.status ?? (error.code === Code.NotFound ? 404 : 400),
  body: {
    code: Code[error.code],
    fromCall: how.fromCall,
    proto: error.findDetails(BadRequestSchema).flatMap((b) => b.fieldViolations.map((v) => v.field)),
    client: error
      .findDetails(BadRequestSchema)
      .flatMap((b) => b.fieldViolations.map((v) => how.fieldPath?.(v.field) ?? v.field)),
  },
});

let server: http.Server;
let base: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    void transcoder
      .handle(req, res, { contextValues: createContextValues(), renderError })
      .then((outcome) => {
        if (outcome === "not-found") res.writeHead(404).end("not ours");
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("createRestTranscoder on plain node:http", () => {
  it("serves a GET binding with its response_body", async () => {
    const res = await fetch(`${base}/v1/shelves/s1/books/b1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: "shelves/s1/books/b1", title: "Dune", pageCount: 412 });
  });

  it("serves a POST binding with a body, success status and Location", async () => {
    const res = await fetch(`${base}/v1/shelves/s9/books`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "Emma" }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe("/v1/shelves%2Fs9%2Fbooks%2Fb1");
    expect(await res.json()).toMatchObject({ title: "Emma" });
  });

  it("hands RPC errors to the application's renderer, marked as from the call", async () => {
    const res = await fetch(`${base}/v1/shelves/s1/books/missing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: "NotFound", fromCall: true, proto: [], client: [] });
  });

  it("refuses request-shape problems with google.rpc.BadRequest: proto paths, client paths via fieldPath", async () => {
    const res = await fetch(`${base}/v1/shelves/s9/books`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "Emma", pageCount: "many", location: { roomNo: "4" } }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: "InvalidArgument",
      fromCall: false,
      proto: ["book.location.roomNo"],
      client: ["location.roomNo"],
    });
  });

  it("answers too-large bodies with the status it chose (413), before the call", async () => {
    const res = await fetch(`${base}/v1/shelves/s9/books`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "x".repeat(400) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "ResourceExhausted", fromCall: false });
  });

  it("leaves paths no binding has to the application", async () => {
    const res = await fetch(`${base}/elsewhere`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("not ours");
  });
});
