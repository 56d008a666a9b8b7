// Entry point: configuration → database → buildApp → listen, and a graceful shutdown on SIGTERM/SIGINT/SIGHUP.
import { readFile } from "node:fs/promises";
import path from "node:path";
import pino from "pino";
import { buildApp } from "./app.js";
import { jwksKeySource } from "./auth/jwks-key-source.js";
import { resolveApiKeys } from "./auth/resolve-api-keys.js";
import { ConfigError, loadConfig } from "./config.js";
import { openDatabase } from "./db/database.js";
import { type Supervisor, superviseEmbeddedPostgres } from "./db/embedded-postgres-supervisor.js";
import { loadOrCreateServiceSecret } from "./db/service-secret.js";
import { loggerOptions } from "./observability/logger-options.js";
import { startTracing, type Tracing } from "./observability/tracer-provider.js";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(78); // EX_CONFIG
}

const log = pino(loggerOptions(config.logLevel));

// Signals that arrive while starting (the embedded PostgreSQL may be initialising) are held until
// start-up is done, then handled by the same graceful shutdown: nothing is left running.
let started = false;
let pendingSignal: NodeJS.Signals | undefined;
function onSignal(signal: NodeJS.Signals): void {
  if (started) {
    void shutdown(signal);
  } else if (pendingSignal === undefined) {
    pendingSignal = signal;
    log.info({ signal }, "stop requested during start-up; stopping once started");
  } else {
    // A second signal means the operator will not wait (start-up may be stuck on the database).
    log.warn({ signal }, "second stop request during start-up; exiting now");
    process.exit(1);
  }
}
// SIGHUP too: a closed terminal must not leave the embedded PostgreSQL running without its parent.
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, onSignal);
const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  dataDir: config.dataDir,
  migrate: config.migrateOnStart,
  connectTimeoutMs: config.databaseConnectTimeoutMs,
  log,
}).catch((error: unknown) => {
  log.fatal({ err: error }, "cannot open the database");
  process.exit(1);
});
let app: Awaited<ReturnType<typeof buildApp>>;
const tracing: Tracing | undefined =
  config.tracing && startTracing(config.tracing.exporter, config.tracing.serviceName);
/** Restarts the embedded PostgreSQL when it dies; stopped before the database is closed. */
let supervisor: Supervisor | undefined;
try {
  const apiKeys = await resolveApiKeys(config);
  const pageTokenSecret =
    config.pageTokenSecret ?? (await loadOrCreateServiceSecret(database.knex, "page-token"));
  const tls =
    config.tlsCertFile !== undefined && config.tlsKeyFile !== undefined
      ? { cert: await readFile(config.tlsCertFile), key: await readFile(config.tlsKeyFile) }
      : undefined;
  app = await buildApp({
    pool: database.pool,
    apiKeys: apiKeys.keys,
    jwt: config.jwt && {
      keys: jwksKeySource(config.jwt.jwks),
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      algorithms: config.jwt.algorithms,
      clockToleranceSeconds: config.jwt.clockToleranceSeconds,
    },
    pageTokenSecret,
    defaultPhoneRegion: config.defaultPhoneRegion,
    bodyLimitBytes: config.bodyLimitBytes,
    corsAllowedOrigins: config.corsAllowedOrigins,
    rateLimit: config.rateLimit,
    callBudgetMs: config.callTimeoutMs,
    tls,
    tracer: tracing?.tracer,
    logger: log,
  });
  const address = await app.listen({ host: config.host, port: config.port }).catch((error: unknown) => {
    throw new Error(`cannot listen on ${config.host}:${config.port}; check HOST and PORT`, { cause: error });
  });
  if (database.embedded) {
    supervisor = await superviseEmbeddedPostgres({ directory: path.join(config.dataDir, "postgres"), log });
  }
  log.info(
    {
      address,
      tls: tls !== undefined,
      database: database.embedded ? "embedded" : "external",
      apiKeys: apiKeys.keys.length,
      jwtIssuer: config.jwt?.issuer,
      rateLimit: config.rateLimit,
      traces: config.tracing?.exporter,
    },
    "customer-api listening",
  );
  if (apiKeys.developmentKey !== undefined) {
    log.warn(`development API key (kept in ${config.dataDir}/dev-api-key): ${apiKeys.developmentKey}`);
  }
} catch (error) {
  log.fatal({ err: error }, "cannot start");
  await database.close();
  process.exit(1);
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down: refusing new connections, finishing calls in flight");
  // Past the grace period, cut remaining connections rather than hang the deploy.
  const force = setTimeout(() => {
    log.warn({ graceMs: config.shutdownGraceMs }, "grace period over, closing remaining connections");
    app.server.closeAllConnections();
  }, config.shutdownGraceMs);
  force.unref();
  try {
    await app.close();
    // Spans still in the batch are sent before the process exits.
    await tracing?.shutdown().catch((error: unknown) => log.warn({ err: error }, "could not flush traces"));
    await supervisor?.stop();
    await database.close();
    log.info("stopped");
    process.exit(0);
  } catch (error) {
    log.error({ err: error }, "error during shutdown");
    process.exit(1);
  }
}
started = true;
if (pendingSignal !== undefined) void shutdown(pendingSignal);
