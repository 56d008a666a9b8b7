import http from "node:http";
import { type DescService, fromBinary, type Message, type Registry, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, type ContextValues } from "@connectrpc/connect";
import { callMetadataOf, headerValue } from "../transport/call-metadata.js";
import { callConnectUnary } from "../transport/connect-unary-call.js";
import { connectErrorFromJson } from "../transport/error-framing.js";
import { type HttpBinding, httpBindingsOf } from "./http-bindings.js";
import { invalidRequest } from "./request-violation.js";
import { parseBody, queryParamsOf, type RestHttpRequest, readBodyBytes } from "./rest-http-request.js";
import { restRequestOf } from "./rest-request.js";
import { type RestErrorRenderer, type RestHttpResponse, writeError, writeSuccess } from "./rest-response.js";
import { createRouteTable } from "./route-table.js";

/** A Connect router handler: serves one RPC, whatever the protocol. */
type RpcHandler = ConnectRouter["handlers"][number];

/** Options of {@link createRestTranscoder}. */
export interface RestTranscoderOptions {
  /** The services whose google.api.http bindings to serve. */
  services: readonly DescService[];
  /** The Connect router's handlers: REST calls run through them, as gRPC and Connect calls do. */
  handlers: readonly RpcHandler[];
  /** Resolves google.protobuf.Any and error-detail types in JSON. */
  registry: Registry;
  bodyLimitBytes: number;
}

/** What the HTTP application gives the transcoder for one request. */
export interface RestCall {
  /** Context values (request id, logger) for the RPC, as the Connect routes give them too. */
  contextValues: ContextValues;
  /** Renders errors in the application's REST error body. */
  renderError: RestErrorRenderer;
  /** Called when the request is refused before its RPC runs (`rpc` undefined: no route matched). */
  rejected?: (rpc: string | undefined, code: Code) => void;
}

/** A generic google.api.http transcoder over Node's request and response objects. */
export interface RestTranscoder {
  /** HTTP methods the bindings use (custom verbs included); the application must route them here. */
  readonly methods: readonly string[];
  /**
   * Serves one request. Resolves "not-found" without writing anything when no binding's path
   * matches, so the application can answer with its own 404.
   */
  handle(req: RestHttpRequest, res: RestHttpResponse, call: RestCall): Promise<"served" | "not-found">;
}

/**
 * Serves the google.api.http bindings of `services` as REST/JSON, generically: routes come from the
 * descriptors at start-up, each request becomes the RPC's request message and runs through the
 * router's own handler, so the same interceptors and implementation as gRPC and Connect. It knows
 * neither the HTTP framework nor the application's error body (RestCall.renderError).
 */
export function createRestTranscoder(options: RestTranscoderOptions): RestTranscoder {
  const routes: { method: string; template: string; target: Route; name: string }[] = [];
  for (const binding of httpBindingsOf(options.services)) {
    const handler = options.handlers.find(
      (h) => h.method === binding.method && h.method.methodKind === "unary",
    );
    if (!handler) throw new Error(`${binding.name}: no unary handler to serve over REST`);
    if (!http.METHODS.includes(binding.httpMethod)) {
      throw new Error(
        `${binding.name}: custom HTTP method ${binding.httpMethod} cannot be received by an HTTP server`,
      );
    }
    routes.push({
      method: binding.httpMethod,
      template: binding.template,
      name: binding.name,
      target: { binding, handler },
    });
  }
  const table = createRouteTable(routes);
  const methods = [...new Set(routes.map((r) => r.method))];

  async function handle(
    req: RestHttpRequest,
    res: RestHttpResponse,
    call: RestCall,
  ): Promise<"served" | "not-found"> {
    const rawUrl = req.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    // HEAD is GET without the body (RFC 9110); Node drops the body of a HEAD response.
    const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
    const match = table.match(method, rawPath);
    if (match.kind === "not-found") return "not-found";
    const refuse = (rpc: string | undefined, error: ConnectError, status?: number, binding?: HttpBinding) => {
      call.rejected?.(rpc, error.code);
      writeError(res, binding, error, call.renderError, { status, fromCall: false });
      return "served" as const;
    };
    if (match.kind === "bad-request") {
      return refuse(undefined, new ConnectError(match.message, Code.InvalidArgument), 400);
    }
    if (match.kind === "method-not-allowed") {
      res.setHeader("allow", match.allow.join(", "));
      const message = `${req.method} is not allowed here; use ${match.allow.join(" or ")}.`;
      return refuse(undefined, new ConnectError(message, Code.Unimplemented), 405);
    }
    const { binding } = match.target;
    const raw = await readBodyBytes(req, options.bodyLimitBytes);
    if (raw === "aborted") return "served"; // the client went away; nobody is left to answer
    if (raw === "too-large" || raw === "too-large-undrained") {
      // A body abandoned part-way leaves the HTTP/1.1 connection unusable: close it after the answer.
      if (raw === "too-large-undrained" && req.httpVersion.startsWith("1."))
        res.setHeader("connection", "close");
      const message = `The request body is larger than ${options.bodyLimitBytes} bytes.`;
      return refuse(binding.name, new ConnectError(message, Code.ResourceExhausted), 413);
    }
    const body = parseBody(req, raw, binding);
    if (!body.ok) {
      return refuse(binding.name, new ConnectError(body.message, Code.InvalidArgument), body.status);
    }
    const query = queryParamsOf(queryAt === -1 ? "" : rawUrl.slice(queryAt + 1));
    if (!query.ok) {
      const violation = {
        field: query.param,
        reason: "INVALID_FORMAT" as const,
        description: `Query parameter ${query.param} has malformed percent-encoding.`,
      };
      return refuse(binding.name, invalidRequest([violation]), undefined, binding);
    }
    const built = restRequestOf(
      binding,
      { variables: match.variables, query: query.params, body: body.json },
      options.registry,
    );
    if (!built.ok) {
      return refuse(binding.name, invalidRequest(built.violations, built.message), undefined, binding);
    }
    await invoke(req, res, call, match.target, built.message as Message);
    return "served";
  }

  /**
   * Runs the call through the router's own handler, as the Connect protocol with a binary message:
   * the same interceptors, context values, signal and error mapping as gRPC and Connect clients get.
   */
  async function invoke(
    req: RestHttpRequest,
    res: RestHttpResponse,
    call: RestCall,
    { binding, handler }: Route,
    message: Message,
  ) {
    const { method } = binding;
    const header = callMetadataOf(req.headers);
    header.set("content-type", "application/proto");
    header.set("connect-protocol-version", "1");
    // The response is read here, not sent on: it must not come back compressed.
    header.delete("accept-encoding");
    header.delete("content-encoding");
    header.delete("content-length");
    const answer = await callConnectUnary(handler, {
      requestPath: handler.requestPath,
      httpVersion: req.httpVersion,
      host: headerValue(req.headers, "host") ?? headerValue(req.headers, ":authority"),
      header,
      message: toBinary(method.input, message),
      contextValues: call.contextValues,
      res,
    });
    const { metadata, trailer } = answer;
    if (answer.status !== 200) {
      const error = connectErrorFromJson(answer.body, metadata);
      return writeError(res, binding, error, call.renderError, { fromCall: true });
    }
    const output = fromBinary(method.output, answer.body);
    // A conditional GET (HEAD included) is answered here, from the ETag the handler set; other
    // methods' preconditions are the handler's to check, atomically with what they change.
    const ifNoneMatch =
      req.method === "GET" || req.method === "HEAD" ? headerValue(req.headers, "if-none-match") : undefined;
    writeSuccess(res, binding, { header: metadata, trailer, message: output, ifNoneMatch }, options.registry);
  }

  return { methods, handle };
}

interface Route {
  binding: HttpBinding;
  handler: RpcHandler;
}
