import type { FastifyInstance } from "fastify";

/**
 * Headers every answer carries: responses hold personal data, so no shared or browser cache may
 * keep them (`Cache-Control: no-store`), and browsers must not guess another content type for them
 * (`X-Content-Type-Options: nosniff`).
 */
export function registerResponseHeaders(app: FastifyInstance): void {
  app.addHook("onRequest", async (_req, reply) => {
    reply.header("cache-control", "no-store");
    reply.header("x-content-type-options", "nosniff");
  });
}
