import type { FastifyInstance, FastifyRequest } from "fastify";
import type pg from "pg";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { type CallProtocol, callProtocolOf } from "./call-protocol.js";
import type { QueryObserver } from "./query-observer.js";
import type { RequestContext } from "./request-context.js";

/** Seconds: from a cached read (~1 ms) to the 10 s default call budget. */
const CALL_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The service's Prometheus metrics (docs/observability.md lists each one and what it means). */
export interface Metrics {
  registry: Registry;
  /** Times each database statement of the request path. */
  observeQuery: QueryObserver;
}

/** Call counters and latency, children resolved once per (rpc, protocol, code) and reused. */
interface CallSeries {
  count: Counter.Internal;
  duration: Histogram.Internal<"rpc" | "protocol">;
}

/**
 * Registers GET /metrics (Prometheus text format, no credentials: it holds no personal data) and the
 * hooks that count every request that named an RPC, including those refused before the RPC ran.
 * Labels are bounded: the RPC is one of the router's methods (or `unknown`), never a path or an id.
 */
export function registerMetrics(
  app: FastifyInstance,
  contextOf: (req: FastifyRequest) => RequestContext,
  pool: pg.Pool,
): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const calls = new Counter({
    name: "customer_api_calls_total",
    help: "Completed calls by RPC, protocol (grpc, grpc_web, connect, rest) and status code.",
    labelNames: ["rpc", "protocol", "code"] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: "customer_api_call_duration_seconds",
    help: "Time from receiving a call to sending its last byte, by RPC and protocol.",
    labelNames: ["rpc", "protocol"] as const,
    buckets: CALL_BUCKETS,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: "customer_api_requests_in_flight",
    help: "HTTP requests (every protocol, probes included) being served now.",
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge(
    "customer_api_db_pool_connections",
    "Connections the request pool holds (idle and in use).",
    () => pool.totalCount,
  );
  gauge(
    "customer_api_db_pool_idle_connections",
    "Connections of the request pool idle now.",
    () => pool.idleCount,
  );
  gauge(
    "customer_api_db_pool_waiting_requests",
    "Calls waiting for a connection of the request pool.",
    () => pool.waitingCount,
  );
  const queries = new Histogram({
    name: "customer_api_db_query_duration_seconds",
    help: "Database statements of the request path by operation (select, insert, update, begin, commit, ...) and outcome (ok, error).",
    labelNames: ["operation", "outcome"] as const,
    buckets: QUERY_BUCKETS,
    registers: [registry],
  });

  const series = new Map<string, CallSeries>();
  const seriesOf = (rpc: string, protocol: CallProtocol, code: string): CallSeries => {
    const key = `${rpc} ${protocol} ${code}`;
    let found = series.get(key);
    if (found === undefined) {
      found = {
        count: calls.labels({ rpc, protocol, code }),
        duration: durations.labels({ rpc, protocol }),
      };
      series.set(key, found);
    }
    return found;
  };
  const decrementInFlight = () => inFlight.dec();
  app.addHook("onRequest", async (_req, reply) => {
    inFlight.inc();
    // 'close' fires for every response, also one the client aborted (onResponse then does not run).
    reply.raw.once("close", decrementInFlight);
  });
  app.addHook("onResponse", async (req, reply) => {
    const rpc = contextOf(req).rpc;
    if (rpc === undefined) return;
    const s = seriesOf(rpc.method ?? "unknown", callProtocolOf(req), rpc.code);
    s.count.inc();
    s.duration.observe(reply.elapsedTime / 1000);
  });
  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  });

  const queryChildren = new Map<
    string,
    { ok: Histogram.Internal<"operation" | "outcome">; error: Histogram.Internal<"operation" | "outcome"> }
  >();
  const observeQuery: QueryObserver = async (operation, run) => {
    let children = queryChildren.get(operation);
    if (children === undefined) {
      children = {
        ok: queries.labels({ operation, outcome: "ok" }),
        error: queries.labels({ operation, outcome: "error" }),
      };
      queryChildren.set(operation, children);
    }
    const start = performance.now();
    try {
      const result = await run();
      children.ok.observe((performance.now() - start) / 1000);
      return result;
    } catch (error) {
      children.error.observe((performance.now() - start) / 1000);
      throw error;
    }
  };
  return { registry, observeQuery };
}
