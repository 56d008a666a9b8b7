import type { LoggerOptions } from "pino";

/** JSON logs (one object a line) with credentials redacted; every request's lines carry `requestId`. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: "customer-api" },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: { paths: ["req.headers.authorization", "headers.authorization"], censor: "[redacted]" },
  };
}
