import { Code, ConnectError } from "@connectrpc/connect";
import {
  encodeEnvelope,
  type UniversalHandler,
  type UniversalServerResponse,
} from "@connectrpc/connect/protocol";
import { codeToHttpStatus, errorFromJsonBytes, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { trailerFlag, trailerParse, trailerSerialize } from "@connectrpc/connect/protocol-grpc-web";
import { codeName } from "../errors/code-name.js";
import { connectErrorFrom } from "../errors/connect-error-from.js";
import { type RequestContext, requestContextKey } from "../observability/request-context.js";

/**
 * Wraps a unary Connect handler so that errors connect-es raises before the interceptors run (an
 * undecodable body, a bad timeout header) carry ErrorInfo and RequestInfo like every other error.
 * Errors that already have details (everything from the RPC pipeline) pass through unchanged.
 */
export function withProtocolErrorDetails(handler: UniversalHandler): UniversalHandler {
  if (handler.method.methodKind !== "unary") return handler;
  const wrapped = async (req: Parameters<UniversalHandler>[0]): Promise<UniversalServerResponse> => {
    const res = await handler(req);
    const context = req.contextValues?.get(requestContextKey);
    if (context === undefined || res.body === undefined) return res;
    const call: FailedCall = { context, rpc: `${handler.service.typeName}/${handler.method.name}` };
    switch (protocolOf(req.header.get("content-type") ?? "")) {
      case "connect":
        return res.status === 200 ? res : connectWithDetails(res, res.body, call);
      case "grpc":
        return { ...res, body: grpcWithDetails(res, res.body, call) };
      case "grpc-web":
        return { ...res, body: grpcWebWithDetails(res.body, call) };
      default:
        return res;
    }
  };
  return Object.assign(wrapped, {
    protocolNames: handler.protocolNames,
    service: handler.service,
    method: handler.method,
    requestPath: handler.requestPath,
    allowedMethods: handler.allowedMethods,
    supportedContentType: handler.supportedContentType,
  });
}

/** Which protocol a request speaks; one handler serves all three, chosen by content type. */
function protocolOf(contentType: string): "grpc" | "grpc-web" | "connect" {
  if (/^application\/grpc-web/i.test(contentType)) return "grpc-web";
  if (/^application\/grpc/i.test(contentType)) return "grpc";
  return "connect";
}

/** A call that failed before the pipeline: where to record it. */
interface FailedCall {
  context: RequestContext;
  rpc: string;
}

/**
 * The same error with our details; `undefined` when it already has details (it came through the
 * pipeline). connect-es reports an undecodable binary request as INTERNAL "parse binary: …" (its
 * serializer is shared with clients); for a server that is the caller's bad input.
 */
function enriched(error: ConnectError, call: FailedCall): ConnectError | undefined {
  if (error.details.length > 0) return undefined;
  const undecodable = error.code === Code.Internal && error.rawMessage.startsWith("parse binary:");
  const code = undecodable ? Code.InvalidArgument : error.code;
  const message = undecodable ? `cannot decode the request message (${error.rawMessage})` : error.rawMessage;
  const { context } = call;
  const mapped = connectErrorFrom(new ConnectError(message, code), context.requestId);
  // The pipeline never saw this call: record it for the access log, and log what is not the caller's fault.
  context.rpc = { method: call.rpc, code: codeName(mapped.error.code) };
  if (mapped.unexpected)
    context.log.error({ rpc: call.rpc, protocolError: error.rawMessage }, "RPC failed in the protocol layer");
  return mapped.error;
}

async function connectWithDetails(
  res: UniversalServerResponse,
  body: AsyncIterable<Uint8Array>,
  call: FailedCall,
): Promise<UniversalServerResponse> {
  const bytes = await readAll(body);
  if (res.header?.has("content-encoding")) return { ...res, body: once(bytes) };
  let error: ConnectError;
  try {
    error = errorFromJsonBytes(bytes, undefined, new ConnectError("", Code.Unknown));
  } catch {
    return { ...res, body: once(bytes) };
  }
  const better = enriched(error, call);
  if (!better) return { ...res, body: once(bytes) };
  const json = errorToJsonBytes(better, {});
  const header = new Headers(res.header);
  header.set("content-length", String(json.byteLength));
  return { ...res, status: codeToHttpStatus(better.code), header, body: once(json) };
}

/** gRPC carries the status in HTTP trailers, which are final once the body has been written. */
async function* grpcWithDetails(
  res: UniversalServerResponse,
  body: AsyncIterable<Uint8Array>,
  call: FailedCall,
) {
  yield* body;
  if (res.trailer) withTrailerDetails(res.trailer, call);
}

/** gRPC-web carries the status in a final, uncompressed trailer envelope of the body. */
async function* grpcWebWithDetails(body: AsyncIterable<Uint8Array>, call: FailedCall) {
  const bytes = await readAll(body);
  const last = lastEnvelope(bytes);
  const trailer = last?.flags === trailerFlag ? trailerParse(last.data) : undefined;
  if (!last || !trailer || !withTrailerDetails(trailer, call)) {
    yield bytes;
    return;
  }
  yield bytes.subarray(0, last.offset);
  yield encodeEnvelope(trailerFlag, trailerSerialize(trailer));
}

/** Rewrites a failed call's gRPC trailer status with our details; false when there was nothing to do. */
function withTrailerDetails(trailer: Headers, call: FailedCall): boolean {
  const status = trailer.get("grpc-status");
  if (status === null || status === "0" || trailer.has("grpc-status-details-bin")) return false;
  const message = decodeURIComponent(trailer.get("grpc-message") ?? "");
  const better = enriched(new ConnectError(message, Number(status) as Code), call);
  if (better) setTrailerStatus(trailer, better);
  return better !== undefined;
}

function lastEnvelope(bytes: Uint8Array): { flags: number; data: Uint8Array; offset: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  let last: { flags: number; data: Uint8Array; offset: number } | undefined;
  while (offset + 5 <= bytes.byteLength) {
    const length = view.getUint32(offset + 1);
    if (offset + 5 + length > bytes.byteLength) return undefined;
    last = { flags: bytes[offset] ?? 0, data: bytes.subarray(offset + 5, offset + 5 + length), offset };
    offset += 5 + length;
  }
  return offset === bytes.byteLength ? last : undefined;
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
}

async function* once(bytes: Uint8Array) {
  yield bytes;
}
