import type { Interceptor } from "@connectrpc/connect";
import { requestContextKey } from "../observability/request-context.js";
import { codeName } from "./code-name.js";
import { connectErrorFrom } from "./connect-error-from.js";

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
      const requestId = context?.requestId ?? "unknown";
      const { error, unexpected } = connectErrorFrom(thrown, requestId);
      if (context) {
        context.rpc = { method, code: codeName(error.code) };
        if (unexpected) context.log.error({ err: thrown, rpc: method }, "unexpected error in RPC handler");
      }
      throw error;
    }
  };
}
