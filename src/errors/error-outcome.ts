import { Code, type ConnectError } from "@connectrpc/connect";
import type { RequestContext } from "../observability/request-context.js";
import { codeName } from "./code-name.js";
import { connectErrorFrom } from "./connect-error-from.js";

/**
 * Settles a failed call, wherever it failed: maps the thrown value with connectErrorFrom(), records
 * the RPC and its code for the access log, and logs unexpected errors with their cause.
 */
export function settleError(
  thrown: unknown,
  context: RequestContext | undefined,
  rpc: string | undefined,
  where: string,
): ConnectError {
  const { error, unexpected } = connectErrorFrom(thrown, context?.requestId ?? "unknown");
  if (context) {
    context.rpc = { method: rpc, code: codeName(error.code) };
    if (unexpected) context.log.error({ err: thrown, rpc }, `unexpected error ${where}`);
    // Expected, but on-call needs the driver's reason, which the caller never sees.
    else if (error.code === Code.Unavailable) {
      context.log.warn({ err: (thrown as Error).cause ?? thrown, rpc }, "dependency unavailable");
    }
  }
  return error;
}
