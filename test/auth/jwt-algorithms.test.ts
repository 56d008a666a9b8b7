// parseJwtAlgorithms: JWT_ALGORITHMS accepts asymmetric JWS algorithms only; HMAC and none are refused
// with a message saying why.
import { describe, expect, it } from "vitest";
import { DEFAULT_JWT_ALGORITHMS, parseJwtAlgorithms } from "../../src/auth/jwt-algorithms.js";

describe("parseJwtAlgorithms", () => {
  it("defaults to RS256, PS256, ES256 and EdDSA", () => {
    expect(parseJwtAlgorithms(undefined)).toEqual({
      algorithms: ["RS256", "PS256", "ES256", "EdDSA"],
      problems: [],
    });
    expect(DEFAULT_JWT_ALGORITHMS).not.toContain("none");
  });

  it("reads a comma-separated list, trimming and dropping repeats", () => {
    expect(parseJwtAlgorithms(" ES384, RS512 ,ES384,Ed25519")).toEqual({
      algorithms: ["ES384", "RS512", "Ed25519"],
      problems: [],
    });
  });

  it.each<[string, RegExp]>([
    ["HS256", /must not list HMAC algorithms \(HS256\).*shared secret/],
    ["RS256,HS384,HS512", /must not list HMAC algorithms \(HS384, HS512\)/],
    ["hs256", /must not list HMAC algorithms \(hs256\)/],
    ["none", /must not list "none": unsigned tokens are never accepted/],
    ["RS256,None", /must not list "none"/],
    ["rs256", /unsupported algorithms \(rs256\); use any of RS256, RS384/],
    ["RSA-OAEP", /unsupported algorithms \(RSA-OAEP\)/],
    [",", /lists no algorithm/],
  ])("refuses %s", (text, problem) => {
    const { problems } = parseJwtAlgorithms(text);
    expect(problems).toEqual([expect.stringMatching(problem)]);
    expect(problems[0]).toMatch(/^JWT_ALGORITHMS /);
  });
});
