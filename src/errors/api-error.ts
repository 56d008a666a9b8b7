import { Code } from "@connectrpc/connect";
import type { FieldViolation } from "./field-violation.js";

/**
 * The service's one error vocabulary. Domain and edge code throw ApiErrors; connectErrorFrom()
 * turns them into ConnectErrors with rich details, and the REST transcoder turns those into
 * HTTP bodies. `reason` is the google.rpc.ErrorInfo reason (UPPER_SNAKE_CASE).
 */
export class ApiError extends Error {
  override name = "ApiError";

  /** Seconds the caller should wait before retrying (Retry-After, google.rpc.RetryInfo), if it says. */
  readonly retryAfterSeconds?: number;
  /** Response headers (gRPC: metadata) the answer carries, such as an RFC 6750 WWW-Authenticate challenge. */
  readonly headers?: Readonly<Record<string, string>>;

  constructor(
    readonly code: Code,
    readonly reason: string,
    message: string,
    readonly violations: readonly FieldViolation[] = [],
    options?: { cause?: unknown; retryAfterSeconds?: number; headers?: Record<string, string> },
  ) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.headers = options?.headers;
  }

  /** Invalid input: reports every violation at once. */
  static invalidArgument(violations: readonly FieldViolation[], message?: string): ApiError {
    const count = violations.length;
    return new ApiError(
      Code.InvalidArgument,
      "INVALID_INPUT",
      message ?? (count === 1 ? "1 field is invalid." : `${count} fields are invalid.`),
      violations,
    );
  }

  /** The named resource does not exist. */
  static notFound(message: string): ApiError {
    return new ApiError(Code.NotFound, "NOT_FOUND", message);
  }

  /** A dependency (the database) cannot be reached; the caller should retry later. `cause` is logged, never sent. */
  static unavailable(reason: string, message: string, cause: unknown): ApiError {
    return new ApiError(Code.Unavailable, reason, message, [], { cause });
  }

  /**
   * The caller's credential is over its rate limit. The delay is rounded up to whole seconds, at
   * least 1: Retry-After (RFC 9110 §10.2.3) counts whole seconds, and a retry then finds a token.
   */
  static rateLimited(retryAfterSeconds: number): ApiError {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    const wait = seconds === 1 ? "1 second" : `${seconds} seconds`;
    return new ApiError(
      Code.ResourceExhausted,
      "RATE_LIMITED",
      `Rate limit exceeded for this credential: retry after ${wait}.`,
      [],
      { retryAfterSeconds: seconds },
    );
  }

  /** Missing or wrong credentials. */
  static unauthenticated(
    reason: "MISSING_CREDENTIALS" | "INVALID_CREDENTIALS",
    message: string,
    challenge: string,
  ): ApiError {
    return new ApiError(Code.Unauthenticated, reason, message, [], {
      headers: { "www-authenticate": challenge },
    });
  }
}
