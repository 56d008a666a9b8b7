import { errors, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions, jwtVerify } from "jose";
import { InvalidTokenError, signingKeysUnavailable } from "./auth-errors.js";
import type { Credential } from "./credential.js";
import { scopesFromClaims } from "./token-scopes.js";

/** What verifying JWTs needs: where the issuer's public keys come from, and what a token must say. */
export interface JwtSettings {
  /** Finds the key a token's header names (jose's local or remote JWKS, see jwks-key-source.ts). */
  keys: JWTVerifyGetKey;
  /** Required `iss`. */
  issuer: string;
  /** Required in `aud`. */
  audience: string;
  /** Accepted `alg` values: asymmetric only (jwt-algorithms.ts). */
  algorithms: readonly string[];
  /** Leeway for `exp` and `nbf` against this host's clock. */
  clockToleranceSeconds: number;
}

/** Verifies a JWT and returns its Credential; throws InvalidTokenError, or UNAVAILABLE without keys. */
export type JwtVerifier = (token: string) => Promise<Credential>;

/**
 * Builds a JWT verifier on jose's jwtVerify: signature by a key of the JWKS with an allowed
 * algorithm, `iss`, `aud`, `exp` and `nbf` (with the clock tolerance), and `exp` and `sub` present —
 * a token without an expiry would be a credential for ever, one without a subject names nobody.
 */
export function createJwtVerifier(settings: JwtSettings): JwtVerifier {
  const options: JWTVerifyOptions = {
    issuer: settings.issuer,
    audience: settings.audience,
    algorithms: [...settings.algorithms],
    clockTolerance: settings.clockToleranceSeconds,
    requiredClaims: ["exp", "sub"],
  };
  // Failing to get keys is the service's problem; a token naming a key the JWKS lacks is the caller's.
  const keys: JWTVerifyGetKey = async (header, token) => {
    try {
      return await settings.keys(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
        throw error;
      }
      throw signingKeysUnavailable(error);
    }
  };
  return async (token) => {
    let payload: JWTPayload;
    try {
      payload = await verifyWithAnyMatchingKey(token, keys, options);
    } catch (error) {
      throw invalidTokenErrorFrom(error, settings.algorithms) ?? error;
    }
    if (typeof payload.sub !== "string" || payload.sub === "") {
      throw new InvalidTokenError(
        "invalid-claim",
        'Invalid token: its "sub" claim must be a non-empty string.',
      );
    }
    return { subject: payload.sub, scopes: scopesFromClaims(payload) };
  };
}

/**
 * jwtVerify, and when the token has no `kid` and the JWKS holds several keys of its type (as during
 * a key rotation), each candidate in turn, as jose's documentation for JWKSMultipleMatchingKeys shows.
 */
async function verifyWithAnyMatchingKey(
  token: string,
  keys: JWTVerifyGetKey,
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, keys, options)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const key of error) {
      try {
        return (await jwtVerify(token, key, options)).payload;
      } catch (attempt) {
        if (!(attempt instanceof errors.JWSSignatureVerificationFailed)) throw attempt;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

/** The InvalidTokenError for a jose verification failure; undefined for anything else (rethrown). */
function invalidTokenErrorFrom(error: unknown, algorithms: readonly string[]): InvalidTokenError | undefined {
  if (error instanceof errors.JWTExpired)
    return new InvalidTokenError("expired", "Invalid token: it has expired.");
  if (error instanceof errors.JWTClaimValidationFailed) {
    // jose names the claim it checked (iss, aud, nbf, exp, sub…), never a value from the token.
    const { claim, reason } = error;
    if (reason === "missing") {
      return new InvalidTokenError("missing-claim", `Invalid token: it has no "${claim}" claim.`);
    }
    if (claim === "nbf")
      return new InvalidTokenError("not-yet-valid", "Invalid token: it is not valid yet (nbf).");
    if (claim === "iss") {
      return new InvalidTokenError("wrong-issuer", "Invalid token: its issuer (iss) is not accepted.");
    }
    if (claim === "aud") {
      return new InvalidTokenError(
        "wrong-audience",
        "Invalid token: its audience (aud) is not this service.",
      );
    }
    return new InvalidTokenError("invalid-claim", `Invalid token: its "${claim}" claim is invalid.`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new InvalidTokenError(
      "algorithm-not-allowed",
      `Invalid token: its signing algorithm is not accepted (accepted: ${algorithms.join(", ")}).`,
    );
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new InvalidTokenError("bad-signature", "Invalid token: its signature does not verify.");
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new InvalidTokenError("unknown-key", "Invalid token: no signing key of the issuer matches it.");
  }
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported
  ) {
    return new InvalidTokenError("malformed", "Invalid token: it is not a well-formed signed JWT.");
  }
  return undefined;
}
