import { existsSync } from "node:fs";
import { type ApiKey, parseApiKeys } from "./auth/api-key-list.js";
import { readJwksFile } from "./auth/jwks-file.js";
import type { JwksLocation } from "./auth/jwks-key-source.js";
import { parseJwtAlgorithms } from "./auth/jwt-algorithms.js";
import type { TokenBucketRate } from "./limits/token-bucket.js";
import type { TraceExporterKind } from "./observability/tracer-provider.js";

/** JWT bearer tokens: where the issuer's keys are and what a token must say (docs/auth.md). */
export interface JwtConfig {
  jwks: JwksLocation;
  issuer: string;
  audience: string;
  /** Accepted `alg` values, asymmetric only. */
  algorithms: string[];
  clockToleranceSeconds: number;
}

/** Typed service configuration read from the environment (see the README's configuration table). */
export interface Config {
  host: string;
  port: number;
  /** External PostgreSQL; undefined means the embedded one in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Accepted API keys and their scopes; none (and no JWT) means "use the development key". */
  apiKeys: ApiKey[];
  /** JWT bearer tokens; undefined means API keys only. */
  jwt: JwtConfig | undefined;
  /** Apply pending migrations at start-up. */
  migrateOnStart: boolean;
  /** Region used to read national-format phone numbers when the customer has no address country. */
  defaultPhoneRegion: string | undefined;
  /** Secret for signing page tokens; undefined means one generated and kept in the database. */
  pageTokenSecret: string | undefined;
  logLevel: string;
  /** Largest accepted request body in bytes (all protocols). */
  bodyLimitBytes: number;
  /** PEM files for TLS on the same port; both or neither. */
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  /** Browser origins allowed to call the API cross-origin (CORS); empty means same-origin only. */
  corsAllowedOrigins: string[];
  /** How long shutdown waits for in-flight calls before cutting connections. */
  shutdownGraceMs: number;
  /** How long a call waits for a database connection before it fails with UNAVAILABLE. */
  databaseConnectTimeoutMs: number;
  /** The server-side budget of a call without a shorter client deadline (DEADLINE_EXCEEDED after it). */
  callTimeoutMs: number;
  /** Per-credential token bucket (calls per second, burst); undefined means no rate limit. */
  rateLimit: TokenBucketRate | undefined;
  /** OpenTelemetry traces; undefined means off (the default). */
  tracing: { exporter: TraceExporterKind; serviceName: string } | undefined;
}

/** Thrown for an invalid environment; the message names the variable and what it accepts. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** Reads and validates the configuration, throwing one ConfigError that lists every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const text = (name: string, fallback: string): string => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? fallback : value;
  };
  const optional = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = optional(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
    problems.push(`${name} must be "true" or "false", got "${raw}"`);
    return fallback;
  };

  const databaseUrl = optional("DATABASE_URL");
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a PostgreSQL URL such as "postgres://user:pass@host:5432/db"');
  }
  const apiKeys = parseApiKeys(optional("API_KEYS") ?? "");
  problems.push(...apiKeys.problems);
  const jwt = jwtConfig(optional, integer, problems);
  const rateLimit = rateLimitConfig(optional, integer, problems);
  const defaultPhoneRegion = optional("DEFAULT_PHONE_REGION")?.toUpperCase();
  if (defaultPhoneRegion !== undefined && !/^[A-Z]{2}$/.test(defaultPhoneRegion)) {
    problems.push(
      `DEFAULT_PHONE_REGION must be an ISO 3166-1 alpha-2 code such as "US", got "${defaultPhoneRegion}"`,
    );
  }
  const pageTokenSecret = optional("PAGE_TOKEN_SECRET");
  if (pageTokenSecret !== undefined && pageTokenSecret.length < 32) {
    problems.push("PAGE_TOKEN_SECRET must have at least 32 characters");
  }
  const corsAllowedOrigins = (optional("CORS_ALLOWED_ORIGINS") ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  for (const origin of corsAllowedOrigins) {
    if (origin !== "*" && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(
        `CORS_ALLOWED_ORIGINS entries must be origins such as "https://app.example.com" or "*", got "${origin}"`,
      );
    }
  }
  const tlsCertFile = optional("TLS_CERT_FILE");
  const tlsKeyFile = optional("TLS_KEY_FILE");
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined)) {
    problems.push(
      "TLS_CERT_FILE and TLS_KEY_FILE must be set together (PEM certificate chain and private key)",
    );
  }
  for (const [name, file] of [
    ["TLS_CERT_FILE", tlsCertFile],
    ["TLS_KEY_FILE", tlsKeyFile],
  ] as const) {
    if (file !== undefined && !existsSync(file))
      problems.push(`${name} names a file that does not exist: ${file}`);
  }
  const logLevel = text("LOG_LEVEL", "info");
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  }

  const config: Config = {
    host: text("HOST", "127.0.0.1"),
    port: integer("PORT", 8080, 0, 65535),
    databaseUrl,
    dataDir: text("DATA_DIR", "./.data"),
    apiKeys: apiKeys.keys,
    jwt,
    migrateOnStart: boolean("MIGRATE_ON_START", true),
    defaultPhoneRegion,
    pageTokenSecret,
    logLevel,
    corsAllowedOrigins,
    tlsCertFile,
    tlsKeyFile,
    bodyLimitBytes: integer("BODY_LIMIT_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024),
    shutdownGraceMs: integer("SHUTDOWN_GRACE_MS", 10_000, 0, 600_000),
    databaseConnectTimeoutMs: integer("DATABASE_CONNECT_TIMEOUT_MS", 3000, 100, 60_000),
    callTimeoutMs: integer("CALL_TIMEOUT_MS", 10_000, 100, 600_000),
    rateLimit,
    tracing: tracingConfig(optional, problems),
  };
  if (config.databaseUrl !== undefined && config.apiKeys.length === 0 && config.jwt === undefined) {
    problems.push(
      "API_KEYS (or JWT_JWKS_FILE / JWT_JWKS_URL) must be set when DATABASE_URL points at an external database (the development key is only created for the embedded database)",
    );
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
  }
  return config;
}

/**
 * The JWT variables: JWT is on when JWT_JWKS_FILE or JWT_JWKS_URL is set (one of them), and then
 * JWT_ISSUER and JWT_AUDIENCE are required; any other JWT_ variable without a JWKS is a mistake.
 */
function jwtConfig(
  optional: (name: string) => string | undefined,
  integer: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): JwtConfig | undefined {
  const file = optional("JWT_JWKS_FILE");
  const url = optional("JWT_JWKS_URL");
  const issuer = optional("JWT_ISSUER");
  const audience = optional("JWT_AUDIENCE");
  const algorithms = parseJwtAlgorithms(optional("JWT_ALGORITHMS"));
  const clockToleranceSeconds = integer("JWT_CLOCK_TOLERANCE_SECONDS", 30, 0, 300);
  if (file === undefined && url === undefined) {
    for (const name of ["JWT_ISSUER", "JWT_AUDIENCE", "JWT_ALGORITHMS", "JWT_CLOCK_TOLERANCE_SECONDS"]) {
      if (optional(name) !== undefined) {
        problems.push(`${name} is set, but JWT is off: set JWT_JWKS_FILE or JWT_JWKS_URL to accept JWTs`);
      }
    }
    return undefined;
  }
  problems.push(...algorithms.problems);
  if (issuer === undefined) {
    problems.push("JWT_ISSUER must be set with a JWKS: the `iss` every token must carry");
  }
  if (audience === undefined) {
    problems.push("JWT_AUDIENCE must be set with a JWKS: the `aud` every token must be meant for");
  }
  let jwks: JwksLocation | undefined;
  if (file !== undefined && url !== undefined) {
    problems.push("JWT_JWKS_FILE and JWT_JWKS_URL are alternatives: set only one of them");
  } else if (file !== undefined) {
    const contents = readJwksFile(file);
    if ("problem" in contents) problems.push(`JWT_JWKS_FILE ${contents.problem}`);
    else jwks = { file, keySet: contents.keySet };
  } else if (url !== undefined) {
    const protocol = URL.canParse(url) ? new URL(url).protocol : undefined;
    if (protocol === "https:" || protocol === "http:") jwks = { url };
    else problems.push('JWT_JWKS_URL must be an http(s) URL such as "https://issuer.example.com/jwks.json"');
  }
  if (jwks === undefined || issuer === undefined || audience === undefined) return undefined;
  return { jwks, issuer, audience, algorithms: algorithms.algorithms, clockToleranceSeconds };
}

/**
 * The per-credential rate limit: on when RATE_LIMIT_PER_SECOND is above 0 (a decimal, so "0.5" is a
 * call every two seconds); RATE_LIMIT_BURST, the bucket size, defaults to one second's worth of calls
 * (at least 1). A burst without any rate is a mistake; an explicit rate of 0 switches the limit off
 * whatever the burst says, so one variable turns it off.
 */
function rateLimitConfig(
  optional: (name: string) => string | undefined,
  integer: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): TokenBucketRate | undefined {
  const raw = optional("RATE_LIMIT_PER_SECOND");
  if (raw === undefined) {
    if (optional("RATE_LIMIT_BURST") !== undefined) {
      problems.push("RATE_LIMIT_BURST is set, but rate limiting is off: set RATE_LIMIT_PER_SECOND too");
    }
    return undefined;
  }
  const perSecond = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || perSecond > 100_000) {
    problems.push(
      `RATE_LIMIT_PER_SECOND must be a number of calls per second from 0 (off) to 100000, such as "20" or "0.5", got "${raw}"`,
    );
    return undefined;
  }
  if (perSecond === 0) return undefined;
  return { perSecond, burst: integer("RATE_LIMIT_BURST", Math.max(1, Math.ceil(perSecond)), 1, 1_000_000) };
}

/**
 * Traces are on when OTEL_TRACES_EXPORTER is `otlp` or `console`, or when it is unset and an OTLP
 * endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set; `none` turns
 * them off. The exporter reads the endpoint and headers itself, as the OpenTelemetry spec says.
 */
function tracingConfig(
  optional: (name: string) => string | undefined,
  problems: string[],
): Config["tracing"] {
  const exporter = optional("OTEL_TRACES_EXPORTER")?.toLowerCase();
  const endpoint = optional("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ?? optional("OTEL_EXPORTER_OTLP_ENDPOINT");
  if (endpoint !== undefined && !/^https?:\/\/\S+$/.test(endpoint)) {
    problems.push(
      `OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL such as "http://collector:4318", got "${endpoint}"`,
    );
  }
  const serviceName = optional("OTEL_SERVICE_NAME") ?? "customer-api";
  if (exporter === undefined) return endpoint === undefined ? undefined : { exporter: "otlp", serviceName };
  if (exporter === "none") return undefined;
  if (exporter === "otlp" || exporter === "console") return { exporter, serviceName };
  problems.push(`OTEL_TRACES_EXPORTER must be "otlp", "console" or "none", got "${exporter}"`);
  return undefined;
}
