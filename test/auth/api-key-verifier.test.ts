// createApiKeyVerifier: a bearer token is accepted only when it equals one of the configured keys
// exactly (SHA-256 digests compared in constant time), whatever its position in the list.
import { describe, expect, it } from "vitest";
import { createApiKeyVerifier } from "../../src/auth/api-key-verifier.js";

const KEYS = ["first-key-0123456789abcdef", "Second_Key-ABCDEFGHIJKLMNOP", "third.key.with.üñíçødé.0001"];

describe("createApiKeyVerifier", () => {
  const verify = createApiKeyVerifier(KEYS);

  it.each(KEYS.map((key, i) => [i, key]))("accepts key #%i of the list", (_index, key) => {
    expect(verify(key)).toBe(true);
  });

  it.each<[string, string]>([
    ["a prefix of a key", KEYS[0].slice(0, -1)],
    ["a much shorter prefix of a key", KEYS[1].slice(0, 8)],
    ["a key plus one character", `${KEYS[0]}x`],
    ["a key plus a trailing space", `${KEYS[2]} `],
    ["a key with a leading space", ` ${KEYS[1]}`],
    ["the empty string", ""],
    ["a key in upper case", KEYS[0].toUpperCase()],
    ["a key in lower case", KEYS[1].toLowerCase()],
    ["two keys joined", `${KEYS[0]},${KEYS[1]}`],
    ["an unrelated token", "not-a-configured-key-at-all"],
    ["a key in another Unicode normal form", KEYS[2].normalize("NFD")],
  ])("rejects %s", (_label, token) => {
    expect(KEYS).not.toContain(token);
    expect(verify(token)).toBe(false);
  });

  it("accepts a key only from its own list", () => {
    const other = createApiKeyVerifier([KEYS[1]]);
    expect(other(KEYS[1])).toBe(true);
    expect(other(KEYS[0])).toBe(false);
    expect(other(KEYS[2])).toBe(false);
  });

  it("keeps accepting and rejecting the same tokens on repeated calls", () => {
    for (let i = 0; i < 3; i++) {
      expect(KEYS.map(verify)).toEqual([true, true, true]);
      expect(verify("nope-nope-nope-nope")).toBe(false);
    }
  });

  describe("with no keys", () => {
    const none = createApiKeyVerifier([]);

    it.each([
      ["the empty string", ""],
      ["a configured key of another verifier", KEYS[0]],
      ["a space", " "],
    ])("rejects %s", (_label, token) => {
      expect(none(token)).toBe(false);
    });
  });
});
