import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { createSigningKey, jwksOf } from "./auth/support/test-issuer.js";

describe("loadConfig", () => {
  it("gives the documented defaults for an empty environment", () => {
    expect(loadConfig({})).toEqual({
      host: "127.0.0.1",
      port: 8080,
      databaseUrl: undefined,
      dataDir: "./.data",
      apiKeys: [],
      jwt: undefined,
      migrateOnStart: true,
      defaultPhoneRegion: undefined,
      pageTokenSecret: undefined,
      logLevel: "info",
      corsAllowedOrigins: [],
      tlsCertFile: undefined,
      tlsKeyFile: undefined,
      bodyLimitBytes: 1048576,
      shutdownGraceMs: 10000,
      databaseConnectTimeoutMs: 3000,
      callTimeoutMs: 10000,
      rateLimit: undefined,
      tracing: undefined,
    });
  });

  it("turns traces on with an OTLP endpoint or OTEL_TRACES_EXPORTER, and off with none", () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }).tracing).toEqual({
      exporter: "otlp",
      serviceName: "customer-api",
    });
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" }).tracing?.exporter,
    ).toBe("otlp");
    expect(
      loadConfig({ OTEL_TRACES_EXPORTER: "console", OTEL_SERVICE_NAME: "customers-eu" }).tracing,
    ).toEqual({
      exporter: "console",
      serviceName: "customers-eu",
    });
    expect(
      loadConfig({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })
        .tracing,
    ).toBeUndefined();
    expect(() => loadConfig({ OTEL_TRACES_EXPORTER: "zipkin" })).toThrow(/OTEL_TRACES_EXPORTER/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });

  it("reads every variable", () => {
    const config = loadConfig({
      HOST: "0.0.0.0",
      PORT: "9090",
      DATABASE_URL: "postgres://u:p@db:5432/customers",
      DATA_DIR: "/var/lib/customer-api",
      API_KEYS: " key-aaaaaaaaaaaaaaaa , key-bbbbbbbbbbbbbbbb:customers.read ",
      MIGRATE_ON_START: "false",
      DEFAULT_PHONE_REGION: "gb",
      PAGE_TOKEN_SECRET: "s".repeat(32),
      LOG_LEVEL: "debug",
      CORS_ALLOWED_ORIGINS: "https://app.example.com, http://localhost:5173",
      BODY_LIMIT_BYTES: "2048",
      SHUTDOWN_GRACE_MS: "0",
      DATABASE_CONNECT_TIMEOUT_MS: "500",
      CALL_TIMEOUT_MS: "2500",
      RATE_LIMIT_PER_SECOND: "20",
      RATE_LIMIT_BURST: "50",
    });
    expect(config).toMatchObject({
      host: "0.0.0.0",
      port: 9090,
      databaseUrl: "postgres://u:p@db:5432/customers",
      apiKeys: [
        { key: "key-aaaaaaaaaaaaaaaa", subject: "api-key#1", scopes: ["customers.read", "customers.write"] },
        { key: "key-bbbbbbbbbbbbbbbb", subject: "api-key#2", scopes: ["customers.read"] },
      ],
      migrateOnStart: false,
      defaultPhoneRegion: "GB",
      corsAllowedOrigins: ["https://app.example.com", "http://localhost:5173"],
      bodyLimitBytes: 2048,
      shutdownGraceMs: 0,
      databaseConnectTimeoutMs: 500,
      callTimeoutMs: 2500,
      rateLimit: { perSecond: 20, burst: 50 },
    });
  });

  it.each([
    [{ PORT: "abc" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ DATABASE_URL: "mysql://x", API_KEYS: "k".repeat(16) }, "DATABASE_URL"],
    [{ DATABASE_URL: "postgres://db/x" }, "API_KEYS"],
    [{ API_KEYS: "short" }, "API_KEYS"],
    [{ API_KEYS: "key-aaaaaaaaaaaaaaaa:customers.admin" }, "API_KEYS"],
    [{ MIGRATE_ON_START: "maybe" }, "MIGRATE_ON_START"],
    [{ DEFAULT_PHONE_REGION: "USA" }, "DEFAULT_PHONE_REGION"],
    [{ PAGE_TOKEN_SECRET: "too-short" }, "PAGE_TOKEN_SECRET"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ DATABASE_CONNECT_TIMEOUT_MS: "10" }, "DATABASE_CONNECT_TIMEOUT_MS"],
    [{ CALL_TIMEOUT_MS: "0" }, "CALL_TIMEOUT_MS"],
    [{ CORS_ALLOWED_ORIGINS: "app.example.com" }, "CORS_ALLOWED_ORIGINS"],
    [{ BODY_LIMIT_BYTES: "10" }, "BODY_LIMIT_BYTES"],
    [{ TLS_CERT_FILE: "/etc/hostname" }, "TLS_KEY_FILE"],
    [{ TLS_CERT_FILE: "/no/such/cert.pem", TLS_KEY_FILE: "/etc/hostname" }, "TLS_CERT_FILE"],
  ])("rejects %o with a message naming %s", (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(variable);
  });

  it("lists every bad variable at once", () => {
    expect(() => loadConfig({ PORT: "x", LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL[\s\S]*PORT/);
  });

  describe("rate limit", () => {
    it.each([
      [{}, undefined],
      [{ RATE_LIMIT_PER_SECOND: "0" }, undefined],
      [{ RATE_LIMIT_PER_SECOND: "0", RATE_LIMIT_BURST: "10" }, undefined],
      [{ RATE_LIMIT_PER_SECOND: "10" }, { perSecond: 10, burst: 10 }],
      [{ RATE_LIMIT_PER_SECOND: "2.5" }, { perSecond: 2.5, burst: 3 }],
      [{ RATE_LIMIT_PER_SECOND: "0.5" }, { perSecond: 0.5, burst: 1 }],
      [
        { RATE_LIMIT_PER_SECOND: "5", RATE_LIMIT_BURST: "100" },
        { perSecond: 5, burst: 100 },
      ],
    ])("reads %o as %o (off when unset or 0; the burst defaults to one second's calls)", (env, rateLimit) => {
      expect(loadConfig(env).rateLimit).toEqual(rateLimit);
    });

    it.each<[Record<string, string>, RegExp]>([
      [
        { RATE_LIMIT_PER_SECOND: "fast" },
        /RATE_LIMIT_PER_SECOND must be a number of calls per second from 0 \(off\) to 100000, such as "20" or "0\.5", got "fast"/,
      ],
      [{ RATE_LIMIT_PER_SECOND: "-1" }, /RATE_LIMIT_PER_SECOND must be a number/],
      [{ RATE_LIMIT_PER_SECOND: "1e3" }, /RATE_LIMIT_PER_SECOND must be a number/],
      [{ RATE_LIMIT_PER_SECOND: "100001" }, /RATE_LIMIT_PER_SECOND must be a number/],
      [
        { RATE_LIMIT_PER_SECOND: "10", RATE_LIMIT_BURST: "0" },
        /RATE_LIMIT_BURST must be a whole number from 1 to 1000000, got "0"/,
      ],
      [{ RATE_LIMIT_PER_SECOND: "10", RATE_LIMIT_BURST: "1.5" }, /RATE_LIMIT_BURST must be a whole number/],
      [
        { RATE_LIMIT_BURST: "10" },
        /RATE_LIMIT_BURST is set, but rate limiting is off: set RATE_LIMIT_PER_SECOND too/,
      ],
    ])("refuses %o with a clear message", (env, message) => {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(message);
    });
  });

  describe("JWT", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "config-jwks-"));
    const jwksFile = path.join(dir, "jwks.json");
    const ISSUER = "https://issuer.example.com";
    const JWT = { JWT_JWKS_FILE: jwksFile, JWT_ISSUER: ISSUER, JWT_AUDIENCE: "customer-api" };
    let keySet: ReturnType<typeof jwksOf>;

    beforeAll(async () => {
      keySet = jwksOf(await createSigningKey("ES256"));
      writeFileSync(jwksFile, JSON.stringify(keySet));
      writeFileSync(path.join(dir, "not-json.json"), "{");
      writeFileSync(path.join(dir, "array.json"), "[]");
    });

    it("is off unless a JWKS is configured", () => {
      expect(loadConfig({}).jwt).toBeUndefined();
    });

    it("reads a JWKS file with the default algorithms and clock tolerance", () => {
      expect(loadConfig(JWT).jwt).toEqual({
        jwks: { file: jwksFile, keySet },
        issuer: ISSUER,
        audience: "customer-api",
        algorithms: ["RS256", "PS256", "ES256", "EdDSA"],
        clockToleranceSeconds: 30,
      });
    });

    it("reads a JWKS URL, algorithms and a clock tolerance", () => {
      const { JWT_JWKS_FILE: _file, ...issuerAndAudience } = JWT;
      const config = loadConfig({
        ...issuerAndAudience,
        JWT_JWKS_URL: "https://issuer.example.com/.well-known/jwks.json",
        JWT_ALGORITHMS: "ES256, ES384",
        JWT_CLOCK_TOLERANCE_SECONDS: "5",
      });
      expect(config.jwt).toMatchObject({
        jwks: { url: "https://issuer.example.com/.well-known/jwks.json" },
        algorithms: ["ES256", "ES384"],
        clockToleranceSeconds: 5,
      });
    });

    it("counts as credentials for an external database, so API_KEYS may be left unset", () => {
      expect(loadConfig({ ...JWT, DATABASE_URL: "postgres://db/x" }).apiKeys).toEqual([]);
    });

    it.each<[string, Record<string, string>, RegExp]>([
      [
        "both a JWKS file and a URL",
        { ...JWT, JWT_JWKS_URL: "https://issuer.example.com/jwks" },
        /JWT_JWKS_FILE and JWT_JWKS_URL are alternatives: set only one of them/,
      ],
      [
        "a JWKS file that does not exist",
        { ...JWT, JWT_JWKS_FILE: "/no/such/jwks.json" },
        /JWT_JWKS_FILE cannot be read \(ENOENT\): \/no\/such\/jwks\.json/,
      ],
      [
        "a JWKS file that is not JSON",
        { ...JWT, JWT_JWKS_FILE: path.join(dir, "not-json.json") },
        /JWT_JWKS_FILE is not JSON/,
      ],
      [
        "a JSON file that is not a JWKS",
        { ...JWT, JWT_JWKS_FILE: path.join(dir, "array.json") },
        /JWT_JWKS_FILE is not a JWKS/,
      ],
      ["no issuer", { ...JWT, JWT_ISSUER: "" }, /JWT_ISSUER must be set with a JWKS/],
      ["no audience", { ...JWT, JWT_AUDIENCE: " " }, /JWT_AUDIENCE must be set with a JWKS/],
      [
        "an HMAC algorithm",
        { ...JWT, JWT_ALGORITHMS: "RS256,HS256" },
        /JWT_ALGORITHMS must not list HMAC algorithms \(HS256\)/,
      ],
      ["alg none", { ...JWT, JWT_ALGORITHMS: "none" }, /JWT_ALGORITHMS must not list "none"/],
      [
        "a JWKS URL that is not http(s)",
        { ...JWT, JWT_JWKS_FILE: "", JWT_JWKS_URL: "file:///etc/jwks.json" },
        /JWT_JWKS_URL must be an http\(s\) URL/,
      ],
      [
        "a clock tolerance over 5 minutes",
        { ...JWT, JWT_CLOCK_TOLERANCE_SECONDS: "301" },
        /JWT_CLOCK_TOLERANCE_SECONDS must be a whole number from 0 to 300/,
      ],
      [
        "an issuer without a JWKS",
        { JWT_ISSUER: ISSUER },
        /JWT_ISSUER is set, but JWT is off: set JWT_JWKS_FILE or JWT_JWKS_URL/,
      ],
      ["algorithms without a JWKS", { JWT_ALGORITHMS: "ES256" }, /JWT_ALGORITHMS is set, but JWT is off/],
    ])("refuses %s with a clear message", (_label, env, message) => {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(message);
    });

    it("lists the missing issuer and audience together", () => {
      expect(() => loadConfig({ JWT_JWKS_FILE: jwksFile })).toThrow(/JWT_ISSUER[\s\S]*JWT_AUDIENCE/);
    });
  });
});
