import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { settleError } from "../errors/error-outcome.js";
import { HTTP_STATUS_OF_CODE } from "../errors/http-status.js";
import { type RequestContext, requestContextKey } from "../observability/request-context.js";
import { decompressBody, once, readAll } from "./byte-stream.js";
import { connectErrorFromJson, connectErrorJson } from "./error-framing.js";

/** A handler of the Connect router (serves gRPC, gRPC-web and Connect for one RPC). */
export type RpcHandler = ConnectRouter["handlers"][number];
type RpcRequest = Parameters<RpcHandler>[0];
type RpcResponse = Awaited<ReturnType<RpcHandler>>;

/**
 * Wraps a router handler so that errors connect-es raises before the interceptors run (an
 * undecodable body, a bad timeout header, an oversized message) go through the same error mapping
 * and access-log record as every other error. A call the pipeline saw (its outcome is recorded)
 * passes through untouched and unbuffered. Unary calls reach this as Connect calls: gRPC and
 * gRPC-web are translated to Connect first (grpc-as-connect.ts), so only Connect errors are
 * rewritten; whatever else connect-es answers itself (gRPC-web-text: 415) passes through.
 */
export function withEarlyErrors(handler: RpcHandler): (req: RpcRequest) => Promise<RpcResponse> {
  const rpc = `${handler.service.typeName}/${handler.method.name}`;
  if (handler.method.methodKind !== "unary") return handler;
  return async (req) => {
    const res = await handler(req);
    const context = req.contextValues?.get(requestContextKey);
    if (context === undefined || res.body === undefined) return res;
    if (res.status === 200 || context.rpc !== undefined) return res;
    if (/^application\/grpc/i.test(req.header.get("content-type") ?? "")) return res;
    return connect(res, res.body, context, rpc);
  };
}

/** The mapped form of an error the pipeline never saw, recorded for the access log. */
function mapped(error: ConnectError, context: RequestContext, rpc: string): ConnectError {
  const undecodable = isUndecodableRequest(error);
  const code = undecodable ? Code.InvalidArgument : error.code;
  const message = undecodable ? `cannot decode the request message (${error.rawMessage})` : error.rawMessage;
  return settleError(
    new ConnectError(message, code, undefined, undefined, error),
    context,
    rpc,
    "in the protocol layer",
  );
}

/**
 * connect-es reports a request body it cannot parse as INTERNAL "parse binary: …" (its serializer is
 * shared with clients, where that is a server fault), and connect-node one it cannot decompress as
 * INTERNAL "decompression failed"; no typed signal exists. For a server it is
 * the caller's bad input. test/e2e/protocol-decode-errors.test.ts fails if the wording changes.
 */
export function isUndecodableRequest(error: ConnectError): boolean {
  if (error.code !== Code.Internal) return false;
  // connect-node also reports a corrupt or truncated gzip/brotli body as INTERNAL "decompression failed".
  return /^parse (binary|json)\b/.test(error.rawMessage) || error.rawMessage === "decompression failed";
}

async function connect(
  res: RpcResponse,
  body: AsyncIterable<Uint8Array>,
  context: RequestContext,
  rpc: string,
): Promise<RpcResponse> {
  let bytes: Uint8Array = await readAll(body);
  const encoding = res.header?.get("content-encoding");
  const header = new Headers(res.header);
  if (encoding) {
    const decompressed = decompressBody(encoding, bytes);
    if (!decompressed) return { ...res, body: once(bytes) };
    bytes = await decompressed;
    // Sent uncompressed: the rewritten body is small, and any client accepts identity.
    header.delete("content-encoding");
  }
  const error = mapped(connectErrorFromJson(bytes), context, rpc);
  const json = connectErrorJson(error);
  header.set("content-length", String(json.byteLength));
  return { ...res, status: HTTP_STATUS_OF_CODE[error.code] ?? 500, header, body: once(json) };
}
