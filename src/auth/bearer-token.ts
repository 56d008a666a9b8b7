import { decodeProtectedHeader } from "jose";

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
/** Three base64url segments; the signature may be empty (an `alg: none` token, refused later). */
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/** The value of an `authorization: Bearer <value>` header (scheme case-insensitive), or undefined. */
export function bearerTokenOf(header: string): string | undefined {
  return BEARER.exec(header)?.[1];
}

/**
 * Whether a bearer value is a JWS compact serialization: two dots and a first segment that decodes
 * to a JSON object. Such a value is verified as a JWT (when JWT is configured); anything else is an API key.
 */
export function isJwsCompact(token: string): boolean {
  if (!JWS_COMPACT.test(token)) return false;
  try {
    decodeProtectedHeader(token);
    return true;
  } catch {
    return false;
  }
}
