import type { AddressInfo } from "node:net";
import type { Tracer } from "@opentelemetry/api";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { buildApp } from "../../src/app.js";
import type { AuthSettings } from "../../src/auth/credential-verifier.js";
import type { RateLimitSettings } from "../../src/limits/rate-limit-interceptor.js";
import { createTestDatabase, type TestDatabase } from "./test-database.js";

/** The API key every test server accepts. */
export const TEST_API_KEY = "test-key-0123456789abcdef";

/** The real app on a free loopback port, with its own database. */
export interface TestServer {
  app: FastifyInstance;
  db: TestDatabase;
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

/** Builds and starts the real application, as server.ts does, on 127.0.0.1 and a free port. */
export async function startTestServer(
  options: {
    logger?: FastifyBaseLogger;
    bodyLimitBytes?: number;
    corsAllowedOrigins?: string[];
    tls?: { cert: Buffer; key: Buffer };
    /** Accepted API keys; by default TEST_API_KEY alone, with every scope. */
    apiKeys?: AuthSettings["apiKeys"];
    /** JWT verification; by default none. */
    jwt?: AuthSettings["jwt"];
    /** Per-credential rate limit; by default none. */
    rateLimit?: RateLimitSettings;
    /** Server-side budget of a call; by default the app's (10 s). */
    callBudgetMs?: number;
    /** OpenTelemetry tracer; by default no tracing. */
    tracer?: Tracer;
    /** Built support console to serve at /console; by default dist/console. */
    consoleDir?: string;
  } = {},
): Promise<TestServer> {
  const db = await createTestDatabase();
  const app = await buildApp({
    pool: db.pool,
    apiKeys: options.apiKeys ?? [TEST_API_KEY],
    jwt: options.jwt,
    pageTokenSecret: "test-page-token-secret-0123456789abcdef",
    defaultPhoneRegion: "US",
    bodyLimitBytes: options.bodyLimitBytes,
    corsAllowedOrigins: options.corsAllowedOrigins,
    tls: options.tls,
    rateLimit: options.rateLimit,
    callBudgetMs: options.callBudgetMs,
    tracer: options.tracer,
    logger: options.logger,
    consoleDir: options.consoleDir,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    db,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
