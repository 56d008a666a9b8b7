import http from "node:http";
import {
  create,
  type DescField,
  type DescMessage,
  type DescService,
  isMessage,
  type JsonValue,
  type Message,
  type Registry,
  toJson,
} from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type ContextValues,
  createServiceImplSpec,
  type HandlerContext,
  type Interceptor,
  type ServiceImpl,
  type UnaryRequest,
  type UnaryResponse,
} from "@connectrpc/connect";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "../errors/api-error.js";
import { connectErrorFrom } from "../errors/connect-error-from.js";
import type { FieldViolation } from "../errors/field-violation.js";
import { protoPathToJsonPath } from "./field-paths.js";
import { type HttpBinding, httpBindingsOf } from "./http-bindings.js";
import { restErrorOf, transportErrorBody } from "./rest-error.js";
import { restRequestOf } from "./rest-request.js";
import { createRouteTable } from "./route-table.js";

/** A service to serve over REST and its implementation (the same object Connect serves). */
export interface TranscodedService {
  service: DescService;
  impl: Partial<ServiceImpl<any>>;
}

/** Options of {@link registerRestTranscoder}. */
export interface RestTranscoderOptions {
  services: readonly TranscodedService[];
  /** The same interceptors the Connect router runs, outermost first. */
  interceptors: readonly Interceptor[];
  /** Per-request context values (request id, logger), as given to the Connect router. */
  contextValues: (req: FastifyRequest) => ContextValues;
  /** Request id of a Fastify request, for error bodies. */
  requestId: (req: FastifyRequest) => string;
  /** Resolves google.protobuf.Any and error-detail types in JSON. */
  registry: Registry;
  bodyLimitBytes: number;
}

type UnaryFn = (req: UnaryRequest) => Promise<UnaryResponse>;

interface Route {
  binding: HttpBinding;
  impl: (request: any, context: HandlerContext) => unknown;
}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "host",
]);
// OPTIONS is left to the CORS plugin (preflight) and Fastify's not-found handler.
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;

/**
 * Serves the google.api.http bindings of `services` as REST/JSON, generically: routes come from the
 * descriptors at start-up, each request becomes the RPC's request message and runs through the same
 * interceptors and implementation as gRPC and Connect. Registers one catch-all route in its own
 * Fastify scope, so the exact Connect routes and health checks keep priority.
 */
export async function registerRestTranscoder(
  app: FastifyInstance,
  options: RestTranscoderOptions,
): Promise<void> {
  const routes: { method: string; template: string; target: Route; name: string }[] = [];
  for (const { service, impl } of options.services) {
    const spec = createServiceImplSpec(service, impl);
    for (const binding of httpBindingsOf([service])) {
      const methodSpec = spec.methods[binding.method.localName];
      if (methodSpec?.kind !== "unary")
        throw new Error(`${binding.name}: no unary implementation to serve over REST`);
      routes.push({
        method: binding.httpMethod,
        template: binding.template,
        name: binding.name,
        target: { binding, impl: methodSpec.impl },
      });
    }
  }
  const table = createRouteTable(routes);
  // Custom verbs (google.api.http `custom`) must be methods Node's HTTP parser accepts, and Fastify
  // must be told about them.
  const methods = new Set<string>(METHODS);
  for (const route of routes) {
    if (methods.has(route.method)) continue;
    if (!http.METHODS.includes(route.method)) {
      throw new Error(
        `${route.name}: custom HTTP method ${route.method} cannot be received by an HTTP server`,
      );
    }
    if (!app.supportedMethods.includes(route.method)) app.addHttpMethod(route.method, { hasBody: true });
    methods.add(route.method);
  }

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Bodies arrive raw: the transcoder checks the media type and parses JSON itself for exact errors.
    scope.addContentTypeParser(
      "*",
      { parseAs: "buffer", bodyLimit: options.bodyLimitBytes },
      (_req, body, done) => done(null, body),
    );
    scope.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, req, reply) => {
      if (error.statusCode === 413) {
        return sendTransportError(
          reply,
          options.requestId(req),
          413,
          Code.ResourceExhausted,
          `The request body is larger than ${options.bodyLimitBytes} bytes.`,
        );
      }
      if (error.statusCode === 415 || error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
        return sendTransportError(
          reply,
          options.requestId(req),
          415,
          Code.InvalidArgument,
          "Send the body as application/json.",
        );
      }
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        return sendTransportError(
          reply,
          options.requestId(req),
          400,
          Code.InvalidArgument,
          "The request could not be read.",
        );
      }
      req.log.error({ err: error }, "unexpected error in REST transcoder");
      return sendTransportError(
        reply,
        options.requestId(req),
        500,
        Code.Internal,
        "Internal error. Quote the request id when reporting it.",
      );
    });
    scope.route({ method: [...methods], url: "/*", handler: (req, reply) => handle(req, reply) });
  });

  async function handle(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const requestId = options.requestId(req);
    const rawUrl = req.raw.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    // HEAD is GET without the body (RFC 9110); Fastify drops the body.
    const match = table.match(req.method === "HEAD" ? "GET" : req.method, rawPath);
    if (match.kind === "not-found") {
      return sendTransportError(
        reply,
        requestId,
        404,
        Code.NotFound,
        `No API route matches ${req.method} ${rawPath}.`,
      );
    }
    if (match.kind === "bad-request")
      return sendTransportError(reply, requestId, 400, Code.InvalidArgument, match.message);
    if (match.kind === "method-not-allowed") {
      reply.header("allow", match.allow.join(", "));
      return sendTransportError(
        reply,
        requestId,
        405,
        Code.Unimplemented,
        `${req.method} is not allowed here; use ${match.allow.join(" or ")}.`,
      );
    }
    const { binding, impl } = match.target;
    const body = readBody(req, binding);
    if (!body.ok)
      return sendTransportError(reply, requestId, body.status, Code.InvalidArgument, body.message);
    const built = restRequestOf(
      binding,
      {
        variables: match.variables,
        query: new URLSearchParams(queryAt === -1 ? "" : rawUrl.slice(queryAt + 1)),
        body: body.json,
      },
      options.registry,
    );
    if (!built.ok) {
      return sendInvalid(reply, requestId, built.violations, built.message);
    }
    await invoke(req, reply, binding, impl, built.message as Message);
  }

  async function invoke(
    req: FastifyRequest,
    reply: FastifyReply,
    binding: HttpBinding,
    impl: Route["impl"],
    message: Message,
  ) {
    const { method } = binding;
    const abort = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableEnded)
        abort.abort(new ConnectError("client closed the connection", Code.Canceled));
    };
    reply.raw.once("close", onClose);
    // Built directly rather than with createHandlerContext: REST has no deadline header, so the
    // linked abort controllers and timers that function sets up would be pure per-request cost.
    const context: HandlerContext = {
      service: method.parent,
      method,
      protocolName: "rest",
      requestMethod: req.method,
      url: `${req.protocol}://${req.host}${req.url}`,
      signal: abort.signal,
      timeoutMs: () => undefined,
      requestHeader: metadataOf(req),
      responseHeader: new Headers(),
      responseTrailer: new Headers(),
      values: options.contextValues(req),
    };
    const terminal: UnaryFn = async (call) => {
      const output = await impl(call.message, context);
      return {
        stream: false,
        service: method.parent,
        method,
        header: context.responseHeader,
        trailer: context.responseTrailer,
        message: isMessage(output, method.output) ? output : create(method.output, output as never),
      } as UnaryResponse;
    };
    // Connect composes interceptors the same way: the first one is the outermost.
    const call = options.interceptors.reduceRight<UnaryFn>(
      (next, interceptor) => interceptor(next as never) as UnaryFn,
      terminal,
    );
    let response: UnaryResponse;
    try {
      response = await call({
        stream: false,
        service: method.parent,
        method,
        requestMethod: req.method,
        url: context.url,
        signal: context.signal,
        header: context.requestHeader,
        contextValues: context.values,
        message,
      } as UnaryRequest);
    } catch (thrown) {
      reply.raw.off("close", onClose);
      const error =
        thrown instanceof ConnectError ? thrown : connectErrorFrom(thrown, options.requestId(req)).error;
      return sendRpcError(req, reply, binding, error);
    }
    reply.raw.off("close", onClose);
    copyHeaders(response.header, reply);
    copyHeaders(response.trailer, reply);
    const rule = binding.response;
    const output = response.message;
    if (
      rule.noContentWhenEmpty &&
      ((output as Record<string, unknown>)[rule.noContentWhenEmpty.localName] as unknown[]).length === 0
    ) {
      return reply.code(204).send();
    }
    if (rule.location) reply.header("location", locationOf(rule.location, method.output, output));
    const bodyDesc = binding.responseBodyField;
    const json: JsonValue = bodyDesc
      ? fieldJson(method.output, output, bodyDesc.name)
      : toJson(method.output, output, { alwaysEmitImplicit: true, registry: options.registry });
    reply
      .code(rule.successStatus)
      .header("content-type", "application/json; charset=utf-8")
      .send(JSON.stringify(json));
  }

  function fieldJson(desc: DescMessage, message: Message, name: string): JsonValue {
    const whole = toJson(desc, message, { alwaysEmitImplicit: true, registry: options.registry }) as Record<
      string,
      JsonValue
    >;
    const field = desc.fields.find((f) => f.name === name);
    return (field && whole[field.jsonName]) ?? null;
  }

  function sendRpcError(req: FastifyRequest, reply: FastifyReply, binding: HttpBinding, error: ConnectError) {
    if (error.code === Code.NotFound && binding.response.notFoundAsNoContent) return reply.code(204).send();
    copyHeaders(error.metadata, reply);
    const requestId = options.requestId(req);
    const { status, body } = restErrorOf(error, requestId, options.registry, (path) =>
      clientFieldPath(binding, path),
    );
    return reply
      .code(status)
      .header("content-type", "application/json; charset=utf-8")
      .send(JSON.stringify(body));
  }

  function sendInvalid(
    reply: FastifyReply,
    requestId: string,
    violations: FieldViolation[],
    message?: string,
  ) {
    const { error } = connectErrorFrom(ApiError.invalidArgument(violations, message), requestId);
    // Field names here are already the client's own (query parameters, body keys).
    const { status, body } = restErrorOf(error, requestId, options.registry, (path) => path);
    return reply
      .code(status)
      .header("content-type", "application/json; charset=utf-8")
      .send(JSON.stringify(body));
  }

  function sendTransportError(
    reply: FastifyReply,
    requestId: string,
    status: number,
    code: Code,
    message: string,
  ) {
    const body = transportErrorBody(status, code, message, requestId, options.registry);
    return reply
      .code(status)
      .header("content-type", "application/json; charset=utf-8")
      .send(JSON.stringify(body));
  }
}

/** Maps a violation's proto path (relative to the request) to the JSON path relative to what the client sent. */
function clientFieldPath(binding: HttpBinding, protoPath: string): string {
  const json = protoPathToJsonPath(binding.method.input, protoPath);
  const body = binding.bodyField;
  if (body === undefined || body === "*") return json;
  const prefix = `${body.jsonName}.`;
  return json.startsWith(prefix) ? json.slice(prefix.length) : json;
}

type BodyResult = { ok: true; json: JsonValue | undefined } | { ok: false; status: number; message: string };

function readBody(req: FastifyRequest, binding: HttpBinding): BodyResult {
  const raw = req.body as Buffer | undefined;
  const sent = (raw !== undefined && raw.length > 0) || hasBodyFraming(req);
  if (binding.bodyField === undefined) {
    return sent
      ? { ok: false, status: 400, message: `${req.method} ${binding.template} takes no request body.` }
      : { ok: true, json: undefined };
  }
  if (!sent) return { ok: true, json: undefined };
  // Fastify leaves a body unread when it has no content-type; never treat that as "no body".
  if (raw === undefined || !JSON_CONTENT_TYPE.test(req.headers["content-type"] ?? "")) {
    return { ok: false, status: 415, message: "Send the body as application/json." };
  }
  if (raw.length === 0) return { ok: true, json: undefined };
  try {
    return { ok: true, json: JSON.parse(raw.toString("utf8")) as JsonValue };
  } catch (error) {
    return { ok: false, status: 400, message: `The body is not valid JSON: ${(error as Error).message}` };
  }
}

/**
 * Whether the request frames a body: a content-length, chunked transfer-encoding, or (HTTP/2) a
 * stream that did not end with the headers. Fastify does not read GET bodies, nor bodies without a
 * content-type, so the parsed body alone cannot tell.
 */
function hasBodyFraming(req: FastifyRequest): boolean {
  if (Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined)
    return true;
  const stream = (req.raw as { stream?: { endAfterHeaders?: boolean } }).stream;
  return stream?.endAfterHeaders === false;
}

/** Request headers as RPC metadata, less those that describe the HTTP hop rather than the call. */
function metadataOf(req: FastifyRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith(":")) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
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

/**
 * A Fastify `frameworkErrors` handler: errors Fastify raises before routing (a URL with malformed
 * percent-encoding) get the REST error body and the request id instead of Fastify's own shape.
 */
export function restFrameworkErrorHandler(registry: Registry) {
  return (error: { code?: string; statusCode?: number }, req: FastifyRequest, reply: FastifyReply): void => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
    const message =
      error.code === "FST_ERR_BAD_URL"
        ? "The request URL has malformed percent-encoding."
        : "The request could not be read.";
    reply
      .code(status)
      .header("x-request-id", req.id)
      .header("content-type", "application/json; charset=utf-8")
      .send(JSON.stringify(transportErrorBody(status, Code.InvalidArgument, message, req.id, registry)));
  };
}
