import { isScope, SCOPES, type Scope } from "./scope.js";

/** One accepted API key, the scopes it grants, and the subject that names it in logs. */
export interface ApiKey {
  readonly key: string;
  /** `api-key#<n>`: the entry's position in API_KEYS (1-based), safe to log. */
  readonly subject: string;
  readonly scopes: readonly Scope[];
}

/** Shortest accepted key, so that a guessable value cannot be configured by mistake. */
export const MIN_API_KEY_LENGTH = 16;

/** Separates the scopes of one key (`key:customers.read+customers.write`); needs no quoting in a shell. */
export const API_KEY_SCOPE_SEPARATOR = "+";

/** API_KEYS parsed, and what is wrong with it (each problem names the entry by position, never the key). */
export interface ParsedApiKeys {
  keys: ApiKey[];
  problems: string[];
}

/**
 * Parses API_KEYS: comma-separated entries, each `key` (every scope) or `key:scope+scope`. The
 * scopes follow the last `:`, so a key that itself contains `:` must be written with its scopes.
 */
export function parseApiKeys(text: string): ParsedApiKeys {
  const keys: ApiKey[] = [];
  const problems: string[] = [];
  const entries = text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const positionOfKey = new Map<string, number>();
  for (const [index, entry] of entries.entries()) {
    const position = index + 1;
    const colon = entry.lastIndexOf(":");
    const key = colon === -1 ? entry : entry.slice(0, colon).trim();
    const scopes = colon === -1 ? [...SCOPES] : scopesOf(entry.slice(colon + 1), position, problems);
    if (key.length < MIN_API_KEY_LENGTH) {
      problems.push(
        `API_KEYS entry #${position}: the key must have at least ${MIN_API_KEY_LENGTH} characters`,
      );
    }
    const earlier = positionOfKey.get(key);
    if (earlier !== undefined) {
      problems.push(`API_KEYS entries #${earlier} and #${position} are the same key; list each key once`);
    }
    positionOfKey.set(key, position);
    keys.push({ key, subject: `api-key#${position}`, scopes });
  }
  return { keys, problems };
}

function scopesOf(text: string, position: number, problems: string[]): Scope[] {
  const names = text.split(API_KEY_SCOPE_SEPARATOR).map((name) => name.trim());
  // The names are not quoted: with a mistyped entry they may be part of a key.
  if (names.some((name) => !isScope(name))) {
    problems.push(
      `API_KEYS entry #${position}: after the last ":" must come scopes joined by "${API_KEY_SCOPE_SEPARATOR}", each one of ${SCOPES.join(", ")}`,
    );
    return [];
  }
  return [...new Set(names.filter(isScope))];
}
