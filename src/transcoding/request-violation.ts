import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";

/** Why the transcoder refused part of a request: google.rpc.BadRequest reasons. */
export type RequestViolationReason =
  | "UNKNOWN_FIELD"
  | "NOT_ALLOWED"
  | "DUPLICATE"
  | "INVALID_FORMAT"
  | "OUT_OF_RANGE";

/** One refused part of a request; `field` is a proto path relative to the request message. */
export interface RequestViolation {
  field: string;
  reason: RequestViolationReason;
  description: string;
}

/** The INVALID_ARGUMENT a refused request gets, in google.rpc terms (a BadRequest detail). */
export function invalidRequest(violations: readonly RequestViolation[], message?: string): ConnectError {
  const count = violations.length;
  const text = message ?? (count === 1 ? "1 field is invalid." : `${count} fields are invalid.`);
  const details =
    count === 0 ? [] : [{ desc: BadRequestSchema, value: { fieldViolations: [...violations] } }];
  return new ConnectError(text, Code.InvalidArgument, undefined, details);
}
