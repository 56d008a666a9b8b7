import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/** How long a call may take when its caller set no shorter deadline (CALL_TIMEOUT_MS). */
export const DEFAULT_CALL_BUDGET_MS = 10_000;

/**
 * Gives every call a server-side budget: the handler's signal aborts with DEADLINE_EXCEEDED (REST
 * 504) when the call has run `budgetMs`, unless the caller's own deadline (grpc-timeout, Connect
 * timeout) or a disconnect aborts it first. The repository cancels the statement running in
 * PostgreSQL when the signal aborts, so an abandoned call stops holding locks and a connection.
 */
export function createCallBudgetInterceptor(budgetMs: number): Interceptor {
  return (next) => async (req) => {
    const budget = new AbortController();
    const onCallerAbort = () => budget.abort(req.signal.reason);
    if (req.signal.aborted) onCallerAbort();
    else req.signal.addEventListener("abort", onCallerAbort, { once: true });
    const timer = setTimeout(() => {
      const message = `The call did not finish within the server's ${budgetMs} ms budget; retry later.`;
      budget.abort(new ConnectError(message, Code.DeadlineExceeded));
    }, budgetMs);
    try {
      return await next({ ...req, signal: budget.signal });
    } finally {
      clearTimeout(timer);
      req.signal.removeEventListener("abort", onCallerAbort);
    }
  };
}
