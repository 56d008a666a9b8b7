import type { ContextValues } from "@connectrpc/connect";
import { universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { type RpcHandler, withEarlyErrors } from "./early-errors.js";
import { rawResponseOf } from "./fastify-raw-reply.js";
import { serveGrpcAsConnect } from "./grpc-as-connect.js";

/** Options of {@link registerConnectRoutes}. */
export interface ConnectRoutesOptions {
  /** The Connect router's handlers: one per RPC, each serving gRPC, gRPC-web and Connect. */
  handlers: readonly RpcHandler[];
  /** Per-request context values (request id, logger), as the REST transcoder gives them too. */
  contextValues: (req: FastifyRequest) => ContextValues;
  /** The router's readMaxBytes, which unary gRPC calls translated to Connect are held to. */
  readMaxBytes: number;
}

/**
 * Mounts the Connect router's handlers on Fastify, one exact route per RPC path, with connect-node's
 * public request/response adapters. It does what connect-fastify's plugin does, and also passes each
 * handler through withEarlyErrors, which that plugin offers no seam for.
 */
export async function registerConnectRoutes(
  app: FastifyInstance,
  options: ConnectRoutesOptions,
): Promise<void> {
  await app.register(async (scope) => {
    // connect-es reads and limits the body itself.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_req, _payload, done) => done(null, undefined));
    for (const handler of options.handlers) {
      const serve = withEarlyErrors(handler);
      scope.all(handler.requestPath, async (req, reply) => {
        const contextValues = options.contextValues(req);
        const raw = rawResponseOf(reply);
        const call = { serve, handler, contextValues, readMaxBytes: options.readMaxBytes };
        if (await serveGrpcAsConnect(req.raw, raw, call)) return;
        const response = await serve(
          universalRequestFromNodeRequest(req.raw, reply.raw, undefined, contextValues),
        );
        // Written to the raw response, as connect-fastify does.
        await universalResponseToNodeResponse(response, raw).catch((error: unknown) => {
          // The client went away mid-response; there is nobody left to tell.
          req.log.debug({ err: error }, "response not completed");
        });
      });
    }
  });
}
