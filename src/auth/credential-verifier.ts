import type { ApiKey } from "./api-key-list.js";
import { createApiKeyVerifier } from "./api-key-verifier.js";
import { InvalidTokenError } from "./auth-errors.js";
import { isJwsCompact } from "./bearer-token.js";
import type { Credential } from "./credential.js";
import { createJwtVerifier, type JwtSettings } from "./jwt-verifier.js";

/** The credentials the service accepts: API keys, and JWTs when `jwt` is set. */
export interface AuthSettings {
  /** A bare string is a key with every scope (see createApiKeyVerifier). */
  apiKeys: readonly (string | ApiKey)[];
  jwt?: JwtSettings | undefined;
}

/** Verifies a bearer value, API key or JWT, and returns its Credential; throws the ApiError to answer. */
export type CredentialVerifier = (token: string) => Promise<Credential>;

/**
 * Builds the verifier of bearer values. With JWT configured, a value shaped as a JWS compact
 * serialization is verified as a JWT and nothing else (an invalid JWT is never retried as a key);
 * every other value, and every value when JWT is off, is looked up among the API keys.
 */
export function createCredentialVerifier(settings: AuthSettings): CredentialVerifier {
  const apiKeyVerifier = createApiKeyVerifier(settings.apiKeys);
  const jwtVerifier = settings.jwt === undefined ? undefined : createJwtVerifier(settings.jwt);
  return async (token) => {
    if (jwtVerifier !== undefined && isJwsCompact(token)) return jwtVerifier(token);
    const credential = apiKeyVerifier(token);
    if (credential === undefined) {
      throw new InvalidTokenError("unknown-api-key", "Invalid credentials: the API key is not accepted.");
    }
    return credential;
  };
}
