// Telling a JWT from an API key: a bearer value is a JWT when it is a JWS compact serialization
// (two dots, a first segment that decodes to a JSON object); anything else is an API key.
import { describe, expect, it } from "vitest";
import { bearerTokenOf, isJwsCompact } from "../../src/auth/bearer-token.js";
import { handMadeToken, validClaims } from "./support/test-issuer.js";

describe("isJwsCompact", () => {
  it.each<[string, string]>([
    ["a signed token", handMadeToken({ alg: "RS256", kid: "k" }, validClaims(), "c2lnbmF0dXJl")],
    ["an alg none token with an empty signature", handMadeToken({ alg: "none" }, validClaims())],
    ["a header without alg (refused later, as a JWT)", handMadeToken({ typ: "JWT" }, {}, "c2ln")],
  ])("is true for %s", (_label, token) => {
    expect(isJwsCompact(token)).toBe(true);
  });

  it.each<[string, string]>([
    ["an API key", "test-key-0123456789abcdef"],
    ["an API key with dots", "third.key.with.dots.0001"],
    ["an API key with two dots whose first part is not JSON", "abcdefgh.ijklmnop.qrstuvwx"],
    [
      "a first segment that is JSON but not an object",
      `${Buffer.from("[1]").toString("base64url")}.e30.c2ln`,
    ],
    ["a JWE (five segments)", "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"],
    ["characters outside base64url", `${handMadeToken({ alg: "RS256" }, {}, "c2ln")}=`],
    ["an empty first segment", ".e30.c2ln"],
  ])("is false for %s", (_label, token) => {
    expect(isJwsCompact(token)).toBe(false);
  });
});

describe("bearerTokenOf", () => {
  it.each<[string, string | undefined]>([
    ["Bearer abc", "abc"],
    ["bearer\tabc  ", "abc"],
    ["Basic abc", undefined],
    ["Bearer", undefined],
    ["Bearer a b", undefined],
  ])("reads %j as %j", (header, token) => {
    expect(bearerTokenOf(header)).toBe(token);
  });
});
