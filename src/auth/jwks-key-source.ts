import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";

/** Where the issuer's public keys are: a JWKS read from JWT_JWKS_FILE, or the JWT_JWKS_URL to fetch. */
export type JwksLocation = { file: string; keySet: JSONWebKeySet } | { url: string };

/** How a fetched JWKS is cached; the defaults suit production, tests shorten the cooldown. */
export interface RemoteJwksTiming {
  /** Keep a fetched JWKS this long before fetching it again. */
  cacheMaxAgeMs: number;
  /** After a fetch, wait at least this long before a token naming an unknown `kid` triggers another. */
  cooldownMs: number;
  /** Give up on a JWKS request after this long. */
  timeoutMs: number;
}

const DEFAULT_TIMING: RemoteJwksTiming = { cacheMaxAgeMs: 600_000, cooldownMs: 30_000, timeoutMs: 5_000 };

/**
 * The key finder for jwtVerify: jose's createLocalJWKSet for a file, or createRemoteJWKSet for a URL
 * (fetched on first use, cached, fetched again when a token names a `kid` it does not hold — how a
 * key rotation reaches the service without a restart — but at most once per cooldown).
 */
export function jwksKeySource(
  location: JwksLocation,
  timing: Partial<RemoteJwksTiming> = {},
): JWTVerifyGetKey {
  if ("keySet" in location) return createLocalJWKSet(location.keySet);
  const { cacheMaxAgeMs, cooldownMs, timeoutMs } = { ...DEFAULT_TIMING, ...timing };
  return createRemoteJWKSet(new URL(location.url), {
    cacheMaxAge: cacheMaxAgeMs,
    cooldownDuration: cooldownMs,
    timeoutDuration: timeoutMs,
  });
}
