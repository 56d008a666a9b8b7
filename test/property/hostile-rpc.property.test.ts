// Hostile input on the RPC protocols never gets a server fault or a dropped stream: random protobuf
// bytes (well-formed messages with hostile content, protobuf-like bytes with lying lengths and bad
// wire types, random bytes) sent as gRPC over h2c (correctly enveloped, and in broken envelopes), as
// gRPC-web and as Connect binary, and hostile JSON as Connect JSON. Every answer is OK or a client
// error with the documented rich details (ErrorInfo, RequestInfo), and the server stays healthy.
import http2 from "node:http2";
import zlib from "node:zlib";
import { create, type DescMethod, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { AddressSchema, CustomerSchema } from "../../gen/customers/v1/customer_pb.js";
import { CustomerService, UpdateCustomerRequestSchema } from "../../gen/customers/v1/customer_service_pb.js";
import {
  boundedHostileString,
  deeplyNested,
  envelope,
  fieldNames,
  grpcBody,
  hostileBody,
  hostileMessageBytes,
  hostileMessageJson,
  hostileString,
  isCompressedEnvelope,
  protobufLike,
} from "./hostile-arbitraries.js";
import {
  AUTH,
  decodedBody,
  expectConnectAnswer,
  expectGrpcAnswer,
  grpcStatusOf,
  grpcWebFrames,
  http1,
  http2Exchange,
  liveServer,
} from "./wire.js";

const METHODS = CustomerService.methods;
const method = fc.constantFrom(...METHODS);
const pathOf = (m: DescMethod) => `/${CustomerService.typeName}/${m.name}`;

/** Connect JSON requests: request fields at the top, customer and address fields below. */
const REQUEST_BODY = {
  top: fieldNames(...METHODS.map((m) => m.input)),
  nested: fieldNames(CustomerSchema, AddressSchema),
};

/**
 * grpc-encoding: mostly none, identity, or a codec the server lacks. Compressed bodies in the codecs
 * it has (gzip, br) are the it.fails property at the end, apart, until the bug it shows is fixed.
 */
const grpcEncoding = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 6 },
  { arbitrary: fc.constantFrom("identity", "snappy"), weight: 1 },
);

const live = liveServer();
let session: http2.ClientHttp2Session | undefined;

/** The h2c session, reconnected if the server ended the last one (which the properties then notice). */
function h2c(): http2.ClientHttp2Session {
  if (session === undefined || session.closed || session.destroyed) {
    session = http2.connect(live.server.baseUrl);
    session.on("error", () => {});
  }
  return session;
}

/** One HTTP/1.1 POST of `body` to the RPC `m`. */
function post(m: DescMethod, headers: Record<string, string>, body: Uint8Array) {
  return http1(live.server.port, live.agent, { method: "POST", path: pathOf(m), headers, body });
}

afterAll(() => {
  session?.close();
});

describe("hostile input on gRPC, gRPC-web and Connect never gets a server fault (property)", () => {
  it("gRPC over h2c: random messages, enveloped or not, never a server fault or a reset stream", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Text of at most 1,000 code points: longer text echoed by an error is the it.fails property below.
        method.chain((m) => fc.tuple(fc.constant(m), grpcBody(m.input, boundedHostileString))),
        fc.constantFrom("application/grpc", "application/grpc+proto"),
        grpcEncoding,
        async ([m, body], contentType, encoding) => {
          const headers: http2.OutgoingHttpHeaders = {
            ":path": pathOf(m),
            "content-type": contentType,
            te: "trailers",
            ...AUTH,
            ...(encoding === undefined ? {} : { "grpc-encoding": encoding }),
          };
          const res = await http2Exchange(h2c(), headers, body);
          const status = grpcStatusOf(res.headers, res.trailers);
          const compressedWithoutCodec =
            isCompressedEnvelope(body) && (encoding ?? "identity") === "identity";
          expectGrpcAnswer(
            Number(res.headers[":status"]),
            status,
            compressedWithoutCodec ? [Code.Internal] : [],
          );
          if (compressedWithoutCodec) expect(status.code).toBe(Code.Internal);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("gRPC-web over HTTP/1.1: random messages, enveloped or not", async () => {
    await fc.assert(
      fc.asyncProperty(
        // gRPC-web carries trailers in the body, so long echoed text is fine here.
        method.chain((m) => fc.tuple(fc.constant(m), grpcBody(m.input, hostileString))),
        grpcEncoding,
        async ([m, body], encoding) => {
          const headers: Record<string, string> = {
            "content-type": "application/grpc-web+proto",
            ...AUTH,
            ...(encoding === undefined ? {} : { "grpc-encoding": encoding }),
          };
          const res = await post(m, headers, body);
          const { trailers } = grpcWebFrames(res.body);
          const compressedWithoutCodec =
            isCompressedEnvelope(body) && (encoding ?? "identity") === "identity";
          expectGrpcAnswer(
            res.status,
            grpcStatusOf({}, trailers),
            compressedWithoutCodec ? [Code.Internal] : [],
          );
        },
      ),
      { numRuns: 250 },
    );
  });

  it("Connect binary: random protobuf bytes, plain or with an unsupported Content-Encoding", async () => {
    const body = (m: DescMethod) =>
      fc.oneof(hostileMessageBytes(m.input), protobufLike(), fc.uint8Array({ maxLength: 64 }));
    await fc.assert(
      fc.asyncProperty(
        method.chain((m) => fc.tuple(fc.constant(m), body(m))),
        fc.oneof(
          { arbitrary: fc.constant(undefined), weight: 6 },
          // gzip and br bodies: the it.fails property at the end.
          { arbitrary: fc.constantFrom("identity", "compress"), weight: 1 },
        ),
        fc.option(fc.constantFrom("abc", "-1", "1.5", "99999999999", ""), { nil: undefined, freq: 8 }),
        async ([m, bytes], encoding, timeout) => {
          const headers: Record<string, string> = {
            "content-type": "application/proto",
            ...AUTH,
            ...(encoding === undefined ? {} : { "content-encoding": encoding }),
            ...(timeout === undefined ? {} : { "connect-timeout-ms": timeout }),
          };
          const res = await post(m, headers, bytes);
          // The Connect protocol answers an unsupported Content-Encoding with `unimplemented`, whose
          // HTTP status is 501 (connect-es and connect-go alike): allowed for that request only.
          const unsupported = encoding !== undefined && !["gzip", "br", "identity"].includes(encoding);
          expectConnectAnswer(res, unsupported ? ["unimplemented"] : []);
          if (unsupported) {
            expect([res.status, JSON.parse(decodedBody(res).toString()).code]).toEqual([
              501,
              "unimplemented",
            ]);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("Connect JSON: random, malformed, deeply nested and well-typed hostile JSON", async () => {
    const body = (m: DescMethod) =>
      fc.oneof(
        { arbitrary: hostileBody(REQUEST_BODY), weight: 6 },
        { arbitrary: hostileMessageJson(m.input), weight: 3 },
        {
          arbitrary: fc
            .constantFrom("customer", "address", "updateMask")
            .chain(deeplyNested)
            .map((t) => Buffer.from(t)),
          weight: 1,
        },
      );
    await fc.assert(
      fc.asyncProperty(
        method.chain((m) => fc.tuple(fc.constant(m), body(m))),
        async ([m, bytes]) => {
          const headers = { "content-type": "application/json", ...AUTH };
          const res = await post(m, headers, bytes);
          expectConnectAnswer(res);
        },
      ),
      { numRuns: 400 },
    );
  });

  // A bug (left for src/ to fix): an error that quotes client text without bound puts it, twice, into
  // the gRPC trailers (grpc-status-details-bin, sometimes grpc-message), and trailers past the
  // client's header limits lose the answer and the connection. Shrunk minimal inputs (ASCII "a"s):
  // - h2c, UpdateCustomer {customer: {}, update_mask: {paths: ["a" x 48,699]}} (update-mask.ts
  //   quotes unknown paths): the Node/connect-node client's stream fails with
  //   NGHTTP2_FRAME_SIZE_ERROR (connect-node reports INTERNAL), the connection gets GOAWAY and every
  //   other call on it REFUSED_STREAM. 48,698 "a"s still answer INVALID_ARGUMENT.
  // - h2c, application/grpc+json CreateCustomer {"customer": {"k" x 27,867: 1}} (the unknown key):
  //   the same.
  // - gRPC over HTTP/1.1 (chunked trailers), the UpdateCustomer above with "a" x 11,878: Node's
  //   client fails with "Parse Error: Header overflow" (16 KiB). grpc-java's default metadata
  //   limit is 8 KiB, so its clients fail sooner.
  it("an error echoing long client text still reaches a gRPC client, and its connection survives", async () => {
    const updateMask = (text: string) =>
      envelope(
        toBinary(
          UpdateCustomerRequestSchema,
          create(UpdateCustomerRequestSchema, { customer: {}, updateMask: { paths: [text] } }),
        ),
      );
    const unknownKey = (text: string) => envelope(Buffer.from(JSON.stringify({ customer: { [text]: 1 } })));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("h2c update mask", "h2c grpc+json unknown key", "HTTP/1.1 update mask"),
        fc.tuple(fc.constantFrom("a", "\u00e9", "\u5b57"), fc.integer({ min: 1000, max: 100_000 })),
        async (channel, [unit, times]) => {
          const text = unit.repeat(times);
          const grpcHeaders = { "content-type": "application/grpc", te: "trailers", ...AUTH };
          if (channel === "HTTP/1.1 update mask") {
            const res = await post(CustomerService.method.updateCustomer, grpcHeaders, updateMask(text));
            expect(res.trailers["grpc-status"]).toBe(String(Code.InvalidArgument));
            return;
          }
          const own = http2.connect(live.server.baseUrl);
          own.on("error", () => {});
          try {
            const json = channel === "h2c grpc+json unknown key";
            const res = await http2Exchange(
              own,
              {
                ":path": pathOf(
                  json ? CustomerService.method.createCustomer : CustomerService.method.updateCustomer,
                ),
                ...grpcHeaders,
                ...(json ? { "content-type": "application/grpc+json" } : {}),
              },
              json ? unknownKey(text) : updateMask(text),
            );
            expect(grpcStatusOf(res.headers, res.trailers).code).toBe(Code.InvalidArgument);
            // The connection is still usable for the next call.
            const next = await http2Exchange(
              own,
              { ":path": pathOf(CustomerService.method.getCustomer), ...grpcHeaders },
              envelope(new Uint8Array()),
            );
            expect(grpcStatusOf(next.headers, next.trailers).code).toBe(Code.InvalidArgument);
          } finally {
            own.destroy();
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  // A bug (left for src/ to fix): a compressed body that is not a whole gzip or brotli stream is
  // answered INTERNAL (Connect: HTTP 500 "Internal error. Quote the request id..."), on every RPC
  // protocol. connect-node maps only some zlib errors (Z_DATA_ERROR, brotli format errors) to
  // INVALID_ARGUMENT and the others (Z_BUF_ERROR "unexpected end of file", ...) to INTERNAL
  // "decompression failed"; early-errors.ts passes that on as a server fault. Shrunk minimal inputs:
  // - Connect: POST /customers.v1.CustomerService/SearchCustomers (any method), content-type
  //   application/proto (or application/json), content-encoding: gzip, body one byte 0x00 -> 500.
  //   Also br with body 0x00, and any valid gzip stream cut short by a few bytes.
  // - gRPC (h2c) and gRPC-web: grpc-encoding: gzip, one envelope flagged compressed (flags 1)
  //   around the byte 0x00 -> grpc-status 13 INTERNAL.
  // ([1, 2, 3] with gzip is INVALID_ARGUMENT "decompression failed", as it should be.)
  it("a corrupt gzip or brotli body is the caller's error on Connect, gRPC and gRPC-web", async () => {
    const compress = (encoding: string, bytes: Uint8Array) =>
      encoding === "gzip" ? zlib.gzipSync(bytes) : zlib.brotliCompressSync(bytes);
    const corrupt = (m: DescMethod, encoding: string) =>
      fc.oneof(
        fc.uint8Array({ maxLength: 16 }),
        fc.tuple(hostileMessageBytes(m.input, boundedHostileString), fc.nat()).map(([bytes, cut]) => {
          const whole = compress(encoding, bytes);
          return whole.subarray(0, cut % whole.length);
        }),
      );
    const call = method.chain((m) =>
      fc
        .constantFrom("gzip", "br")
        .chain((encoding) => fc.tuple(fc.constant(m), fc.constant(encoding), corrupt(m, encoding))),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("Connect binary", "Connect JSON", "gRPC", "gRPC-web"),
        call,
        async (protocol, [m, encoding, bytes]) => {
          if (protocol === "Connect binary" || protocol === "Connect JSON") {
            const type = protocol === "Connect binary" ? "application/proto" : "application/json";
            const headers = { "content-type": type, "content-encoding": encoding, ...AUTH };
            expectConnectAnswer(await post(m, headers, bytes));
            return;
          }
          const body = envelope(bytes, 1);
          if (protocol === "gRPC-web") {
            const headers = {
              "content-type": "application/grpc-web+proto",
              "grpc-encoding": encoding,
              ...AUTH,
            };
            const res = await post(m, headers, body);
            expectGrpcAnswer(res.status, grpcStatusOf({}, grpcWebFrames(res.body).trailers));
            return;
          }
          const headers = {
            ":path": pathOf(m),
            "content-type": "application/grpc",
            te: "trailers",
            "grpc-encoding": encoding,
            ...AUTH,
          };
          const res = await http2Exchange(h2c(), headers, body);
          expectGrpcAnswer(Number(res.headers[":status"]), grpcStatusOf(res.headers, res.trailers));
        },
      ),
      { numRuns: 40 },
    );
  });
});
