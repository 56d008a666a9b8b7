import { createRegistry } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  cors as connectCors,
  createConnectRouter,
  createContextValues,
} from "@connectrpc/connect";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import fastifyCors from "@fastify/cors";
import type { Tracer } from "@opentelemetry/api";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import type pg from "pg";
import {
  CustomerService,
  file_customers_v1_customer_service,
} from "../gen/customers/v1/customer_service_pb.js";
import { file_google_rpc_error_details } from "../gen/google/rpc/error_details_pb.js";
import { Health } from "../gen/health/v1/health_pb.js";
import type { AuthSettings } from "./auth/credential-verifier.js";
import type { JwtSettings } from "./auth/jwt-verifier.js";
import { createCustomerRepository } from "./customers/customer-repository.js";
import { createCustomerService } from "./customers/customer-service.js";
import { ETAG_HEADER } from "./customers/etag.js";
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from "./customers/idempotency-key.js";
import { startIdempotencyKeyPruning } from "./customers/idempotency-key-pruning.js";
import { createPageTokenCodec } from "./customers/page-token.js";
import { codeName } from "./errors/code-name.js";
import { createErrorInterceptor } from "./errors/error-interceptor.js";
import { restErrorResponse } from "./errors/rest-error-body.js";
import { addHealthService } from "./health/grpc-health-service.js";
import { createServingMonitor } from "./health/serving-monitor.js";
import type { RateLimitSettings } from "./limits/rate-limit-interceptor.js";
import { registerRequestContext } from "./observability/access-log.js";
import { registerMetrics } from "./observability/metrics.js";
import { REQUEST_ID_HEADER, requestContextKey, requestIdFrom } from "./observability/request-context.js";
import { registerTracing, tracedQuery } from "./observability/tracing.js";
import { createRpcPipeline } from "./rpc-pipeline.js";
import type { RestErrorRenderer } from "./transcoding/rest-response.js";
import { createRestTranscoder } from "./transcoding/rest-transcoder.js";
import { registerConnectRoutes } from "./transport/connect-routes.js";
import { registerConsoleRoutes } from "./transport/console-routes.js";
import { createOnePortServer, type TlsCredentials } from "./transport/one-port-server.js";
import { registerApiDocs } from "./transport/openapi-routes.js";
import { addReflection } from "./transport/reflection.js";
import { registerResponseHeaders } from "./transport/response-headers.js";
import { registerRestRoutes, restFrameworkErrorHandler, sendRestError } from "./transport/rest-routes.js";
import { answerUnknownRpc } from "./transport/unknown-rpc.js";

/** Everything buildApp needs; the caller owns (and closes) the database. */
export interface AppDeps {
  /** The request path's query pool (src/db/database.ts). */
  pool: pg.Pool;
  /** Accepted API keys with their scopes; a bare string is a key with every scope. */
  apiKeys: AuthSettings["apiKeys"];
  /** JWT bearer tokens; unset means API keys only. */
  jwt?: JwtSettings;
  pageTokenSecret: string;
  defaultPhoneRegion?: string;
  bodyLimitBytes?: number;
  /** Certificate and key to accept TLS on the same port (plaintext HTTP/1.1 and h2c stay available). */
  tls?: TlsCredentials;
  /** Origins allowed to call cross-origin from browsers (gRPC-web, Connect, REST). */
  corsAllowedOrigins?: readonly string[];
  /** Server-side budget of a call when the caller sets no shorter deadline (default 10 s). */
  callBudgetMs?: number;
  /** Per-credential token bucket for CustomerService calls; unset means no rate limit. */
  rateLimit?: RateLimitSettings;
  /** OpenTelemetry tracer (src/observability/tracer-provider.ts); none means no tracing, at no cost. */
  tracer?: Tracer;
  /** Built support console (dist/console by default; see src/transport/console-routes.ts). */
  consoleDir?: string;
  /** The process logger (pino); none means silent. */
  logger?: FastifyBaseLogger;
}

/** Resolves the API's and the error details' types in JSON (REST bodies, error details). */
const registry = createRegistry(file_google_rpc_error_details, file_customers_v1_customer_service);

/**
 * Builds the whole HTTP application (Connect, gRPC, gRPC-web, REST, health) on one Fastify
 * instance served by the one-port HTTP/1.1 + h2c server. Never listens: server.ts and tests do.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const bodyLimit = deps.bodyLimitBytes ?? 1024 * 1024;
  // The REST error body (src/errors/rest-error-body.ts), with this request's id.
  const errorRenderer =
    (req: FastifyRequest): RestErrorRenderer =>
    (error, how) =>
      restErrorResponse(error, req.id, registry, how);
  const app = Fastify({
    serverFactory: (handler) => createOnePortServer(handler, { tls: deps.tls }),
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    genReqId: (req) => requestIdFrom(req.headers[REQUEST_ID_HEADER]),
    // Fastify's own per-request lines are replaced by one access-log line (observability/access-log.ts).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "requestId" }),
    bodyLimit,
    return503OnClosing: true,
    // Fastify rejects malformed URLs before routing; answer in the API's own error shape.
    frameworkErrors: restFrameworkErrorHandler(errorRenderer),
  });
  const contextOf = registerRequestContext(app);
  registerResponseHeaders(app);
  if (deps.tracer) registerTracing(app, contextOf, deps.tracer);
  const metrics = registerMetrics(app, contextOf, deps.pool);
  const repository = createCustomerRepository(
    deps.pool,
    deps.tracer ? tracedQuery(deps.tracer, metrics.observeQuery) : metrics.observeQuery,
  );
  const stopPruning = startIdempotencyKeyPruning(repository, app.log);
  app.addHook("onClose", async () => stopPruning());

  // The one answer for a path nothing serves: an unknown RPC in its caller's protocol, else REST's 404.
  const notFound = (req: FastifyRequest, reply: FastifyReply) => {
    contextOf(req).rpc = { method: undefined, code: codeName(Code.NotFound) };
    if (answerUnknownRpc(req, reply, req.id)) return;
    const message = `No API route matches ${req.method} ${req.url.split("?", 1)[0]}.`;
    sendRestError(reply, errorRenderer(req), new ConnectError(message, Code.NotFound), 404);
  };
  app.setNotFoundHandler(notFound);

  const service = createCustomerService({
    repository,
    pageTokens: createPageTokenCodec(deps.pageTokenSecret),
    validation: { defaultPhoneRegion: deps.defaultPhoneRegion },
  });
  const pipeline = createRpcPipeline(
    { apiKeys: deps.apiKeys, jwt: deps.jwt },
    deps.rateLimit,
    deps.callBudgetMs,
  );

  const origins = deps.corsAllowedOrigins ?? [];
  const corsEnabled = origins.length > 0;
  if (corsEnabled) {
    await app.register(fastifyCors, {
      origin: origins.includes("*") ? "*" : [...origins],
      methods: [...connectCors.allowedMethods, "PUT", "PATCH", "DELETE"],
      allowedHeaders: [
        ...connectCors.allowedHeaders,
        "authorization",
        REQUEST_ID_HEADER,
        IDEMPOTENCY_KEY_HEADER,
        "if-match",
        "if-none-match",
      ],
      exposedHeaders: [
        ...connectCors.exposedHeaders,
        REQUEST_ID_HEADER,
        "location",
        "www-authenticate",
        ETAG_HEADER,
        IDEMPOTENT_REPLAYED_HEADER,
        "retry-after",
      ],
      // Browsers cache the preflight for a day instead of repeating it before every call.
      maxAge: 86_400,
    });
  }

  await registerConsoleRoutes(app, deps.consoleDir);
  app.get("/healthz", async () => ({ status: "ok" }));
  await registerApiDocs(app, [CustomerService]);
  app.get("/readyz", async (_req, reply) => {
    try {
      await deps.pool.query("select 1");
      return { status: "ok" };
    } catch {
      return reply.code(503).send({ status: "unavailable", reason: "database unreachable" });
    }
  });

  const contextValues = (req: FastifyRequest) => createContextValues().set(requestContextKey, contextOf(req));
  // One router serves every protocol: connect-es speaks gRPC, gRPC-web and Connect, and the REST
  // transcoder hands its calls to the same handlers.
  const router = createConnectRouter({
    readMaxBytes: bodyLimit,
    jsonOptions: { ignoreUnknownFields: false },
    acceptCompression: [compressionGzip, compressionBrotli],
  });
  router.service(CustomerService, service, { interceptors: pipeline });
  // gRPC health: open, NOT_SERVING from the moment close() begins (before connections drain).
  const serving = createServingMonitor({ probe: () => deps.pool.query("select 1") });
  app.addHook("preClose", async () => serving.shutDown());
  addHealthService(router, serving, [CustomerService], [createErrorInterceptor()]);
  // Reflection is open, like health: it reveals only the public contract.
  addReflection(router, [CustomerService, Health]);
  await registerConnectRoutes(app, { handlers: router.handlers, contextValues, readMaxBytes: bodyLimit });
  const transcoder = createRestTranscoder({
    services: [CustomerService],
    handlers: router.handlers,
    registry,
    bodyLimitBytes: bodyLimit,
  });
  await registerRestRoutes(app, {
    transcoder,
    contextValues,
    errorRenderer,
    notFound,
    rejected: (req, rpc, code) => {
      contextOf(req).rpc = { method: rpc, code: codeName(code) };
    },
    leaveMethods: corsEnabled ? ["OPTIONS"] : [],
  });
  return app;
}
