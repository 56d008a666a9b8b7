// createApiKeyVerifier: a bearer token is accepted only when it equals one of the configured keys
// exactly (SHA-256 digests compared in constant time), whatever its position in the list, and then
// yields that key's credential: its subject label and its scopes.
import { describe, expect, it } from "vitest";
import { createApiKeyVerifier } from "../../src/auth/api-key-verifier.js";

const KEYS = ["first-key-0123456789abcdef", "Second_Key-ABCDEFGHIJKLMNOP", "third.key.with.üñíçødé.0001"];

describe("createApiKeyVerifier", () => {
  const verify = createApiKeyVerifier(KEYS);

  it.each(KEYS.map((key, i) => [i, key]))("accepts key #%i of the list", (index, key) => {
    expect(verify(key)).toEqual({
      subject: `api-key#${index + 1}`,
      scopes: new Set(["customers.read", "customers.write"]),
    });
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
    expect(verify(token)).toBeUndefined();
  });

  it("accepts a key only from its own list", () => {
    const other = createApiKeyVerifier([KEYS[1]]);
    expect(other(KEYS[1])).toBeDefined();
    expect(other(KEYS[0])).toBeUndefined();
    expect(other(KEYS[2])).toBeUndefined();
  });

  it("keeps accepting and rejecting the same tokens on repeated calls", () => {
    for (let i = 0; i < 3; i++) {
      expect(KEYS.map((key) => verify(key)?.subject)).toEqual(["api-key#1", "api-key#2", "api-key#3"]);
      expect(verify("nope-nope-nope-nope")).toBeUndefined();
    }
  });

  it("gives each configured key its own subject and scopes", () => {
    const scoped = createApiKeyVerifier([
      { key: KEYS[0], subject: "api-key#1", scopes: ["customers.read"] },
      { key: KEYS[1], subject: "api-key#2", scopes: ["customers.write"] },
      { key: KEYS[2], subject: "api-key#3", scopes: [] },
    ]);
    expect(scoped(KEYS[0])).toEqual({ subject: "api-key#1", scopes: new Set(["customers.read"]) });
    expect(scoped(KEYS[1])).toEqual({ subject: "api-key#2", scopes: new Set(["customers.write"]) });
    expect(scoped(KEYS[2])).toEqual({ subject: "api-key#3", scopes: new Set() });
    expect(scoped("not-a-configured-key-at-all")).toBeUndefined();
  });

  describe("with no keys", () => {
    const none = createApiKeyVerifier([]);

    it.each([
      ["the empty string", ""],
      ["a configured key of another verifier", KEYS[0]],
      ["a space", " "],
    ])("rejects %s", (_label, token) => {
      expect(none(token)).toBeUndefined();
    });
  });
});
