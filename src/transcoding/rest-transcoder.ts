import http from "node:http";
import { type DescService, fromBinary, type Message, type Registry, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, type ContextValues } from "@connectrpc/connect";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { connectErrorFrom } from "../errors/connect-error-from.js";
import type { FieldViolation } from "../errors/field-violation.js";
import { once, readAll } from "../transport/byte-stream.js";
import { connectErrorFromJson } from "../transport/error-framing.js";
import { type HttpBinding, httpBindingsOf } from "./http-bindings.js";
import { metadataOf, queryParamsOf, readBody } from "./rest-http-request.js";
import { restRequestOf } from "./rest-request.js";
import { sendInvalid, sendRpcError, sendSuccess, sendTransportError } from "./rest-response.js";
import { createRouteTable } from "./route-table.js";

/** A Connect router handler: serves one RPC, whatever the protocol. */
type RpcHandler = ConnectRouter["handlers"][number];
type RpcResponse = Awaited<ReturnType<RpcHandler>>;

/** Options of {@link registerRestTranscoder}. */
export interface RestTranscoderOptions {
  /** The services whose google.api.http bindings to serve. */
  services: readonly DescService[];
  /** The Connect router's handlers: REST calls run through them, as gRPC and Connect calls do. */
  handlers: readonly RpcHandler[];
  /** Per-request context values (request id, logger), as given to the Connect router. */
  contextValues: (req: FastifyRequest) => ContextValues;
  /** Request id of a Fastify request, for error bodies. */
  requestId: (req: FastifyRequest) => string;
  /** Resolves google.protobuf.Any and error-detail types in JSON. */
  registry: Registry;
  bodyLimitBytes: number;
  /** Answers a request no binding's path matches (the app also answers unknown RPCs there). */
  notFound: (req: FastifyRequest, reply: FastifyReply) => void;
  /** Records the outcome of a request rejected before its RPC ran (the access log's `rpc` and `code`). */
  recordRejection?: (req: FastifyRequest, rpc: string | undefined, code: Code) => void;
  /** Methods another plugin answers on every path (OPTIONS, when CORS answers preflights). */
  leaveMethods?: readonly string[];
}

interface Route {
  binding: HttpBinding;
  handler: RpcHandler;
}

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
  for (const binding of httpBindingsOf(options.services)) {
    const handler = options.handlers.find(
      (h) => h.method === binding.method && h.method.methodKind === "unary",
    );
    if (!handler) throw new Error(`${binding.name}: no unary handler to serve over REST`);
    routes.push({
      method: binding.httpMethod,
      template: binding.template,
      name: binding.name,
      target: { binding, handler },
    });
  }
  const table = createRouteTable(routes);
  // Custom verbs (google.api.http `custom`) must be methods Node's HTTP parser accepts, and Fastify
  // must be told about them.
  // Every method Node can receive: a path the API has answers any other verb (TRACE, PROPFIND, …)
  // with 405 + Allow, in the API's error shape rather than Fastify's.
  for (const method of http.METHODS) {
    if (method !== "CONNECT" && !app.supportedMethods.includes(method))
      app.addHttpMethod(method, { hasBody: true });
  }
  const leave = new Set(options.leaveMethods ?? []);
  const methods = new Set<string>(app.supportedMethods.filter((m) => !leave.has(m)));
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
      // Body errors come before the handler runs: a path or verb the API lacks is still 404 or 405.
      const routing = table.match(req.method === "HEAD" ? "GET" : req.method, pathOf(req));
      if (routing.kind === "not-found") return options.notFound(req, reply);
      if (routing.kind === "method-not-allowed") return methodNotAllowed(req, reply, routing.allow);
      if (error.statusCode === 413) {
        return transportError(
          reply,
          options.requestId(req),
          413,
          Code.ResourceExhausted,
          `The request body is larger than ${options.bodyLimitBytes} bytes.`,
        );
      }
      if (error.statusCode === 415 || error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
        return transportError(
          reply,
          options.requestId(req),
          415,
          Code.InvalidArgument,
          "Send the body as application/json.",
        );
      }
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        return transportError(
          reply,
          options.requestId(req),
          400,
          Code.InvalidArgument,
          "The request could not be read.",
        );
      }
      req.log.error({ err: error }, "unexpected error in REST transcoder");
      const requestId = options.requestId(req);
      const { error: internal } = connectErrorFrom(error, requestId);
      return transportError(reply, requestId, 500, Code.Internal, internal.rawMessage);
    });
    scope.route({ method: [...methods], url: "/*", handler: (req, reply) => handle(req, reply) });
  });

  const transportError = (
    reply: FastifyReply,
    requestId: string,
    status: number,
    code: Code,
    message: string,
  ) => sendTransportError(reply, status, code, message, requestId, options.registry);

  function methodNotAllowed(req: FastifyRequest, reply: FastifyReply, allow: readonly string[]) {
    options.recordRejection?.(req, undefined, Code.Unimplemented);
    reply.header("allow", allow.join(", "));
    const message = `${req.method} is not allowed here; use ${allow.join(" or ")}.`;
    return transportError(reply, options.requestId(req), 405, Code.Unimplemented, message);
  }

  async function handle(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const requestId = options.requestId(req);
    const rawUrl = req.raw.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    // HEAD is GET without the body (RFC 9110); Fastify drops the body.
    const match = table.match(req.method === "HEAD" ? "GET" : req.method, rawPath);
    if (match.kind === "not-found") return options.notFound(req, reply);
    if (match.kind === "bad-request") {
      options.recordRejection?.(req, undefined, Code.InvalidArgument);
      return transportError(reply, requestId, 400, Code.InvalidArgument, match.message);
    }
    if (match.kind === "method-not-allowed") return methodNotAllowed(req, reply, match.allow);
    const { binding, handler } = match.target;
    const rejected = () => options.recordRejection?.(req, binding.name, Code.InvalidArgument);
    const body = readBody(req, binding);
    if (!body.ok) {
      rejected();
      return transportError(reply, requestId, body.status, Code.InvalidArgument, body.message);
    }
    const query = queryParamsOf(queryAt === -1 ? "" : rawUrl.slice(queryAt + 1));
    if (!query.ok) {
      const violation: FieldViolation = {
        field: query.param,
        code: "INVALID_FORMAT",
        description: `Query parameter ${query.param} has malformed percent-encoding.`,
      };
      rejected();
      return sendInvalid(reply, [violation], undefined, requestId, options.registry);
    }
    const built = restRequestOf(
      binding,
      { variables: match.variables, query: query.params, body: body.json },
      options.registry,
    );
    if (!built.ok) {
      rejected();
      return sendInvalid(reply, built.violations, built.message, requestId, options.registry);
    }
    await invoke(req, reply, binding, handler, built.message as Message);
  }

  /**
   * Runs the call through the router's own handler, as the Connect protocol with a binary message:
   * the same interceptors, context values, signal and error mapping as gRPC and Connect clients get.
   */
  async function invoke(
    req: FastifyRequest,
    reply: FastifyReply,
    binding: HttpBinding,
    handler: RpcHandler,
    message: Message,
  ) {
    const { method } = binding;
    const abort = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableEnded)
        abort.abort(new ConnectError("client closed the connection", Code.Canceled));
    };
    reply.raw.once("close", onClose);
    const header = metadataOf(req);
    header.set("content-type", "application/proto");
    header.set("connect-protocol-version", "1");
    // The response is read here, not sent on: it must not come back compressed.
    header.delete("accept-encoding");
    header.delete("content-encoding");
    header.delete("content-length");
    let response: RpcResponse;
    let bytes: Uint8Array;
    try {
      response = await handler({
        httpVersion: req.raw.httpVersion,
        method: "POST",
        url: `${req.protocol}://${req.host}${handler.requestPath}`,
        header,
        body: once(toBinary(method.input, message)),
        signal: abort.signal,
        contextValues: options.contextValues(req),
      });
      bytes = response.body ? await readAll(response.body) : new Uint8Array(0);
    } finally {
      reply.raw.off("close", onClose);
    }
    const { metadata, trailer } = connectMetadataOf(response.header);
    if (response.status !== 200) {
      const error = connectErrorFromJson(bytes, metadata);
      return sendRpcError(reply, binding, error, options.requestId(req), options.registry);
    }
    const output = fromBinary(method.output, bytes);
    sendSuccess(reply, binding, { header: metadata, trailer, message: output }, options.registry);
  }
}

function pathOf(req: FastifyRequest): string {
  const url = req.raw.url ?? "/";
  const queryAt = url.indexOf("?");
  return queryAt === -1 ? url : url.slice(0, queryAt);
}

/** Splits a Connect unary response's headers into the call's metadata and its `trailer-` prefixed trailers. */
function connectMetadataOf(header: Headers | undefined): { metadata: Headers; trailer: Headers } {
  const metadata = new Headers();
  const trailer = new Headers();
  header?.forEach((value, name) => {
    if (name.startsWith("trailer-")) trailer.append(name.slice("trailer-".length), value);
    else if (!CONNECT_TRANSPORT_HEADERS.has(name)) metadata.append(name, value);
  });
  return { metadata, trailer };
}

/** Headers of the Connect hop itself, not of the call. */
const CONNECT_TRANSPORT_HEADERS = new Set(["content-type", "content-length", "content-encoding", "vary"]);

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
    reply.header("x-request-id", req.id);
    sendTransportError(reply, status, Code.InvalidArgument, message, req.id, registry);
  };
}
