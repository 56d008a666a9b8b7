import {
  context as otelContext,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { callProtocolOf } from "./call-protocol.js";
import type { QueryObserver } from "./query-observer.js";
import type { RequestContext } from "./request-context.js";

const propagator = new W3CTraceContextPropagator();
const headerGetter = {
  keys: (carrier: FastifyRequest["headers"]) => Object.keys(carrier),
  get: (carrier: FastifyRequest["headers"], key: string) => carrier[key],
};

// Codes that mean the server failed (OpenTelemetry's gRPC conventions for server spans).
const SERVER_FAULTS = new Set([
  "UNKNOWN",
  "DEADLINE_EXCEEDED",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
]);
const GRPC_CODE_NUMBERS: Record<string, number> = Object.fromEntries(
  [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
  ].map((name, number) => [name, number]),
);

/**
 * A server span per request, named by its RPC (`customers.v1.CustomerService/GetCustomer`), child of
 * the caller's W3C `traceparent` (an HTTP header, which is also how gRPC metadata travels). The rest
 * of the request runs in the span's context, so database spans become its children, and the access
 * log gets `traceId`. Attributes name the RPC, the protocol and the outcome: never a body, a query
 * string or a header value. Registered only when tracing is configured: off, the hot path is untouched.
 */
export function registerTracing(
  app: FastifyInstance,
  contextOf: (req: FastifyRequest) => RequestContext,
  tracer: Tracer,
): void {
  const spans = new WeakMap<FastifyRequest, ReturnType<Tracer["startSpan"]>>();
  app.addHook("onRequest", (req, _reply, done) => {
    const parent = propagator.extract(ROOT_CONTEXT, req.headers, headerGetter);
    const span = tracer.startSpan(req.method, { kind: SpanKind.SERVER }, parent);
    spans.set(req, span);
    contextOf(req).traceId = span.spanContext().traceId;
    otelContext.with(trace.setSpan(parent, span), done);
  });
  app.addHook("onResponse", async (req, reply) => {
    const span = spans.get(req);
    if (span === undefined) return;
    const protocol = callProtocolOf(req);
    const rpc = contextOf(req).rpc;
    span.setAttribute("customer_api.protocol", protocol);
    span.setAttribute("http.request.method", req.method);
    span.setAttribute("http.response.status_code", reply.statusCode);
    if (rpc?.method !== undefined) {
      const slash = rpc.method.indexOf("/");
      span.updateName(rpc.method);
      span.setAttribute("rpc.service", rpc.method.slice(0, slash));
      span.setAttribute("rpc.method", rpc.method.slice(slash + 1));
    }
    if (protocol === "grpc" || protocol === "grpc_web") span.setAttribute("rpc.system", "grpc");
    else if (protocol === "connect") span.setAttribute("rpc.system", "connect_rpc");
    if (rpc !== undefined) {
      span.setAttribute("rpc.response.status_code", rpc.code);
      const number = GRPC_CODE_NUMBERS[rpc.code];
      if (number !== undefined) span.setAttribute("rpc.grpc.status_code", number);
      if (SERVER_FAULTS.has(rpc.code)) span.setStatus({ code: SpanStatusCode.ERROR, message: rpc.code });
    } else if (reply.statusCode >= 500) {
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  });
}

/** Wraps `inner` so that each database statement is also a client span, child of the call's span. */
export function tracedQuery(tracer: Tracer, inner: QueryObserver): QueryObserver {
  return (operation, run) =>
    tracer.startActiveSpan(
      operation.toUpperCase(),
      {
        kind: SpanKind.CLIENT,
        // The statement's keyword only: its text and values (which hold personal data) are never recorded.
        attributes: { "db.system.name": "postgresql", "db.operation.name": operation.toUpperCase() },
      },
      async (span) => {
        try {
          return await inner(operation, run);
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
          throw error;
        } finally {
          span.end();
        }
      },
    );
}
