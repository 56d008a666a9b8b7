import { ConnectError, type Interceptor } from "@connectrpc/connect";
import { InsufficientScopeError, InvalidTokenError } from "./auth-errors.js";

const CHALLENGE = 'Bearer realm="customer-api"';

/**
 * The RFC 6750 §3 challenge for a refused bearer value: `error="invalid_token"` on the 401 for an
 * unknown API key or an invalid JWT, `error="insufficient_scope"` with the needed scope on the 403.
 * connectErrorFrom() gives every UNAUTHENTICATED the plain challenge (still right for missing
 * credentials); this step, outside the error interceptor, refines the mapped error's header by the
 * auth error it came from (its `cause`).
 */
export function createBearerChallengeInterceptor(): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (error) {
      if (error instanceof ConnectError) {
        const challenge = challengeFor(error.cause);
        if (challenge !== undefined) error.metadata.set("www-authenticate", challenge);
      }
      throw error;
    }
  };
}

/** The WWW-Authenticate value for an auth error, or undefined to leave the header as it is. */
function challengeFor(cause: unknown): string | undefined {
  if (cause instanceof InvalidTokenError) return `${CHALLENGE}, error="invalid_token"`;
  if (cause instanceof InsufficientScopeError) {
    return `${CHALLENGE}, error="insufficient_scope", scope="${cause.scope}"`;
  }
  return undefined;
}
