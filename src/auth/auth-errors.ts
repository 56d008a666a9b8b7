import { Code } from "@connectrpc/connect";
import { ApiError } from "../errors/api-error.js";
import type { Scope } from "./scope.js";

/** Why a bearer value was refused (InvalidTokenError.problem); the message says it for people. */
export type TokenProblem =
  | "unknown-api-key"
  | "malformed"
  | "expired"
  | "not-yet-valid"
  | "wrong-issuer"
  | "wrong-audience"
  | "missing-claim"
  | "invalid-claim"
  | "bad-signature"
  | "algorithm-not-allowed"
  | "unknown-key";

const SEND_BEARER = "send the header 'authorization: Bearer <api key or token>'";

/** The RFC 6750 §3 challenge every refusal of credentials carries in WWW-Authenticate. */
const CHALLENGE = 'Bearer realm="customer-api"';

/** No `authorization` header (or a blank one): the plain `Bearer realm=...` challenge. */
export function missingCredentials(): ApiError {
  return ApiError.unauthenticated("MISSING_CREDENTIALS", `Missing credentials: ${SEND_BEARER}.`, CHALLENGE);
}

/**
 * An `authorization` header that is not `Bearer <value>` (another scheme, or no value). RFC 6750
 * §3.1: a request that does not attempt Bearer authentication gets the challenge without an error code.
 */
export function notBearerCredentials(): ApiError {
  return ApiError.unauthenticated("INVALID_CREDENTIALS", `Invalid credentials: ${SEND_BEARER}.`, CHALLENGE);
}

/**
 * A bearer value that was sent and refused: an unknown API key or a JWT that does not verify.
 * Answered with the RFC 6750 `error="invalid_token"` challenge. The message says why, and never
 * quotes the token.
 */
export class InvalidTokenError extends ApiError {
  override name = "InvalidTokenError";

  constructor(
    readonly problem: TokenProblem,
    message: string,
  ) {
    super(Code.Unauthenticated, "INVALID_CREDENTIALS", message, [], {
      headers: { "www-authenticate": `${CHALLENGE}, error="invalid_token"` },
    });
  }
}

/** A verified caller whose credential lacks the scope the RPC needs (RFC 6750 `insufficient_scope`). */
export class InsufficientScopeError extends ApiError {
  override name = "InsufficientScopeError";

  constructor(
    readonly scope: Scope,
    rpc: string,
  ) {
    super(
      Code.PermissionDenied,
      "INSUFFICIENT_SCOPE",
      `Permission denied: ${rpc} needs the scope ${scope}, which this credential does not grant.`,
      [],
      { headers: { "www-authenticate": `${CHALLENGE}, error="insufficient_scope", scope="${scope}"` } },
    );
  }
}

/**
 * The issuer's signing keys could not be had (JWT_JWKS_URL unreachable or not a JWKS, a key that does
 * not import): the service's problem, not the caller's, so UNAVAILABLE and worth retrying. `cause`
 * is logged (as for every UNAVAILABLE), never sent.
 */
export function signingKeysUnavailable(cause: unknown): ApiError {
  return ApiError.unavailable(
    "SIGNING_KEYS_UNAVAILABLE",
    "Cannot verify the token now: the issuer's signing keys are unavailable. Retry later.",
    cause,
  );
}
