import type { Interceptor } from "@connectrpc/connect";
import { requestContextKey } from "../observability/request-context.js";
import { settleError } from "./error-outcome.js";

/**
 * Outermost step of every RPC (Connect, gRPC, gRPC-web and REST alike): maps whatever the inner
 * steps throw through connectErrorFrom(), logs unexpected errors with their stack, and records the
 * RPC's outcome for the access log.
 */
export function createErrorInterceptor(): Interceptor {
  return (next) => async (req) => {
    const context = req.contextValues.get(requestContextKey);
    const method = `${req.service.typeName}/${req.method.name}`;
    try {
      const res = await next(req);
      if (context) context.rpc = { method, code: "OK" };
      return res;
    } catch (thrown) {
      throw settleError(thrown, context, method, "in RPC handler");
    }
  };
}
