import { isScope, type Scope } from "./scope.js";

/**
 * The scopes a JWT grants: `scope`, a space-separated string (RFC 9068 §2.2.3, RFC 8693 §4.2), and
 * `scp`, an array or a space-separated string (as Microsoft Entra ID and Okta send it). Both are
 * read; scopes this service does not know, and values of any other type, grant nothing.
 */
export function scopesFromClaims(claims: Readonly<Record<string, unknown>>): Set<Scope> {
  const names = [...namesOf(claims.scope, false), ...namesOf(claims.scp, true)];
  return new Set(names.filter(isScope));
}

function namesOf(claim: unknown, arrayAllowed: boolean): string[] {
  if (typeof claim === "string") return claim.split(" ");
  if (arrayAllowed && Array.isArray(claim)) return claim.filter((name) => typeof name === "string");
  return [];
}
