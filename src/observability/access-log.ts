import type { FastifyInstance, FastifyRequest } from "fastify";
import { REQUEST_ID_HEADER, type RequestContext } from "./request-context.js";

/**
 * Gives every request its RequestContext (request id, logger, client address), returns the request
 * id on every response, and writes one access-log line per request that names the RPC and its
 * status code — gRPC calls always have HTTP status 200 — and the caller's subject (never a token).
 * The query string is left out of the log: searches carry emails, phones and names in it.
 */
export function registerRequestContext(app: FastifyInstance): (req: FastifyRequest) => RequestContext {
  const contexts = new WeakMap<FastifyRequest, RequestContext>();
  const contextOf = (req: FastifyRequest): RequestContext => {
    let context = contexts.get(req);
    if (!context) {
      // The address is read now: on HTTP/2 the socket may be gone by the time the response is logged.
      context = { requestId: req.id, log: req.log, ip: req.ip };
      contexts.set(req, context);
    }
    return context;
  };
  app.addHook("onRequest", async (req, reply) => {
    contextOf(req);
    reply.header(REQUEST_ID_HEADER, req.id);
  });
  app.addHook("onResponse", async (req, reply) => {
    const context = contexts.get(req);
    req.log.info(
      {
        method: req.method,
        path: req.url.split("?", 1)[0],
        httpVersion: req.raw.httpVersion,
        ip: context?.ip,
        subject: context?.subject,
        statusCode: reply.statusCode,
        rpc: context?.rpc?.method,
        code: context?.rpc?.code,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        traceId: context?.traceId,
      },
      "request completed",
    );
  });
  return contextOf;
}
