import { createHash } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  type CreateCustomerRequest,
  CreateCustomerRequestSchema,
} from "../../gen/customers/v1/customer_service_pb.js";
import type { FieldViolation } from "../errors/field-violation.js";

/** The header REST clients (and any other caller, as metadata) send an idempotency key in. */
export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";
/** Set on the answer to a create that returned the customer an earlier call with the key made. */
export const IDEMPOTENT_REPLAYED_HEADER = "idempotent-replayed";

// Opaque keys as Stripe and the IETF Idempotency-Key draft use them: printable ASCII, 1-255 long.
const PRINTABLE_KEY = /^[\x20-\x7e]{1,255}$/;

/**
 * The create call's idempotency key: `request_id`, or the Idempotency-Key header (its structured-field
 * quotes removed); both may be sent if they agree. Undefined when neither is given.
 */
export function idempotencyKeyOf(
  req: CreateCustomerRequest,
  header: Headers,
): { key?: string; violation?: FieldViolation } {
  const raw = header.get(IDEMPOTENCY_KEY_HEADER);
  const fromHeader = raw === null ? undefined : raw.replace(/^"(.*)"$/, "$1");
  const fromField = req.requestId === "" ? undefined : req.requestId;
  if (fromHeader !== undefined && fromField !== undefined && fromHeader !== fromField) {
    return {
      violation: {
        field: "request_id",
        code: "NOT_ALLOWED",
        description: "requestId and the Idempotency-Key header differ; send one key.",
      },
    };
  }
  const key = fromField ?? fromHeader;
  if (key === undefined) return {};
  if (!PRINTABLE_KEY.test(key) || key.trim() === "") {
    const source = fromField !== undefined ? "requestId" : "The Idempotency-Key header";
    return {
      violation: {
        field: "request_id",
        code: "INVALID_FORMAT",
        description: `${source} must be 1 to 255 printable ASCII characters.`,
      },
    };
  }
  return { key };
}

/** SHA-256 of the request without its key: what "the same payload" means for a retried create. */
export function requestDigestOf(req: CreateCustomerRequest): Uint8Array {
  const withoutKey = create(CreateCustomerRequestSchema, { ...req, requestId: "" });
  return createHash("sha256").update(toBinary(CreateCustomerRequestSchema, withoutKey)).digest();
}
