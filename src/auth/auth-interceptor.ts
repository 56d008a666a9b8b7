import type { Interceptor } from "@connectrpc/connect";
import { requestContextKey } from "../observability/request-context.js";
import { InsufficientScopeError, missingCredentials, notBearerCredentials } from "./auth-errors.js";
import { bearerTokenOf } from "./bearer-token.js";
import type { CredentialVerifier } from "./credential-verifier.js";
import type { RequiredScopes } from "./method-scopes.js";

/** What the auth step needs: how to verify a bearer value, and which scope each method needs. */
export interface AuthInterceptorOptions {
  verify: CredentialVerifier;
  requiredScopes: RequiredScopes;
}

/**
 * Lets an RPC through only with `authorization: Bearer <accepted API key or JWT>` (else
 * UNAUTHENTICATED) whose credential grants the method's scope (else PERMISSION_DENIED). The
 * credential's subject goes into the request context for the access log.
 */
export function createAuthInterceptor({ verify, requiredScopes }: AuthInterceptorOptions): Interceptor {
  return (next) => async (req) => {
    const header = req.header.get("authorization");
    if (header === null || header.trim() === "") throw missingCredentials();
    const token = bearerTokenOf(header);
    if (token === undefined) throw notBearerCredentials();
    const credential = await verify(token);
    const context = req.contextValues.get(requestContextKey);
    if (context) context.subject = credential.subject;
    const scope = requiredScopes.get(req.method);
    // Fail closed: only a wiring mistake gets here (requiredScopesOf covers every method at start-up).
    if (scope === undefined) throw new Error(`no scope rule for ${req.service.typeName}/${req.method.name}`);
    if (!credential.scopes.has(scope)) throw new InsufficientScopeError(scope, req.method.name);
    return next(req);
  };
}
