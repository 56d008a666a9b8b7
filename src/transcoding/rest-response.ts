import {
  type DescField,
  type DescMessage,
  type JsonValue,
  type Message,
  type Registry,
  toJson,
} from "@bufbuild/protobuf";
import { Code, type ConnectError } from "@connectrpc/connect";
import type { FastifyReply } from "fastify";
import { ApiError } from "../errors/api-error.js";
import { connectErrorFrom } from "../errors/connect-error-from.js";
import type { FieldViolation } from "../errors/field-violation.js";
import { protoPathToJsonPath } from "./field-paths.js";
import type { HttpBinding } from "./http-bindings.js";
import { restErrorOf, transportErrorBody } from "./rest-error.js";

function sendJson(reply: FastifyReply, status: number, body: unknown) {
  return reply
    .code(status)
    .header("content-type", "application/json; charset=utf-8")
    .send(JSON.stringify(body));
}

/**
 * Writes a successful RPC response as the binding declares: headers and trailers set by the handler,
 * 204 for an empty `no_content_when_empty` list, the `success_status`, `Location`, and the response
 * (or its `response_body` field) as proto3 JSON with unpopulated scalars emitted.
 */
export function sendSuccess(
  reply: FastifyReply,
  binding: HttpBinding,
  response: { header: Headers; trailer: Headers; message: Message },
  registry: Registry,
) {
  const { method, response: rule } = binding;
  copyHeaders(response.header, reply);
  copyHeaders(response.trailer, reply);
  const output = response.message;
  const list =
    rule.noContentWhenEmpty && (output as Record<string, unknown>)[rule.noContentWhenEmpty.localName];
  if (Array.isArray(list) && list.length === 0) return reply.code(204).send();
  if (rule.location) reply.header("location", locationOf(rule.location, method.output, output));
  const whole = toJson(method.output, output, { alwaysEmitImplicit: true, registry });
  const field = binding.responseBodyField;
  const json: JsonValue = field ? ((whole as Record<string, JsonValue>)[field.jsonName] ?? null) : whole;
  return sendJson(reply, rule.successStatus, json);
}

/** Writes an RPC error: 204 where the binding maps NOT_FOUND to no content, else the REST error body. */
export function sendRpcError(
  reply: FastifyReply,
  binding: HttpBinding,
  error: ConnectError,
  requestId: string,
  registry: Registry,
) {
  if (error.code === Code.NotFound && binding.response.notFoundAsNoContent) return reply.code(204).send();
  copyHeaders(error.metadata, reply);
  const { status, body } = restErrorOf(error, requestId, registry, (path) => clientFieldPath(binding, path));
  return sendJson(reply, status, body);
}

/** Writes a 400 for request-mapping violations, whose field names are already the client's own. */
export function sendInvalid(
  reply: FastifyReply,
  violations: FieldViolation[],
  message: string | undefined,
  requestId: string,
  registry: Registry,
) {
  const { error } = connectErrorFrom(ApiError.invalidArgument(violations, message), requestId);
  const { status, body } = restErrorOf(error, requestId, registry, (path) => path);
  return sendJson(reply, status, body);
}

/** Writes an error the HTTP layer raises itself (404, 405, 413, 415, bad body) in the REST error shape. */
export function sendTransportError(
  reply: FastifyReply,
  status: number,
  code: Code,
  message: string,
  requestId: string,
  registry: Registry,
) {
  return sendJson(reply, status, transportErrorBody(status, code, message, requestId, registry));
}

/** Maps a violation's proto path (relative to the request) to the JSON path relative to what the client sent. */
function clientFieldPath(binding: HttpBinding, protoPath: string): string {
  const json = protoPathToJsonPath(binding.method.input, protoPath);
  const body = binding.bodyField;
  if (body === undefined || body === "*") return json;
  const prefix = `${body.jsonName}.`;
  return json.startsWith(prefix) ? json.slice(prefix.length) : json;
}

function copyHeaders(headers: Headers, reply: FastifyReply): void {
  headers.forEach((value, name) => {
    if (name !== "content-type" && name !== "content-length") reply.header(name, value);
  });
}

/** Expands a Location template such as /v1/customers/id/{customer_id} from the response message. */
function locationOf(template: string, desc: DescMessage, message: Message): string {
  return template.replace(/\{([^}]*)\}/g, (_, path: string) => {
    let value: unknown = message;
    let current: DescMessage | undefined = desc;
    for (const name of path.split(".")) {
      const field: DescField | undefined = current?.fields.find((f) => f.name === name);
      value = field ? (value as Record<string, unknown>)[field.localName] : undefined;
      current = field?.message;
    }
    return encodeURIComponent(String(value ?? ""));
  });
}
