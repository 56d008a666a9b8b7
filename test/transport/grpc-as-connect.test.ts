// Unary gRPC and gRPC-web translated onto the Connect unary path (src/transport/grpc-as-connect.ts),
// seen from the wire: a raw node:http2 client and fetch against the real one-port server and
// Connect routes, with an implementation of CustomerService of this test's own, so the cases the
// translation owns (deadlines, compression, framing errors, metadata) can be provoked directly.
import { request as httpRequest } from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createConnectRouter,
  createContextValues,
  type HandlerContext,
  type Interceptor,
} from "@connectrpc/connect";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Customer, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import { CustomerService, GetCustomerRequestSchema } from "../../gen/customers/v1/customer_service_pb.js";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";
import { registerConnectRoutes } from "../../src/transport/connect-routes.js";
import { createOnePortServer } from "../../src/transport/one-port-server.js";

const PATH = "/customers.v1.CustomerService/GetCustomer";
const seen: { method: string; timeoutMs?: number; protocol?: string; header: string | null }[] = [];

const recordCall: Interceptor = (next) => async (req) => {
  seen.push({ method: req.method.name, header: req.header.get("x-caller") });
  return next(req);
};

function getCustomer(request: { customerId: string }, context: HandlerContext): Promise<Customer> | Customer {
  const last = seen.at(-1);
  if (last) Object.assign(last, { timeoutMs: context.timeoutMs(), protocol: context.protocolName });
  const id = request.customerId;
  if (id === "fail") {
    throw new ConnectError("no such customer", Code.NotFound, { "x-reason": "gone" });
  }
  if (id === "slow") {
    return new Promise((_resolve, reject) => {
      context.signal.addEventListener("abort", () => reject(context.signal.reason));
    });
  }
  context.responseHeader.set("x-answer", "42");
  context.responseTrailer.set("x-done", "yes");
  // "big" answers with a message large enough to be compressed (over 1 KiB).
  return create(CustomerSchema, { customerId: id, firstName: id === "big" ? "A".repeat(4000) : "Ada" });
}

let app: FastifyInstance;
let base: string;
beforeAll(async () => {
  const router = createConnectRouter({
    readMaxBytes: 8192,
    acceptCompression: [compressionGzip, compressionBrotli],
  });
  router.service(CustomerService, { getCustomer }, { interceptors: [recordCall] });
  app = Fastify({ serverFactory: (handler) => createOnePortServer(handler, {}) });
  await registerConnectRoutes(app, {
    handlers: router.handlers,
    contextValues: () => createContextValues(),
    readMaxBytes: 8192,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app.close();
});

function frame(message: Uint8Array, flags = 0): Buffer {
  const header = Buffer.alloc(5);
  header[0] = flags;
  header.writeUInt32BE(message.byteLength, 1);
  return Buffer.concat([header, message]);
}

function request(customerId: string): Uint8Array {
  return toBinary(GetCustomerRequestSchema, create(GetCustomerRequestSchema, { customerId }));
}

interface H2Answer {
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  trailers: http2.IncomingHttpHeaders;
}

/** One gRPC call over a fresh HTTP/2 connection, read to the end. */
function grpcCall(body: Buffer, headers: Record<string, string> = {}): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(base);
    session.on("error", reject);
    const stream = session.request({
      ":method": "POST",
      ":path": PATH,
      "content-type": "application/grpc",
      te: "trailers",
      ...headers,
    });
    let responseHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => {
      responseHeaders = h;
    });
    stream.on("trailers", (t) => {
      trailers = t;
    });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      session.close();
      resolve({ headers: responseHeaders, body: Buffer.concat(chunks), trailers });
    });
    stream.on("error", reject);
    stream.end(body);
  });
}

function messageOf(body: Buffer): { flags: number; data: Buffer } {
  expect(body.length).toBeGreaterThanOrEqual(5);
  const length = body.readUInt32BE(1);
  expect(body.length).toBe(5 + length);
  return { flags: body[0] as number, data: body.subarray(5) };
}

function statusOf(trailers: http2.IncomingHttpHeaders) {
  const details = String(trailers["grpc-status-details-bin"] ?? "");
  return {
    code: Number(trailers["grpc-status"]),
    message: decodeURIComponent(String(trailers["grpc-message"] ?? "")),
    status: details === "" ? undefined : fromBinary(StatusSchema, Buffer.from(details, "base64")),
  };
}

describe("unary gRPC over HTTP/2, translated to Connect", () => {
  it("answers with one uncompressed message, headers and trailers from the handler, grpc-status 0", async () => {
    const answer = await grpcCall(frame(request("c1")), { "x-caller": "svc-a" });
    expect(answer.headers[":status"]).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/grpc+proto");
    expect(answer.headers["x-answer"]).toBe("42");
    const { flags, data } = messageOf(answer.body);
    expect(flags).toBe(0);
    expect(fromBinary(CustomerSchema, data)).toMatchObject({ customerId: "c1", firstName: "Ada" });
    expect(answer.trailers["grpc-status"]).toBe("0");
    expect(answer.trailers["x-done"]).toBe("yes");
    // The implementation ran through the router's interceptors, with the caller's metadata, on
    // connect-es's Connect unary path (the cheap one), not its gRPC pipeline.
    expect(seen.at(-1)).toMatchObject({ method: "GetCustomer", header: "svc-a", protocol: "connect" });
  });

  it("puts an error's status, details and metadata in the trailers", async () => {
    const answer = await grpcCall(frame(request("fail")));
    expect(answer.headers[":status"]).toBe(200);
    expect(answer.body.length).toBe(0);
    const { code, message, status } = statusOf(answer.trailers);
    expect(code).toBe(Code.NotFound);
    expect(message).toBe("no such customer");
    expect(status?.code).toBe(Code.NotFound);
    expect(answer.trailers["x-reason"]).toBe("gone");
  });

  it("passes grpc-timeout on as the call's deadline", async () => {
    await grpcCall(frame(request("c1")), { "grpc-timeout": "2S" });
    const timeoutMs = seen.at(-1)?.timeoutMs ?? 0;
    expect(timeoutMs).toBeGreaterThan(1000);
    expect(timeoutMs).toBeLessThanOrEqual(2000);
    const slow = await grpcCall(frame(request("slow")), { "grpc-timeout": "50m" });
    expect(statusOf(slow.trailers).code).toBe(Code.DeadlineExceeded);
  });

  it("refuses a malformed grpc-timeout with INVALID_ARGUMENT", async () => {
    const answer = await grpcCall(frame(request("c1")), { "grpc-timeout": "soon" });
    expect(statusOf(answer.trailers)).toMatchObject({ code: Code.InvalidArgument });
    expect(statusOf(answer.trailers).message).toContain("grpc timeout");
  });

  it("reads a gzip-compressed message (flag 1, grpc-encoding gzip)", async () => {
    const answer = await grpcCall(frame(zlib.gzipSync(request("c-gz")), 1), { "grpc-encoding": "gzip" });
    expect(answer.trailers["grpc-status"]).toBe("0");
    expect(fromBinary(CustomerSchema, messageOf(answer.body).data).customerId).toBe("c-gz");
  });

  it("refuses a compressed message without grpc-encoding (INTERNAL) or with an unknown one (UNIMPLEMENTED)", async () => {
    const bare = await grpcCall(frame(zlib.gzipSync(request("c1")), 1));
    expect(statusOf(bare.trailers).code).toBe(Code.Internal);
    const snappy = await grpcCall(frame(request("c1"), 1), { "grpc-encoding": "snappy" });
    expect(statusOf(snappy.trailers).code).toBe(Code.Unimplemented);
  });

  it("compresses a large answer when the client accepts gzip", async () => {
    const answer = await grpcCall(frame(request("big")), { "grpc-accept-encoding": "gzip" });
    expect(answer.headers["grpc-encoding"]).toBe("gzip");
    const { flags, data } = messageOf(answer.body);
    expect(flags).toBe(1);
    expect(fromBinary(CustomerSchema, zlib.gunzipSync(data)).firstName).toHaveLength(4000);
  });

  it.each([
    ["no message", Buffer.alloc(0), Code.Unimplemented],
    ["two messages", Buffer.concat([frame(request("a")), frame(request("b"))]), Code.Unimplemented],
    ["a truncated envelope", frame(request("c1")).subarray(0, 8), Code.InvalidArgument],
    ["a message over readMaxBytes", frame(new Uint8Array(9000)), Code.ResourceExhausted],
  ])("answers %s with the gRPC status connect-es gives it", async (_label, body, code) => {
    const answer = await grpcCall(body);
    expect(answer.headers[":status"]).toBe(200);
    expect(statusOf(answer.trailers).code).toBe(code);
  });

  it("serves the JSON codec (application/grpc+json)", async () => {
    const json = Buffer.from(JSON.stringify({ customerId: "c-json" }));
    const answer = await grpcCall(frame(json), { "content-type": "application/grpc+json" });
    expect(answer.headers["content-type"]).toBe("application/grpc+json");
    expect(JSON.parse(messageOf(answer.body).data.toString())).toMatchObject({ customerId: "c-json" });
  });
});

describe("unary gRPC-web, translated to Connect", () => {
  async function grpcWeb(body: Buffer, contentType = "application/grpc-web+proto") {
    const res = await fetch(`${base}${PATH}`, {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    });
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  }

  function trailerFrame(body: Buffer, at: number): Record<string, string> {
    expect(body[at]).toBe(0x80);
    const text = body.subarray(at + 5, at + 5 + body.readUInt32BE(at + 1)).toString();
    return Object.fromEntries(
      text
        .split("\r\n")
        .filter((line) => line !== "")
        .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()]),
    );
  }

  it("answers with the message frame, then a trailer frame with grpc-status 0 and the handler's trailers", async () => {
    const { res, body } = await grpcWeb(frame(request("w1")));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/grpc-web+proto");
    const length = body.readUInt32BE(1);
    expect(fromBinary(CustomerSchema, body.subarray(5, 5 + length)).customerId).toBe("w1");
    expect(trailerFrame(body, 5 + length)).toMatchObject({ "grpc-status": "0", "x-done": "yes" });
  });

  it("answers an error with a trailer frame only", async () => {
    const { res, body } = await grpcWeb(frame(request("fail")));
    expect(res.status).toBe(200);
    expect(trailerFrame(body, 0)).toMatchObject({ "grpc-status": String(Code.NotFound), "x-reason": "gone" });
  });

  it("leaves gRPC-web-text (base64 bodies) to connect-es, which answers as it always has (415)", async () => {
    const { res } = await grpcWeb(
      Buffer.from(frame(request("w-text")).toString("base64")),
      "application/grpc-web-text+proto",
    );
    expect(res.status).toBe(415);
  });
});

describe("unary gRPC over HTTP/1.1", () => {
  function grpcOverHttp1(
    body: Buffer,
  ): Promise<{ status: number; body: Buffer; trailers: NodeJS.Dict<string> }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        `${base}${PATH}`,
        { method: "POST", headers: { "content-type": "application/grpc", te: "trailers" } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), trailers: res.trailers }),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  it("carries the status in chunked-encoding trailers, for answers and for errors", async () => {
    const ok = await grpcOverHttp1(frame(request("h1")));
    expect(ok.status).toBe(200);
    expect(fromBinary(CustomerSchema, messageOf(ok.body).data).customerId).toBe("h1");
    expect(ok.trailers["grpc-status"]).toBe("0");
    const failed = await grpcOverHttp1(frame(request("fail")));
    expect(failed.body.length).toBe(0);
    expect(failed.trailers["grpc-status"]).toBe(String(Code.NotFound));
  });
});
