// readJwksFile: JWT_JWKS_FILE must be a readable JSON Web Key Set of public keys; each problem is a
// phrase naming the file.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readJwksFile } from "../../src/auth/jwks-file.js";
import { createSigningKey, jwksOf, type TestSigningKey } from "./support/test-issuer.js";

const dir = mkdtempSync(path.join(tmpdir(), "jwks-file-"));
let key: TestSigningKey;

function file(name: string, contents: string): string {
  const target = path.join(dir, name);
  writeFileSync(target, contents);
  return target;
}

beforeAll(async () => {
  key = await createSigningKey("ES256");
});

describe("readJwksFile", () => {
  it("returns the key set of a JWKS of public keys", () => {
    const jwks = jwksOf(key);
    expect(readJwksFile(file("good.json", JSON.stringify(jwks)))).toEqual({ keySet: jwks });
  });

  it.each<[string, () => string, RegExp]>([
    ["a missing file", () => path.join(dir, "absent.json"), /^cannot be read \(ENOENT\): .*absent\.json$/],
    ["a directory", () => dir, /^cannot be read \(EISDIR\)/],
    ["a file that is not JSON", () => file("text.json", "keys: []"), /^is not JSON: /],
    [
      "JSON without keys",
      () => file("object.json", '{"kty": "EC"}'),
      /^is not a JWKS \(expected \{"keys": \[\.\.\.\]\}\)/,
    ],
    ["JSON null", () => file("null.json", "null"), /^is not a JWKS/],
    ["an empty key set", () => file("empty.json", '{"keys": []}'), /^has no keys: /],
    [
      "a key that is not an object",
      () => file("string.json", '{"keys": ["k"]}'),
      /^key #1 is not a JSON object/,
    ],
    ["a key without kty", () => file("nokty.json", '{"keys": [{"kid": "a"}]}'), /^key #1 has no "kty"/],
    [
      "a symmetric key",
      () => file("oct.json", JSON.stringify({ keys: [key.publicJwk, { kty: "oct", k: "c2VjcmV0" }] })),
      /^key #2 is a symmetric key \(kty "oct"\); only public keys are accepted/,
    ],
    [
      "a private key",
      () => file("private.json", JSON.stringify({ keys: [{ ...key.publicJwk, d: "cHJpdmF0ZQ" }] })),
      /^key #1 holds private key material/,
    ],
  ])("reports %s", (_label, target, problem) => {
    const contents = readJwksFile(target());
    expect(contents).toEqual({ problem: expect.stringMatching(problem) });
  });
});
