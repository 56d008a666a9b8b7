import { Code } from "@connectrpc/connect";
import type { UpdateCustomerRequest } from "../../gen/customers/v1/customer_service_pb.js";
import { ApiError } from "../errors/api-error.js";
import type { FieldViolation } from "../errors/field-violation.js";
import {
  conditionMatches,
  type EntityTagCondition,
  parseEntityTagCondition,
} from "../transcoding/entity-tags.js";
import type { CustomerRecord } from "./customer.js";

/** The response header (gRPC: metadata) carrying the etag of the customer a call returns. */
export const ETAG_HEADER = "etag";

/** ErrorInfo reason of an update whose etag field is not the customer's current etag: ABORTED, REST 409. */
export const ETAG_MISMATCH = "ETAG_MISMATCH";

/**
 * ErrorInfo reason of an update whose If-Match or If-None-Match header (metadata) fails: ABORTED,
 * REST 412 by customer_service.proto's http_response.error_statuses.
 */
export const PRECONDITION_FAILED = "PRECONDITION_FAILED";

/**
 * The record's etag (AIP-154): its version as an RFC 9110 strong entity-tag, quotes included (`"3"`),
 * so it is the ETag header's value as it stands. Every update raises the version: each stored state
 * of a customer has an etag of its own.
 */
export function etagOf(record: CustomerRecord): string {
  return `"${record.version}"`;
}

/** What an update must find before it writes; `check` runs under the row lock, so it holds at the write. */
export interface UpdatePreconditions {
  /** Throws ABORTED (ETAG_MISMATCH or PRECONDITION_FAILED) unless every precondition holds for `etag`. */
  check(etag: string): void;
}

/**
 * The preconditions of an UpdateCustomer call (AIP-154, RFC 9110 §13.1): the request's `etag` and the
 * `etag` of its customer (AIP-154's "piggyback" on the resource; neither is ever written) must be the
 * current etag when set; an `if-match` header (metadata, any protocol) must list it (strong comparison)
 * or be `*`; an `if-none-match` header must not list it (weak comparison) nor be `*`, which an existing
 * customer always fails. A malformed header is INVALID_FORMAT on `etag`, the field it stands for.
 */
export function updatePreconditionsOf(
  req: UpdateCustomerRequest,
  header: Headers,
): UpdatePreconditions | { violation: FieldViolation } {
  const ifMatch = conditionOf(header, "if-match");
  const ifNoneMatch = conditionOf(header, "if-none-match");
  if (ifMatch === "malformed" || ifNoneMatch === "malformed") {
    const name = ifMatch === "malformed" ? "If-Match" : "If-None-Match";
    return {
      violation: {
        field: "etag",
        code: "INVALID_FORMAT",
        description: `${name} must be "*" or a list of quoted etags such as "3", as the ETag header gives them.`,
      },
    };
  }
  const fields = [req.etag, req.customer?.etag ?? ""].filter((etag) => etag !== "");
  return {
    check(etag) {
      // etagOf() makes strong tags. Headers first, as RFC 9110 §13.2.2 orders them: a 412 says which.
      const current = { opaqueTag: etag, weak: false };
      if (ifMatch !== undefined && !conditionMatches(ifMatch, current, "strong")) {
        throw aborted(PRECONDITION_FAILED, "If-Match does not list the customer's current etag: it changed");
      }
      if (ifNoneMatch !== undefined && conditionMatches(ifNoneMatch, current, "weak")) {
        throw aborted(PRECONDITION_FAILED, "If-None-Match matches the customer's current etag");
      }
      if (fields.some((sent) => sent !== etag)) {
        throw aborted(ETAG_MISMATCH, "etag is not the customer's current etag: it changed");
      }
    },
  };
}

function conditionOf(header: Headers, name: string): EntityTagCondition | "malformed" | undefined {
  const value = header.get(name);
  if (value === null) return undefined;
  return parseEntityTagCondition(value) ?? "malformed";
}

// AIP-154: ABORTED, so that clients read the customer again and retry their change on that version.
function aborted(reason: string, what: string): ApiError {
  return new ApiError(Code.Aborted, reason, `${what}. Nothing was written; read the customer again.`);
}
