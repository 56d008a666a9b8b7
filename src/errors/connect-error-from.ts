import { Code, ConnectError } from "@connectrpc/connect";
import {
  BadRequestSchema,
  ErrorInfoSchema,
  RequestInfoSchema,
  RetryInfoSchema,
} from "../../gen/google/rpc/error_details_pb.js";
import { ApiError } from "./api-error.js";

/** Retry delay of an UNAVAILABLE error that names none itself (RetryInfo, Retry-After), in seconds. */
export const RETRY_AFTER_SECONDS = 1;

/** google.rpc.ErrorInfo domain of every error this service raises. */
export const ERROR_DOMAIN = "customer-api";

const GENERIC_REASONS: Partial<Record<Code, string>> = {
  [Code.InvalidArgument]: "INVALID_INPUT",
  [Code.Unauthenticated]: "INVALID_CREDENTIALS",
  [Code.NotFound]: "NOT_FOUND",
  [Code.DeadlineExceeded]: "DEADLINE_EXCEEDED",
  [Code.Canceled]: "CANCELLED",
  [Code.ResourceExhausted]: "RESOURCE_EXHAUSTED",
  [Code.Unimplemented]: "UNIMPLEMENTED",
};

/** Codes whose message from a ConnectError raised inside connect-es is safe to pass on. */
const PASS_THROUGH = new Set([
  Code.InvalidArgument,
  Code.Canceled,
  Code.DeadlineExceeded,
  Code.ResourceExhausted,
  Code.Unimplemented,
  Code.Unauthenticated,
  Code.NotFound,
]);

// Errors may quote what the client sent (an unknown field, a mask path). gRPC carries the message
// and details in trailers, which clients cap (8 KiB in grpc-java, ~64 KiB in Node): an error
// echoing a long input would never arrive, and Node's client would drop the connection. So every
// text is clipped and at most MAX_VIOLATIONS violations are listed.
const MAX_TEXT = 300;
const MAX_VIOLATIONS = 50;

function clip(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 1)}…`;
}

/** The result of mapping a thrown value: the error to send and whether it was unexpected (log it). */
export interface MappedError {
  error: ConnectError;
  unexpected: boolean;
}

/**
 * The one place a thrown value becomes a wire error: ApiErrors keep their code, message and field
 * violations, ConnectErrors of the codes above their message and BadRequest; anything else becomes
 * a generic INTERNAL. Every error gets ErrorInfo and RequestInfo.
 */
export function connectErrorFrom(thrown: unknown, requestId: string): MappedError {
  let code = Code.Internal;
  let message = "Internal error. Quote the request id when reporting it.";
  let reason = "INTERNAL_ERROR";
  let violations: ApiError["violations"] = [];
  let unexpected = true;
  let metadata: Headers | undefined;
  let fieldViolations: { field: string; description: string; reason: string }[] = [];
  let retryAfterSeconds: number | undefined;
  let errorHeaders: Readonly<Record<string, string>> | undefined;
  if (thrown instanceof ApiError) {
    ({ code, reason, violations, retryAfterSeconds } = thrown);
    errorHeaders = thrown.headers;
    message = thrown.message;
    unexpected = code === Code.Internal;
  } else if (thrown instanceof ConnectError && PASS_THROUGH.has(thrown.code)) {
    code = thrown.code;
    message = thrown.rawMessage;
    reason = GENERIC_REASONS[code] ?? "ERROR";
    metadata = thrown.metadata;
    // Raised at an edge (the REST transcoder) in google.rpc terms: its field violations stand.
    fieldViolations = thrown.findDetails(BadRequestSchema).flatMap((b) => b.fieldViolations);
    unexpected = false;
  }
  const details: ConstructorParameters<typeof ConnectError>[3] = [];
  for (const v of violations)
    fieldViolations.push({ field: v.field, description: v.description, reason: v.code });
  if (fieldViolations.length > 0) {
    const listed = fieldViolations
      .slice(0, MAX_VIOLATIONS)
      .map((v) => ({ field: clip(v.field), description: clip(v.description), reason: v.reason }));
    details.push({ desc: BadRequestSchema, value: { fieldViolations: listed } });
  }
  details.push({ desc: ErrorInfoSchema, value: { reason, domain: ERROR_DOMAIN } });
  details.push({ desc: RequestInfoSchema, value: { requestId } });
  // An error that knows when to retry says so (a rate limit); any other UNAVAILABLE gets the default.
  if (retryAfterSeconds === undefined && code === Code.Unavailable) retryAfterSeconds = RETRY_AFTER_SECONDS;
  if (retryAfterSeconds !== undefined) {
    details.push({ desc: RetryInfoSchema, value: { retryDelay: { seconds: BigInt(retryAfterSeconds) } } });
  }
  // x-request-id is already a response header of every request (see app.ts).
  const headers = new Headers(metadata);
  for (const [name, value] of Object.entries(errorHeaders ?? {})) headers.set(name, value);
  if (retryAfterSeconds !== undefined) headers.set("retry-after", String(retryAfterSeconds));
  return { error: new ConnectError(clip(message), code, headers, details, thrown), unexpected };
}
