import { createHash, timingSafeEqual } from "node:crypto";

/** Checks bearer tokens against the configured API keys. */
export type ApiKeyVerifier = (token: string) => boolean;

/**
 * Builds a verifier that compares SHA-256 digests with timingSafeEqual against every key, so
 * neither a key's length nor its position in the list leaks through timing.
 */
export function createApiKeyVerifier(keys: readonly string[]): ApiKeyVerifier {
  const digests = keys.map((key) => createHash("sha256").update(key).digest());
  return (token) => {
    const candidate = createHash("sha256").update(token).digest();
    let matched = false;
    for (const digest of digests) matched = timingSafeEqual(candidate, digest) || matched;
    return matched;
  };
}
