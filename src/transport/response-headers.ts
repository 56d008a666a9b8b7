import type { FastifyInstance } from "fastify";

// `/package.Service/Method`: the Connect path shape, which no REST binding (`/v1/...`) has.
const RPC_PATH = /^\/[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+\/[A-Za-z_]\w*(?:\?|$)/;

/** Whether a request is a Connect unary call sent as HTTP GET. */
function isConnectGet(method: string, url: string): boolean {
  return method === "GET" && RPC_PATH.test(url);
}

/**
 * Headers every answer carries: responses hold personal data, so no shared or browser cache may
 * keep them (`Cache-Control: no-store`), and browsers must not guess another content type for them
 * (`X-Content-Type-Options: nosniff`).
 */
export function registerResponseHeaders(app: FastifyInstance): void {
  app.addHook("onRequest", async (req, reply) => {
    // A Connect GET (idempotency_level = NO_SIDE_EFFECTS) is the one RPC answer a cache might
    // otherwise consider storable, so it also says `private` (docs/api.md, "Connect GET").
    reply.header("cache-control", isConnectGet(req.method, req.url) ? "private, no-store" : "no-store");
    reply.header("x-content-type-options", "nosniff");
  });
}
