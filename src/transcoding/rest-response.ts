import { type DescMessage, type JsonValue, type Message, type Registry, toJson } from "@bufbuild/protobuf";
import { Code, type ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { isNotModified } from "./entity-tags.js";
import { protoPathToJsonPath, resolveSingularPath } from "./field-paths.js";
import type { HttpBinding } from "./http-bindings.js";

/** What the transcoder writes to a Node HTTP/1.1 or HTTP/2 compatibility response. */
export interface RestHttpResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  once(event: "close", listener: () => void): unknown;
  off(event: "close", listener: () => void): unknown;
}

/** How an error reaches the application's renderer, which owns the REST error body. */
export interface RestErrorRendering {
  /** The HTTP status the HTTP layer chose (404, 405, 413, 415); undefined: from the gRPC code. */
  status?: number;
  /** Proto path relative to the request → the client's JSON spelling. */
  fieldPath?: (protoPath: string) => string;
  /** True when the error came back from the RPC; false when the transcoder raised it before the call. */
  fromCall: boolean;
}

/** Renders an error as the REST answer: status, JSON body and headers to add. */
export type RestErrorRenderer = (
  error: ConnectError,
  how: RestErrorRendering,
) => { status: number; body: unknown; headers?: Headers };

/** Writes `body` as the JSON response. */
export function writeJson(res: RestHttpResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(JSON.stringify(body));
}

/**
 * Writes a successful RPC response as the binding declares: headers and trailers set by the handler,
 * 304 when the request's If-None-Match (given for a GET or HEAD only) matches the ETag the handler
 * set, 204 for an empty `no_content_when_empty` list, the `success_status`, `Location`, and the
 * response (or its `response_body` field) as proto3 JSON with unpopulated scalars emitted.
 */
export function writeSuccess(
  res: RestHttpResponse,
  binding: HttpBinding,
  response: { header: Headers; trailer: Headers; message: Message; ifNoneMatch?: string },
  registry: Registry,
): void {
  const { method, response: rule } = binding;
  copyHeaders(response.header, res);
  copyHeaders(response.trailer, res);
  // RFC 9110 §15.4.5: a 304 has no content, and the headers (ETag first) a 200 would have had.
  if (isNotModified(response.ifNoneMatch, response.header.get("etag"))) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const output = response.message;
  const list =
    rule.noContentWhenEmpty && (output as Record<string, unknown>)[rule.noContentWhenEmpty.localName];
  if (Array.isArray(list) && list.length === 0) {
    res.statusCode = 204;
    res.end();
    return;
  }
  if (rule.location) res.setHeader("location", locationOf(rule.location, method.output, output));
  const whole = toJson(method.output, output, { alwaysEmitImplicit: true, registry });
  const field = binding.responseBodyField;
  const json: JsonValue = field ? ((whole as Record<string, JsonValue>)[field.jsonName] ?? null) : whole;
  writeJson(res, rule.successStatus, json);
}

/**
 * Writes an error: 204 where the binding maps an RPC's NOT_FOUND to no content, else the renderer's
 * body, with field paths spelled as the client sent them, under the status the binding's
 * `error_statuses` give the error's ErrorInfo reason, if any.
 */
export function writeError(
  res: RestHttpResponse,
  binding: HttpBinding | undefined,
  error: ConnectError,
  render: RestErrorRenderer,
  how: Omit<RestErrorRendering, "fieldPath">,
): void {
  if (how.fromCall && error.code === Code.NotFound && binding?.response.notFoundAsNoContent) {
    res.statusCode = 204;
    res.end();
    return;
  }
  const fieldPath = binding && ((path: string) => clientFieldPath(binding, path));
  const declared = how.fromCall && binding ? declaredErrorStatus(binding, error) : undefined;
  const { status, body, headers } = render(error, {
    ...how,
    ...(declared !== undefined && { status: declared }),
    ...(fieldPath && { fieldPath }),
  });
  if (headers) copyHeaders(headers, res);
  writeJson(res, status, body);
}

/** The HTTP status `error_statuses` declares for the error's google.rpc.ErrorInfo reason, if any. */
function declaredErrorStatus(binding: HttpBinding, error: ConnectError): number | undefined {
  const statuses = binding.response.errorStatuses;
  if (statuses.size === 0) return undefined;
  for (const info of error.findDetails(ErrorInfoSchema)) {
    const status = statuses.get(info.reason);
    if (status !== undefined) return status;
  }
  return undefined;
}

/** Maps a violation's proto path (relative to the request) to the JSON path relative to what the client sent. */
function clientFieldPath(binding: HttpBinding, protoPath: string): string {
  const json = protoPathToJsonPath(binding.method.input, protoPath);
  const body = binding.bodyField;
  if (body === undefined || body === "*") return json;
  const prefix = `${body.jsonName}.`;
  return json.startsWith(prefix) ? json.slice(prefix.length) : json;
}

function copyHeaders(headers: Headers, res: RestHttpResponse): void {
  headers.forEach((value, name) => {
    if (name !== "content-type" && name !== "content-length") res.setHeader(name, value);
  });
}

/** Expands a Location template such as /v1/customers/id/{customer_id} from the response message. */
function locationOf(template: string, desc: DescMessage, message: Message): string {
  return template.replace(/\{([^}]*)\}/g, (_, path: string) => {
    // Start-up checked that each path resolves (http-bindings.ts).
    let value: unknown = message;
    for (const field of resolveSingularPath(desc, path.split(".")) ?? []) {
      value = (value as Record<string, unknown> | undefined)?.[field.localName];
    }
    return encodeURIComponent(String(value ?? ""));
  });
}
