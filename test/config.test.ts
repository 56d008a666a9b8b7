import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

describe("loadConfig", () => {
  it("gives the documented defaults for an empty environment", () => {
    expect(loadConfig({})).toEqual({
      host: "127.0.0.1",
      port: 8080,
      databaseUrl: undefined,
      dataDir: "./.data",
      apiKeys: [],
      migrateOnStart: true,
      defaultPhoneRegion: undefined,
      pageTokenSecret: undefined,
      logLevel: "info",
      corsAllowedOrigins: [],
      tlsCertFile: undefined,
      tlsKeyFile: undefined,
      bodyLimitBytes: 1048576,
      shutdownGraceMs: 10000,
    });
  });

  it("reads every variable", () => {
    const config = loadConfig({
      HOST: "0.0.0.0",
      PORT: "9090",
      DATABASE_URL: "postgres://u:p@db:5432/customers",
      DATA_DIR: "/var/lib/customer-api",
      API_KEYS: " key-aaaaaaaaaaaaaaaa , key-bbbbbbbbbbbbbbbb ",
      MIGRATE_ON_START: "false",
      DEFAULT_PHONE_REGION: "gb",
      PAGE_TOKEN_SECRET: "s".repeat(32),
      LOG_LEVEL: "debug",
      CORS_ALLOWED_ORIGINS: "https://app.example.com, http://localhost:5173",
      BODY_LIMIT_BYTES: "2048",
      SHUTDOWN_GRACE_MS: "0",
    });
    expect(config).toMatchObject({
      host: "0.0.0.0",
      port: 9090,
      databaseUrl: "postgres://u:p@db:5432/customers",
      apiKeys: ["key-aaaaaaaaaaaaaaaa", "key-bbbbbbbbbbbbbbbb"],
      migrateOnStart: false,
      defaultPhoneRegion: "GB",
      corsAllowedOrigins: ["https://app.example.com", "http://localhost:5173"],
      bodyLimitBytes: 2048,
      shutdownGraceMs: 0,
    });
  });

  it.each([
    [{ PORT: "abc" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ DATABASE_URL: "mysql://x", API_KEYS: "k".repeat(16) }, "DATABASE_URL"],
    [{ DATABASE_URL: "postgres://db/x" }, "API_KEYS"],
    [{ API_KEYS: "short" }, "API_KEYS"],
    [{ MIGRATE_ON_START: "maybe" }, "MIGRATE_ON_START"],
    [{ DEFAULT_PHONE_REGION: "USA" }, "DEFAULT_PHONE_REGION"],
    [{ PAGE_TOKEN_SECRET: "too-short" }, "PAGE_TOKEN_SECRET"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
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
});
