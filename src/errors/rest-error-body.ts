import { create, type DescMessage, type JsonObject, type Registry, toJson } from "@bufbuild/protobuf";
import { hasCustomJsonRepresentation } from "@bufbuild/protobuf/wkt";
import type { ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import type { RestErrorRendering } from "../transcoding/rest-response.js";
import { codeName } from "./code-name.js";
import { connectErrorFrom } from "./connect-error-from.js";
import { HTTP_STATUS_OF_CODE } from "./http-status.js";

/** One entry of `error.fieldErrors` in a REST error body. */
export interface RestFieldError {
  field: string;
  code: string;
  message: string;
}

/** The REST error body: `{"error": {...}}` as documented in docs/api.md. */
export interface RestErrorBody {
  error: {
    code: number;
    status: string;
    message: string;
    requestId: string;
    /** Always present (empty when no field is to blame), so clients need no existence check. */
    fieldErrors: RestFieldError[];
    details: JsonObject[];
  };
}

/**
 * Renders a ConnectError as a REST error: the HTTP status from the canonical table, field errors with
 * `fieldPath` applied (proto path relative to the request → JSON path relative to what the client
 * sent), and every detail as proto3 JSON with its `@type`.
 */
export function restErrorOf(
  error: ConnectError,
  requestId: string,
  registry: Registry,
  fieldPath: (protoPath: string) => string,
): { status: number; body: RestErrorBody } {
  const status = HTTP_STATUS_OF_CODE[error.code] ?? 500;
  const violations = error.findDetails(BadRequestSchema).flatMap((b) => b.fieldViolations);
  const details: JsonObject[] = [];
  for (const detail of error.details) {
    const desc: DescMessage | undefined = "desc" in detail ? detail.desc : registry.getMessage(detail.type);
    if (!desc) continue;
    const message = "desc" in detail ? create(desc, detail.value) : undefined;
    const decoded = message ?? error.findDetails(desc)[0];
    if (!decoded) continue;
    const json = toJson(desc, decoded, { registry });
    // As in a proto3-JSON Any: well-known types with a non-object JSON form go under "value".
    const fields = hasCustomJsonRepresentation(desc) ? { value: json } : (json as JsonObject);
    details.push({ "@type": `type.googleapis.com/${desc.typeName}`, ...fields });
  }
  return {
    status,
    body: {
      error: {
        code: status,
        status: codeName(error.code),
        message: error.rawMessage,
        requestId,
        fieldErrors: violations.map((v) => ({
          field: fieldPath(v.field),
          code: v.reason,
          message: v.description,
        })),
        details,
      },
    },
  };
}

/**
 * The REST answer to an error: errors raised before the call are mapped by connectErrorFrom (which
 * keeps their field violations), then rendered with restErrorOf under the HTTP layer's own status.
 */
export function restErrorResponse(
  thrown: ConnectError,
  requestId: string,
  registry: Registry,
  how: RestErrorRendering,
): { status: number; body: RestErrorBody; headers: Headers } {
  const error = how.fromCall ? thrown : connectErrorFrom(thrown, requestId).error;
  const { status, body } = restErrorOf(error, requestId, registry, how.fieldPath ?? ((path) => path));
  if (how.status === undefined) return { status, body, headers: error.metadata };
  body.error.code = how.status;
  return { status: how.status, body, headers: error.metadata };
}
