// JWT_JWKS_URL as jose's createRemoteJWKSet (through jwksKeySource) sees it: a real node:http server in
// the test serves the JWKS and counts its requests. The JWKS is fetched once and cached; after a key
// rotation a token naming the new kid makes the verifier fetch again (once the cooldown has passed);
// an unreachable or broken JWKS is UNAVAILABLE, not the caller's fault.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Code } from "@connectrpc/connect";
import type { JSONWebKeySet } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InvalidTokenError } from "../../src/auth/auth-errors.js";
import { jwksKeySource, type RemoteJwksTiming } from "../../src/auth/jwks-key-source.js";
import { createJwtVerifier, type JwtVerifier } from "../../src/auth/jwt-verifier.js";
import {
  createSigningKey,
  jwksOf,
  signToken,
  type TestSigningKey,
  testJwtSettings,
} from "./support/test-issuer.js";

/** What the JWKS endpoint answers now: a key set, or a raw status and body. */
let answer: { jwks: JSONWebKeySet } | { status: number; body: string };
let requests = 0;
let server: Server;
let url: string;
let oldKey: TestSigningKey;
let newKey: TestSigningKey;

beforeAll(async () => {
  [oldKey, newKey] = await Promise.all([
    createSigningKey("ES256", "2026-11"),
    createSigningKey("ES256", "2026-12"),
  ]);
  server = createServer((_req, res) => {
    requests += 1;
    if ("jwks" in answer) {
      res.writeHead(200, { "content-type": "application/jwk-set+json" }).end(JSON.stringify(answer.jwks));
    } else {
      res.writeHead(answer.status, { "content-type": "text/plain" }).end(answer.body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  answer = { jwks: jwksOf(oldKey) };
  requests = 0;
});

function remoteVerifier(timing: Partial<RemoteJwksTiming> = {}, jwksUrl = url): JwtVerifier {
  return createJwtVerifier(testJwtSettings(jwksKeySource({ url: jwksUrl }, timing)));
}

describe("a JWKS fetched from JWT_JWKS_URL", () => {
  it("is fetched on first use and then served from the cache", async () => {
    const verify = remoteVerifier();
    expect(requests).toBe(0);
    for (const sub of ["a", "b", "c"]) {
      expect((await verify(await signToken(oldKey, { sub }))).subject).toBe(sub);
    }
    expect(requests).toBe(1);
  });

  it("is fetched again when a token names a kid it lacks: a key rotation needs no restart", async () => {
    const verify = remoteVerifier({ cooldownMs: 0 });
    await verify(await signToken(oldKey));
    answer = { jwks: jwksOf(newKey) };
    expect((await verify(await signToken(newKey, { sub: "after-rotation" }))).subject).toBe("after-rotation");
    expect(requests).toBe(2);
    // The rotated-out key is gone from the set now.
    const error = await verify(await signToken(oldKey)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as InvalidTokenError).problem).toBe("unknown-key");
  });

  it("is not fetched again within the cooldown, so unknown kids cannot flood the issuer", async () => {
    const verify = remoteVerifier(); // the production cooldown of 30 s
    await verify(await signToken(oldKey));
    answer = { jwks: jwksOf(oldKey, newKey) };
    for (let i = 0; i < 3; i++) {
      const error = await verify(await signToken(newKey)).catch((thrown: unknown) => thrown);
      expect((error as InvalidTokenError).problem).toBe("unknown-key");
    }
    expect(requests).toBe(1);
  });

  it.each<[string, { status: number; body: string }]>([
    ["answers 500", { status: 500, body: "oops" }],
    ["answers 200 with something that is not JSON", { status: 200, body: "<html>" }],
    ["answers 200 with JSON that is not a JWKS", { status: 200, body: '{"keys": "none"}' }],
  ])("is UNAVAILABLE when the endpoint %s", async (_label, broken) => {
    answer = broken;
    const error = await remoteVerifier()(await signToken(oldKey)).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: Code.Unavailable, reason: "SIGNING_KEYS_UNAVAILABLE" });
  });

  it("is UNAVAILABLE when nothing listens at the URL", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const verify = remoteVerifier({}, `http://127.0.0.1:${port}/jwks.json`);
    const error = await verify(await signToken(oldKey)).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: Code.Unavailable, reason: "SIGNING_KEYS_UNAVAILABLE" });
  });
});
