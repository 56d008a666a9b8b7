import { readFileSync } from "node:fs";
import type { JSONWebKeySet } from "jose";

/** A JWKS file's keys, or what is wrong with the file (a phrase that follows "JWT_JWKS_FILE "). */
export type JwksFileContents = { keySet: JSONWebKeySet } | { problem: string };

/**
 * Reads a JWKS file (RFC 7517 §5: `{"keys": [...]}`) at start-up and checks its shape: at least one
 * key, each with a `kty`, none symmetric (`oct`) or private (`d`), since tokens are verified with
 * public keys only. Whether each key imports is found out by jose when a token first names it.
 */
export function readJwksFile(file: string): JwksFileContents {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    return { problem: `cannot be read (${code}): ${file}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: `is not JSON: ${file}` };
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) return { problem: `is not a JWKS (expected {"keys": [...]}): ${file}` };
  if (keys.length === 0) return { problem: `has no keys: ${file}` };
  for (const [index, key] of keys.entries()) {
    const problem = keyProblem(key);
    if (problem !== undefined) return { problem: `key #${index + 1} ${problem}: ${file}` };
  }
  return { keySet: parsed as JSONWebKeySet };
}

function keyProblem(key: unknown): string | undefined {
  if (typeof key !== "object" || key === null || Array.isArray(key)) return "is not a JSON object";
  const { kty } = key as { kty?: unknown };
  if (typeof kty !== "string") return 'has no "kty"';
  if (kty === "oct") return 'is a symmetric key (kty "oct"); only public keys are accepted';
  if ("d" in key) return "holds private key material; publish only the public key";
  return undefined;
}
