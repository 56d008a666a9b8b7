/**
 * The JWS algorithms a JWT may be signed with: asymmetric only, verified with public keys from the
 * JWKS. HMAC (HS*) is never accepted — a shared secret would let every holder mint tokens, and
 * verifying HS256 with a public key's bytes is the classic algorithm-confusion attack — nor is `none`.
 */
export const ASYMMETRIC_JWT_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
] as const;

const ACCEPTED: readonly string[] = ASYMMETRIC_JWT_ALGORITHMS;
const isHmac = (name: string) => /^HS\d+$/i.test(name);
const isNone = (name: string) => name.toLowerCase() === "none";

/** JWT_ALGORITHMS when unset. */
export const DEFAULT_JWT_ALGORITHMS: readonly string[] = ["RS256", "PS256", "ES256", "EdDSA"];

/** JWT_ALGORITHMS parsed, and what is wrong with it. */
export interface ParsedJwtAlgorithms {
  algorithms: string[];
  problems: string[];
}

/** Parses JWT_ALGORITHMS (comma-separated, case-sensitive as in JWS headers); undefined gives the default. */
export function parseJwtAlgorithms(text: string | undefined): ParsedJwtAlgorithms {
  if (text === undefined) return { algorithms: [...DEFAULT_JWT_ALGORITHMS], problems: [] };
  const names = text
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const problems: string[] = [];
  const hmac = names.filter(isHmac);
  if (hmac.length > 0) {
    problems.push(
      `JWT_ALGORITHMS must not list HMAC algorithms (${hmac.join(", ")}): tokens are verified with the public keys of the JWKS, and a shared secret would let anyone holding it mint tokens`,
    );
  }
  if (names.some(isNone)) {
    problems.push('JWT_ALGORITHMS must not list "none": unsigned tokens are never accepted');
  }
  const unknown = names.filter((name) => !isHmac(name) && !isNone(name) && !ACCEPTED.includes(name));
  if (unknown.length > 0) {
    problems.push(
      `JWT_ALGORITHMS lists unsupported algorithms (${unknown.join(", ")}); use any of ${ACCEPTED.join(", ")}`,
    );
  }
  if (names.length === 0)
    problems.push(`JWT_ALGORITHMS lists no algorithm; use any of ${ACCEPTED.join(", ")}`);
  return { algorithms: [...new Set(names)], problems };
}
