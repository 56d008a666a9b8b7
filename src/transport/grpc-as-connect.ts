// Unary gRPC and gRPC-web calls, served through the router handler's Connect unary path. connect-es
// runs gRPC through a streaming pipeline of async iterables even for one message, which costs
// about twice the CPU of its Connect unary path (docs/benchmarks.md). A unary call is one
// length-prefixed message each way plus a status, so it is translated here, from the public
// protocol specs (grpc/doc/PROTOCOL-HTTP2.md, PROTOCOL-WEB.md, connectrpc.com/docs/protocol), as
// Vanguard translates protocols: the interceptors and the implementation are the same.
import type http from "node:http";
import type http2 from "node:http2";
import { Code, ConnectError, type ContextValues } from "@connectrpc/connect";
import { settleError } from "../errors/error-outcome.js";
import { requestContextKey } from "../observability/request-context.js";
import { decompressBody, drainBoundOf, readAtMost } from "./byte-stream.js";
import { callMetadataOf, headerValue } from "./call-metadata.js";
import { callConnectUnary } from "./connect-unary-call.js";
import type { RpcHandler } from "./early-errors.js";
import {
  connectErrorFromJson,
  encodeFrame,
  GRPC_WEB_TRAILER_FLAG,
  grpcWebTrailerFrame,
  setGrpcStatus,
} from "./error-framing.js";

type RpcRequest = Parameters<RpcHandler>[0];
type RpcResponse = Awaited<ReturnType<RpcHandler>>;
type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;
type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;

// The content types connect-es serves for gRPC and gRPC-web; anything else (gRPC-web-text, which
// connect-es refuses with 415) is left to connect-es.
const GRPC_CONTENT_TYPE = /^application\/grpc(-web)?(?:\+(?:(json)(?:; ?charset=utf-?8)?|proto))?$/i;
const GRPC_TIMEOUT = /^(\d{1,8})([HMSmun])$/;
const TIMEOUT_UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };
const COMPRESSED_FLAG = 0x01;

/** Request headers of the gRPC framing, replaced by their Connect equivalents. */
const GRPC_REQUEST_HEADERS = new Set([
  "content-type",
  "content-length",
  "content-encoding",
  "accept-encoding",
  "grpc-encoding",
  "grpc-accept-encoding",
  "grpc-timeout",
]);

/** What a translated call needs besides the request. */
export interface GrpcAsConnectCall {
  /** The router handler, wrapped as it is mounted (withEarlyErrors), so errors come back mapped. */
  serve: (req: RpcRequest) => Promise<RpcResponse>;
  handler: RpcHandler;
  contextValues: ContextValues;
  /** The router's readMaxBytes: the largest message accepted. */
  readMaxBytes: number;
}

/**
 * Serves `req` if it is a unary gRPC or gRPC-web call; resolves false,
 * having touched nothing, for anything else (Connect, gRPC-web-text, streaming), which connect-es
 * serves itself.
 */
export async function serveGrpcAsConnect(
  req: NodeRequest,
  res: NodeResponse,
  call: GrpcAsConnectCall,
): Promise<boolean> {
  const match = GRPC_CONTENT_TYPE.exec(headerValue(req.headers, "content-type") ?? "");
  if (!match || req.method !== "POST" || call.handler.method.methodKind !== "unary") return false;
  const web = match[1] !== undefined;
  const json = match[2] !== undefined;
  const responseType = `application/grpc${web ? "-web" : ""}+${json ? "json" : "proto"}`;
  const rpc = `${call.handler.service.typeName}/${call.handler.method.name}`;
  const context = call.contextValues.get(requestContextKey);

  const write = (status: number, header: Headers, message: Uint8Array | undefined, trailer: Headers) => {
    header.set("content-type", responseType);
    const node: Record<string, string> = {};
    header.forEach((value, name) => {
      node[name] = value;
    });
    const frame = message ?? new Uint8Array(0);
    if (web) {
      const trailerFrame = grpcWebTrailerFrame(trailer);
      const body = message ? Buffer.concat([frame, trailerFrame]) : trailerFrame;
      (res as http.ServerResponse).writeHead(status, node).end(body);
      return;
    }
    const trailers: Record<string, string> = {};
    trailer.forEach((value, name) => {
      trailers[name] = value;
    });
    if (req.httpVersion.startsWith("1.")) {
      // Over HTTP/1.1 only chunked encoding carries trailers; Node would otherwise send a length.
      node["transfer-encoding"] = "chunked";
      const h1 = (res as http.ServerResponse).writeHead(status, node);
      if (frame.byteLength > 0) h1.write(frame);
      h1.addTrailers(trailers);
      h1.end();
      return;
    }
    const h2 = (res as http2.Http2ServerResponse).writeHead(status, node);
    h2.addTrailers(trailers);
    h2.end(frame);
  };
  const fail = (error: ConnectError) => {
    const mapped = settleError(error, context, rpc, "in the gRPC framing");
    const trailer = new Headers();
    setGrpcStatus(trailer, mapped);
    write(200, new Headers(), undefined, trailer);
    return true;
  };

  const body = await readAtMost(req, call.readMaxBytes + 5, drainBoundOf(call.readMaxBytes));
  if (body === "aborted") return true;
  if (body === "too-large" || body === "too-large-undrained") {
    return fail(
      new ConnectError(
        `message larger than configured readMaxBytes ${call.readMaxBytes}`,
        Code.ResourceExhausted,
      ),
    );
  }
  const message = singleMessage(body);
  if (message instanceof ConnectError) return fail(message);
  const header = callMetadataOf(req.headers, GRPC_REQUEST_HEADERS);
  header.set("content-type", json ? "application/json" : "application/proto");
  header.set("connect-protocol-version", "1");
  if (message.compressed) {
    const encoding = headerValue(req.headers, "grpc-encoding");
    if (!encoding || encoding === "identity") {
      return fail(
        new ConnectError("protocol error: compressed message without grpc-encoding", Code.Internal),
      );
    }
    header.set("content-encoding", encoding);
  }
  const acceptEncoding = headerValue(req.headers, "grpc-accept-encoding");
  if (acceptEncoding) header.set("accept-encoding", acceptEncoding);
  const timeout = headerValue(req.headers, "grpc-timeout");
  if (timeout !== undefined) {
    const parsed = GRPC_TIMEOUT.exec(timeout);
    if (!parsed) {
      return fail(
        new ConnectError(`protocol error: invalid grpc timeout value: ${timeout}`, Code.InvalidArgument),
      );
    }
    const ms = Number(parsed[1]) * (TIMEOUT_UNIT_MS[parsed[2] as string] as number);
    header.set("connect-timeout-ms", String(Math.min(Math.ceil(ms), 9_999_999_999)));
  }

  const answer = await callConnectUnary(call.serve, {
    requestPath: call.handler.requestPath,
    httpVersion: req.httpVersion,
    host: headerValue(req.headers, "host") ?? headerValue(req.headers, ":authority"),
    header,
    message: message.data,
    contextValues: call.contextValues,
    res,
  });
  const { trailer, contentEncoding: encoding } = answer;
  const responseHeader = answer.metadata;
  const accepted = responseHeader.get("accept-encoding");
  if (accepted !== null) {
    responseHeader.delete("accept-encoding");
    responseHeader.set("grpc-accept-encoding", accepted);
  }
  if (answer.status !== 200) {
    const decompressed = encoding ? decompressBody(encoding, answer.body) : undefined;
    const error = connectErrorFromJson(decompressed ? await decompressed : answer.body);
    // Connect sends an error's metadata as headers; gRPC, as trailers (a "trailers-only" answer).
    responseHeader.forEach((value, name) => {
      trailer.append(name, value);
    });
    setGrpcStatus(trailer, error);
    write(200, new Headers(), undefined, trailer);
    return true;
  }
  if (encoding) responseHeader.set("grpc-encoding", encoding);
  trailer.set("grpc-status", "0");
  write(200, responseHeader, encodeFrame(encoding ? COMPRESSED_FLAG : 0, answer.body), trailer);
  return true;
}

/** The one message of a unary request body, or the protocol error that prevents reading it. */
function singleMessage(body: Buffer): { compressed: boolean; data: Uint8Array } | ConnectError {
  if (body.length === 0) {
    return new ConnectError("protocol error: missing input message for unary method", Code.Unimplemented);
  }
  if (body.length < 5) return new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
  const flags = body[0] as number;
  const end = 5 + body.readUInt32BE(1);
  if (end > body.length) return new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
  if (end < body.length) {
    return new ConnectError(
      "protocol error: received extra input message for unary method",
      Code.Unimplemented,
    );
  }
  if ((flags & GRPC_WEB_TRAILER_FLAG) !== 0) {
    return new ConnectError("protocol error: unexpected trailer frame in a request", Code.InvalidArgument);
  }
  return { compressed: (flags & COMPRESSED_FLAG) !== 0, data: body.subarray(5) };
}
