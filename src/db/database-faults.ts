import { ApiError } from "../errors/api-error.js";

// Which node-postgres failures mean "the database cannot be reached right now" (retry later) rather
// than "this statement is wrong" (a bug). node-postgres has no typed signal for most of them, so the
// dependency on its wording is kept here, pinned by test/db/database-faults.test.ts, which provokes
// each fault against a real server.

/** SQLSTATEs of an unreachable or stopping server: connection exceptions (class 08), shutdowns, too many clients. */
const UNAVAILABLE_STATES = /^(08...|57P0[123]|53300)$/;

/** Socket errors of a refused, reset or unroutable connection. */
const UNAVAILABLE_SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

// pg and pg-pool raise these as plain Errors: a pool acquire timeout, a connection lost mid-query,
// a connect timeout, and a pool being closed while the service shuts down.
const UNAVAILABLE_MESSAGES =
  /^(timeout exceeded when trying to connect|Connection terminated|connection timeout|Client was closed and is not queryable|Cannot use a pool after calling end on the pool|Client has encountered a connection error and is not queryable)/i;

/** True when `error` says the database is unreachable or going away, not that the statement failed. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code } = error as { code?: unknown };
  if (typeof code === "string" && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_SOCKET_CODES.has(code))) {
    return true;
  }
  if (error instanceof AggregateError && error.errors.some(isDatabaseUnavailable)) return true;
  return UNAVAILABLE_MESSAGES.test(error.message);
}

const DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE";

/** True for a driver failure of an unreachable database, or the API error it was turned into. */
export function isDatabaseFault(error: unknown): boolean {
  return (error instanceof ApiError && error.reason === DATABASE_UNAVAILABLE) || isDatabaseUnavailable(error);
}

/** The API's answer to a database that cannot be reached; anything else is returned unchanged. */
export function asDatabaseFault(error: unknown): unknown {
  if (!isDatabaseUnavailable(error)) return error;
  return ApiError.unavailable(
    DATABASE_UNAVAILABLE,
    "The database is unavailable; retry later. Quote the request id if it persists.",
    error,
  );
}
