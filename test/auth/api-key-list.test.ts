// parseApiKeys: API_KEYS entries `key` (every scope) or `key:scope+scope`, each named api-key#<n> by
// its position; problems name the entry by position and never quote a key.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseApiKeys } from "../../src/auth/api-key-list.js";
import { SCOPES } from "../../src/auth/scope.js";

const A = "key-aaaaaaaaaaaaaaaa";
const B = "key-bbbbbbbbbbbbbbbb";
const C = "key-cccccccccccccccc";

describe("parseApiKeys", () => {
  it("gives a key without a suffix both scopes", () => {
    expect(parseApiKeys(A)).toEqual({
      keys: [{ key: A, subject: "api-key#1", scopes: ["customers.read", "customers.write"] }],
      problems: [],
    });
  });

  it("reads one scope, two scopes joined by +, and blanks around everything", () => {
    const { keys, problems } = parseApiKeys(
      ` ${A}:customers.read , ${B} : customers.write + customers.read ,${C}`,
    );
    expect(problems).toEqual([]);
    expect(keys).toEqual([
      { key: A, subject: "api-key#1", scopes: ["customers.read"] },
      { key: B, subject: "api-key#2", scopes: ["customers.write", "customers.read"] },
      { key: C, subject: "api-key#3", scopes: ["customers.read", "customers.write"] },
    ]);
  });

  it("takes the scopes after the last colon, so a key may contain colons", () => {
    expect(parseApiKeys(`urn:key:0123456789abcdef:customers.read`).keys).toEqual([
      { key: "urn:key:0123456789abcdef", subject: "api-key#1", scopes: ["customers.read"] },
    ]);
  });

  it("numbers entries by position, skipping empty ones", () => {
    expect(parseApiKeys(`,${A},,${B},`).keys.map((k) => k.subject)).toEqual(["api-key#1", "api-key#2"]);
  });

  it("is empty for an empty list", () => {
    expect(parseApiKeys("")).toEqual({ keys: [], problems: [] });
  });

  it.each<[string, string, RegExp]>([
    ["a short key", `${A},short`, /entry #2: the key must have at least 16 characters/],
    ["a short key before its scopes", "short:customers.read", /entry #1: the key must have at least 16/],
    [
      "an unknown scope",
      `${A}:customers.delete`,
      /entry #1: after the last ":" must come scopes joined by "\+"/,
    ],
    ["an empty scope list", `${A}:`, /entry #1: after the last ":"/],
    ["scopes separated by spaces", `${A}:customers.read customers.write`, /entry #1: after the last ":"/],
    [
      "a key with a colon but no scopes",
      "abcdefghij0123456789:0123456789abcdefghij",
      /entry #1: after the last ":"/,
    ],
    ["the same key twice", `${A},${B},${A}:customers.read`, /entries #1 and #3 are the same key/],
  ])("reports %s", (_label, text, problem) => {
    const { problems } = parseApiKeys(text);
    expect(problems).toEqual([expect.stringMatching(problem)]);
    expect(problems[0]).toMatch(/^API_KEYS /);
  });

  it("never quotes a key (or what may be part of one) in a problem", () => {
    const secret = "s3cr3t-part-of-a-key";
    for (const text of [`${secret}:x`, `x:${secret}`, `${secret},${secret}`, "tiny"]) {
      for (const problem of parseApiKeys(text).problems) {
        expect(problem).not.toContain(secret);
        expect(problem).not.toContain("tiny");
      }
    }
  });

  it("reads back whatever list of keys and scopes it is given (property)", () => {
    const key = fc.stringMatching(/^[A-Za-z0-9_.~-]{16,40}$/);
    const scopes = fc.option(fc.uniqueArray(fc.constantFrom(...SCOPES), { minLength: 1 }), {
      nil: undefined,
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, scopes), { selector: ([k]) => k, maxLength: 6 }),
        (entries) => {
          const text = entries.map(([k, s]) => (s === undefined ? k : `${k}:${s.join("+")}`)).join(",");
          expect(parseApiKeys(text)).toEqual({
            keys: entries.map(([k, s], i) => ({
              key: k,
              subject: `api-key#${i + 1}`,
              scopes: s ?? [...SCOPES],
            })),
            problems: [],
          });
        },
      ),
    );
  });
});
