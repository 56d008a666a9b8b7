// How an error is written on each protocol's wire, from the public protocol specifications
// (connectrpc.com/docs/protocol, grpc/doc/PROTOCOL-HTTP2.md, PROTOCOL-WEB.md), so nothing here
// depends on connect-es's unversioned protocol internals.
import { create, toBinary, toJson } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";

const CONNECT_CODE_NAMES = new Map<Code, string>(
  Object.values(Code)
    .filter((value): value is Code => typeof value === "number")
    .map((code) => [code, Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase()]),
);
const CONNECT_CODES = new Map([...CONNECT_CODE_NAMES].map(([code, name]) => [name, code]));

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64").replace(/=+$/, "");
}

/** The details of an error as protobuf Any messages. */
function anyDetails(error: ConnectError) {
  return error.details.map((detail) =>
    "desc" in detail
      ? anyPack(detail.desc, create(detail.desc, detail.value))
      : {
          $typeName: "google.protobuf.Any" as const,
          typeUrl: `type.googleapis.com/${detail.type}`,
          value: detail.value,
        },
  );
}

/** A Connect unary error body: `{"code": "invalid_argument", "message": …, "details": [{type, value}]}`. */
export function connectErrorJson(error: ConnectError): Uint8Array {
  const body = {
    code: CONNECT_CODE_NAMES.get(error.code) ?? "unknown",
    message: error.rawMessage,
    details: error.details.map((detail) =>
      "desc" in detail
        ? {
            type: detail.desc.typeName,
            value: base64(toBinary(detail.desc, create(detail.desc, detail.value))),
            // As connect-es writes it: the detail in JSON too, for humans and curl.
            debug: toJson(detail.desc, create(detail.desc, detail.value)),
          }
        : {
            type: detail.type,
            value: base64(detail.value),
            ...(detail.debug ? { debug: detail.debug } : {}),
          },
    ),
  };
  return new TextEncoder().encode(JSON.stringify(body));
}

/** Reads a Connect unary error body back into a ConnectError (details stay encoded until asked for). */
export function connectErrorFromJson(bytes: Uint8Array, metadata?: Headers): ConnectError {
  let parsed: { code?: unknown; message?: unknown; details?: unknown };
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes)) as typeof parsed;
  } catch {
    return new ConnectError("the error body is not JSON", Code.Internal, metadata);
  }
  const code = typeof parsed.code === "string" ? CONNECT_CODES.get(parsed.code) : undefined;
  const details = Array.isArray(parsed.details)
    ? parsed.details.flatMap((d: { type?: unknown; value?: unknown }) =>
        typeof d.type === "string" && typeof d.value === "string"
          ? [{ type: d.type, value: new Uint8Array(Buffer.from(d.value, "base64")) }]
          : [],
      )
    : [];
  const message = typeof parsed.message === "string" ? parsed.message : "";
  const error = new ConnectError(message, code ?? Code.Unknown, metadata);
  // Incoming (still encoded) details, as connect-es's own clients keep them: findDetails() decodes.
  error.details.push(...details);
  return error;
}

/** Writes a gRPC status into trailers: grpc-status, percent-encoded grpc-message, google.rpc.Status details. */
export function setGrpcStatus(trailer: Headers, error: ConnectError): void {
  trailer.set("grpc-status", String(error.code));
  trailer.set("grpc-message", encodeURIComponent(error.rawMessage));
  const status = create(StatusSchema, {
    code: error.code,
    message: error.rawMessage,
    details: anyDetails(error),
  });
  trailer.set("grpc-status-details-bin", base64(toBinary(StatusSchema, status)));
}

/** Flag of the gRPC-web trailer frame. */
export const GRPC_WEB_TRAILER_FLAG = 0x80;

/** One gRPC(-web) length-prefixed frame. */
export function encodeFrame(flags: number, data: Uint8Array): Uint8Array {
  const frame = new Uint8Array(5 + data.byteLength);
  frame[0] = flags;
  new DataView(frame.buffer).setUint32(1, data.byteLength);
  frame.set(data, 5);
  return frame;
}

/** Serialises trailers as a gRPC-web trailer frame. */
export function grpcWebTrailerFrame(trailer: Headers): Uint8Array {
  let text = "";
  trailer.forEach((value, name) => {
    text += `${name}: ${value}\r\n`;
  });
  return encodeFrame(GRPC_WEB_TRAILER_FLAG, new TextEncoder().encode(text));
}
