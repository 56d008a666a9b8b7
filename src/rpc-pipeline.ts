import type { Interceptor } from "@connectrpc/connect";
import { createAuthInterceptor } from "./auth/auth-interceptor.js";
import { type AuthSettings, createCredentialVerifier } from "./auth/credential-verifier.js";
import { customerServiceScopes } from "./auth/method-scopes.js";
import { createErrorInterceptor } from "./errors/error-interceptor.js";
import { createCallBudgetInterceptor, DEFAULT_CALL_BUDGET_MS } from "./limits/call-budget-interceptor.js";
import { createRateLimitInterceptor, type RateLimitSettings } from "./limits/rate-limit-interceptor.js";

/**
 * The cross-cutting steps every CustomerService call goes through, outermost first: error mapping
 * and logging, credentials and scopes, the per-credential rate limit when one is set, and the
 * server-side budget of the call. Connect (gRPC, gRPC-web, Connect) and the REST transcoder both run
 * exactly this list around the same service implementation. Throws when a method of the service has
 * no scope rule.
 */
export function createRpcPipeline(
  auth: AuthSettings,
  rateLimit?: RateLimitSettings,
  callBudgetMs = DEFAULT_CALL_BUDGET_MS,
): Interceptor[] {
  return [
    createErrorInterceptor(),
    createAuthInterceptor({
      verify: createCredentialVerifier(auth),
      requiredScopes: customerServiceScopes(),
    }),
    // After auth: keyed by the verified subject, and refused credentials take no token.
    ...(rateLimit ? [createRateLimitInterceptor(rateLimit)] : []),
    createCallBudgetInterceptor(callBudgetMs),
  ];
}
