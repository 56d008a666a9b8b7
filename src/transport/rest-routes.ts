import http from "node:http";
import { Code, ConnectError, type ContextValues } from "@connectrpc/connect";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RestErrorRenderer } from "../transcoding/rest-response.js";
import type { RestTranscoder } from "../transcoding/rest-transcoder.js";
import { rawResponseOf } from "./fastify-raw-reply.js";

/** Options of {@link registerRestRoutes}. */
export interface RestRoutesOptions {
  transcoder: RestTranscoder;
  /** Per-request context values (request id, logger), as the Connect routes give them. */
  contextValues: (req: FastifyRequest) => ContextValues;
  /** The application's REST error body, for this request. */
  errorRenderer: (req: FastifyRequest) => RestErrorRenderer;
  /** Answers a request no binding's path matches (the app also answers unknown RPCs there). */
  notFound: (req: FastifyRequest, reply: FastifyReply) => void;
  /** Records the outcome of a request refused before its RPC ran (the access log's `rpc` and `code`). */
  rejected?: (req: FastifyRequest, rpc: string | undefined, code: Code) => void;
  /** Methods another plugin answers on every path (OPTIONS, when CORS answers preflights). */
  leaveMethods?: readonly string[];
}

/**
 * Mounts the REST transcoder on Fastify as one catch-all route in its own scope, so the exact
 * Connect routes and health checks keep priority. The route takes every method Node can parse, so
 * a path the API has answers any other verb (TRACE, PROPFIND, …) with 405 + Allow in the API's error
 * shape; the transcoder reads the body itself, so Fastify parses nothing here.
 */
export async function registerRestRoutes(app: FastifyInstance, options: RestRoutesOptions): Promise<void> {
  for (const method of [...http.METHODS, ...options.transcoder.methods]) {
    if (method !== "CONNECT" && !app.supportedMethods.includes(method))
      app.addHttpMethod(method, { hasBody: true });
  }
  const leave = new Set(options.leaveMethods ?? []);
  const methods = app.supportedMethods.filter((m) => !leave.has(m));
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_req, _payload, done) => done(null, undefined));
    const serve = async (req: FastifyRequest, reply: FastifyReply) => {
      const outcome = await options.transcoder.handle(req.raw, rawResponseOf(reply), {
        contextValues: options.contextValues(req),
        renderError: options.errorRenderer(req),
        rejected: options.rejected && ((rpc, code) => options.rejected?.(req, rpc, code)),
      });
      if (outcome === "not-found") options.notFound(req, reply);
    };
    scope.setErrorHandler(async (error: { statusCode?: number }, req, reply) => {
      // Fastify's own checks before the handler (a QUERY without content-type, …) are not the API's:
      // the body is still unread, so the transcoder answers as for any request (405, 415, …).
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500 && !reply.raw.headersSent) return serve(req, reply);
      req.log.error({ err: error }, "unexpected error in the REST transcoder");
      options.rejected?.(req, undefined, Code.Internal);
      if (reply.raw.headersSent) {
        reply.raw.destroy();
        return;
      }
      const internal = new ConnectError("unexpected error", Code.Internal, undefined, undefined, error);
      sendRestError(reply, options.errorRenderer(req), internal, 500);
    });
    scope.route({ method: methods, url: "/*", handler: serve });
  });
}

/** Sends an error the HTTP layer raises itself (404, a malformed URL, …) in the REST error body. */
export function sendRestError(
  reply: FastifyReply,
  render: RestErrorRenderer,
  error: ConnectError,
  status?: number,
): void {
  const rendered = render(error, { status, fromCall: false });
  rendered.headers?.forEach((value, name) => {
    reply.header(name, value);
  });
  reply
    .code(rendered.status)
    .header("content-type", "application/json; charset=utf-8")
    .send(JSON.stringify(rendered.body));
}

/**
 * A Fastify `frameworkErrors` handler: errors Fastify raises before routing (a URL with malformed
 * percent-encoding) get the REST error body and the request id instead of Fastify's own shape.
 */
export function restFrameworkErrorHandler(errorRenderer: (req: FastifyRequest) => RestErrorRenderer) {
  return (error: { code?: string; statusCode?: number }, req: FastifyRequest, reply: FastifyReply): void => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
    const message =
      error.code === "FST_ERR_BAD_URL"
        ? "The request URL has malformed percent-encoding."
        : "The request could not be read.";
    reply.header("x-request-id", req.id);
    sendRestError(reply, errorRenderer(req), new ConnectError(message, Code.InvalidArgument), status);
  };
}
