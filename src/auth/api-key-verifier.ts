import { createHash, timingSafeEqual } from "node:crypto";
import type { ApiKey } from "./api-key-list.js";
import type { Credential } from "./credential.js";
import { SCOPES } from "./scope.js";

/** Finds the configured API key a bearer value equals, as a Credential; undefined when none does. */
export type ApiKeyVerifier = (token: string) => Credential | undefined;

/**
 * Builds a verifier that compares SHA-256 digests with timingSafeEqual against every key, so
 * neither a key's length nor its position in the list leaks through timing. A bare string is a key
 * with every scope named `api-key#<position>`, as an API_KEYS entry without `:scopes` would be.
 */
export function createApiKeyVerifier(keys: readonly (string | ApiKey)[]): ApiKeyVerifier {
  const entries = keys.map((entry, index) => {
    const apiKey =
      typeof entry === "string" ? { key: entry, subject: `api-key#${index + 1}`, scopes: SCOPES } : entry;
    return {
      digest: createHash("sha256").update(apiKey.key).digest(),
      credential: { subject: apiKey.subject, scopes: new Set(apiKey.scopes) } satisfies Credential,
    };
  });
  return (token) => {
    const candidate = createHash("sha256").update(token).digest();
    let matched: Credential | undefined;
    for (const entry of entries) {
      // No early exit: every key is compared whatever matched before.
      const equal = timingSafeEqual(candidate, entry.digest);
      matched = equal ? entry.credential : matched;
    }
    return matched;
  };
}
